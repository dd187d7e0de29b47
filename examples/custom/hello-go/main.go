// A Go function as a custom runtime, with the standard library only: the binary is the bootstrap.
// It loops over the Runtime API itself (aws-lambda-go does the same work for you).
// Build: ./build.sh (or: CGO_ENABLED=0 go build -o bootstrap .), then deploy this folder.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
)

var invocations = 0 // kept while the environment is warm

func handler(event map[string]interface{}) (map[string]interface{}, error) {
	invocations++
	name, _ := event["name"].(string)
	if name == "" {
		name = "world"
	}
	fmt.Printf("hello-go called for %s\n", name) // a log line
	return map[string]interface{}{"message": "Hello, " + name + "!", "from": "go", "invocations": invocations}, nil
}

func main() {
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	for {
		res, err := http.Get(api + "next")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		id := res.Header.Get("Lambda-Runtime-Aws-Request-Id")
		var event map[string]interface{}
		err = json.NewDecoder(res.Body).Decode(&event)
		res.Body.Close()
		var body []byte
		path := id + "/response"
		var result map[string]interface{}
		if err == nil {
			result, err = handler(event)
		}
		if err == nil {
			body, err = json.Marshal(result)
		}
		if err != nil {
			path = id + "/error"
			body, _ = json.Marshal(map[string]interface{}{"errorMessage": err.Error(), "errorType": "HandlerError"})
		}
		post, err := http.Post(api+path, "application/json", bytes.NewReader(body))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		io.Copy(io.Discard, post.Body)
		post.Body.Close()
	}
}
