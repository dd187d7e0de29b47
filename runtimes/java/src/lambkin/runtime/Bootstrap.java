// lambkin's Java runtime: runs inside an execution environment, speaks the Lambda Runtime API
// (http://$AWS_LAMBDA_RUNTIME_API/2018-06-01) and calls the function's handler.
//   start: pre-started by the host's pool (_LAMBKIN_PRESTART): wait for the environment (Prestart.java)
//   init:  load _HANDLER; on failure POST /runtime/init/error and exit 1
//   loop:  GET /runtime/invocation/next → handler → POST /invocation/{id}/response or /error
// Standard library only; nothing here knows lambkin's host code.
package lambkin.runtime;

import com.amazonaws.services.lambda.runtime.LambdaRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

public final class Bootstrap {
    /** Set by the host (src/runtimes/java.ts) when the sandbox shows the Runtime API's unix socket. */
    static final String SOCKET_PROPERTY = "lambkin.runtimeApiSocket";

    private Bootstrap() {
    }

    public static void main(String[] args) {
        Prestart.awaitAssignment(); // a pre-started JVM: its function's environment first
        Telemetry log = Telemetry.install();
        LambdaRuntime.setLogger(log);
        String api = System.getenv().getOrDefault("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001");
        // The host's unix socket, private to lambkin's bootstrap: a property, since a JVM cannot take
        // a variable out of its environment again, and cleared before the function's code loads.
        String unixSocket = System.getProperty(SOCKET_PROPERTY);
        System.clearProperty(SOCKET_PROPERTY);
        RuntimeApi client = new RuntimeApi(api, unixSocket);
        String taskRoot = System.getenv().getOrDefault("LAMBDA_TASK_ROOT", System.getProperty("user.dir"));
        Handler handler;
        ClassLoader loader = Handler.classLoader(taskRoot);
        Thread.currentThread().setContextClassLoader(loader);
        try {
            handler = Handler.load(System.getenv("_HANDLER"), loader);
        } catch (Failure f) {
            Map<String, Object> body = f.errorType.startsWith("Runtime.") || f.getCause() == null ? f.body() : Failure.of(f.getCause());
            record(log, null, "Init error", body);
            try {
                client.post("init/error", json(body), f.errorType);
            } catch (IOException ex) {
                // nothing to report to
            }
            System.exit(1);
            return;
        }
        for (;;) {
            try {
                invokeOnce(client, handler, log);
            } catch (IOException ex) {
                // The Runtime API is unreachable: the environment is gone.
                System.err.println("lambkin runtime: " + ex.getMessage());
                System.exit(1);
            }
        }
    }

    private static void invokeOnce(RuntimeApi client, Handler handler, Telemetry log) throws IOException {
        RuntimeApi.Reply next = client.next();
        if (next.status != 200) throw new IOException("Runtime API answered " + next.status + " to /next");
        String id = next.headers.getOrDefault("lambda-runtime-aws-request-id", "");
        String trace = next.headers.get("lambda-runtime-trace-id");
        if (trace != null) System.setProperty("com.amazonaws.xray.traceHeader", trace);
        Map<String, Object> error;
        String errorType;
        try {
            byte[] result = handler.invoke(next.body, new LambdaContext(next.headers, log));
            answer(client, log, "invocation/" + id + "/response", result, null);
            return;
        } catch (Failure f) {
            error = f.body();
            errorType = f.errorType;
        } catch (Throwable t) {
            error = Failure.of(t);
            errorType = t.getClass().getName();
            // An Error (OutOfMemoryError, StackOverflowError) leaves the JVM in doubt: report, then end.
            if (t instanceof VirtualMachineError) {
                record(log, id, "Invoke Error", error);
                answer(client, log, "invocation/" + id + "/error", json(error), errorType);
                System.exit(1);
            }
        }
        record(log, id, "Invoke Error", error);
        answer(client, log, "invocation/" + id + "/error", json(error), errorType);
    }

    private static void answer(RuntimeApi client, Telemetry log, String path, byte[] body, String errorType) throws IOException {
        RuntimeApi.Reply r = client.post(path, body, errorType);
        if (r.status >= 300) {
            // 403 (no longer the active request) or 413 (too large): the host has made it the invocation's error.
            log.log(Instant.now() + "\t-\tWARN\tRuntime API answered " + r.status + " to " + path + ": "
                    + new String(r.body, StandardCharsets.UTF_8));
        }
    }

    /** The runtime's own record of a failure: one event, `<time>\t<request id>\tERROR\t<label> <json>`. */
    private static void record(Telemetry log, String id, String label, Map<String, Object> error) {
        log.log(Instant.now() + "\t" + (id == null ? "undefined" : id) + "\tERROR\t" + label + " " + new String(json(error), StandardCharsets.UTF_8));
    }

    static byte[] json(Object value) {
        try {
            return Json.write(value).getBytes(StandardCharsets.UTF_8);
        } catch (Json.MarshalException ex) {
            return ("{\"errorMessage\":\"unserializable error\",\"errorType\":\"Runtime.Unknown\"}").getBytes(StandardCharsets.UTF_8);
        }
    }
}
