test("greets", () => {});
