module lambkin.example/hello-go

go 1.19
