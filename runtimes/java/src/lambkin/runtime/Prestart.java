// A pre-started runtime (lambkin's sandbox/prestart/pool.ts): the JVM was started before its
// function was known, with _LAMBKIN_PRESTART set and a pipe on stdin. It has booted and loaded the
// runtime's classes by the time it blocks here, until the host writes the function's whole
// environment (one JSON object) and closes the pipe. That environment then becomes the one Java
// shows — System.getenv() and the environment a ProcessBuilder starts from — with nothing of the
// start-up one left, and stdin reads end-of-file, as in a runtime started for its function.
//
// A JVM has no public way to change its environment: the map behind System.getenv()'s unmodifiable
// view is replaced in place (java.util is opened to this runtime by its launch command, as Lambda's
// own Java runtime client does to write its environment). What stays as the JVM started: the C
// library's environ (native code calling getenv(3), and a child started by Runtime.exec or a
// ProcessBuilder whose environment() was never called inherits it), and what the JVM read from its
// environment as it started — the pool does not serve functions that set such variables.
package lambkin.runtime;

import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

final class Prestart {
    static final String MARKER = "_LAMBKIN_PRESTART";

    private Prestart() {
    }

    /** In a pre-started JVM: wait for the function's environment and take it. Otherwise returns at once. */
    static void awaitAssignment() {
        if (System.getenv(MARKER) == null) return;
        // Found before waiting: a JVM that cannot take its environment exits now, and the pool
        // counts it as failed (and stops starting them) rather than a function seeing the wrong one.
        Map<String, String> writable = writableEnvironment();
        if (writable == null) System.exit(1);
        warmUp();
        byte[] in;
        try {
            in = System.in.readAllBytes();
        } catch (IOException ex) {
            in = new byte[0];
        }
        if (in.length == 0) System.exit(0); // closed without a word: the host gave up this sandbox
        Map<String, String> env = new LinkedHashMap<>();
        Object parsed = Json.parse(new String(in, StandardCharsets.UTF_8));
        if (!(parsed instanceof Map)) System.exit(1);
        for (Map.Entry<?, ?> e : ((Map<?, ?>) parsed).entrySet()) env.put(String.valueOf(e.getKey()), String.valueOf(e.getValue()));
        writable.clear();
        writable.putAll(env);
        try {
            // Closing fd 0 puts /dev/null on it (the JDK never leaves 0–2 free); reads end at once.
            System.in.close();
            System.setIn(new BufferedInputStream(new FileInputStream("/dev/null")));
        } catch (IOException ex) {
            // stdin stays the drained pipe: reads end at once all the same
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> writableEnvironment() {
        Map<String, String> view = System.getenv();
        try {
            Field inner = view.getClass().getDeclaredField("m");
            inner.setAccessible(true);
            return (Map<String, String>) inner.get(view);
        } catch (ReflectiveOperationException | RuntimeException ex) {
            return null;
        }
    }

    /**
     * A handler of the runtime's own, called once before the wait: loading, picking, instantiating
     * and calling it runs the paths the function's first invocation takes (class loader, reflection,
     * JSON in and out, the event's conversion), so their classes are loaded and linked by then.
     */
    public static final class Rehearsal {
        public Map<String, Object> handleRequest(Map<String, Object> event, com.amazonaws.services.lambda.runtime.Context context) {
            return event;
        }
    }

    /** Load and link what the first invocation needs while nothing waits for it. */
    private static void warmUp() {
        try {
            ClassLoader loader = Handler.classLoader(System.getProperty("user.dir")); // the task root: empty until the claim
            Handler h = Handler.load("lambkin.runtime.Prestart$Rehearsal::handleRequest", loader);
            h.invoke("{\"a\":[1,2.5,true,null,\"b\"],\"c\":{\"d\":\"e\"}}".getBytes(StandardCharsets.UTF_8),
                    new LambdaContext(new java.util.HashMap<>(), null));
        } catch (Throwable t) {
            // only a head start: what failed here is loaded when needed instead
        }
        // The Runtime API's transport, up to the connect: the host listens only once the sandbox is
        // claimed, so a unix socket at a path that does not exist (ENOENT), or a TCP socket never connected.
        try {
            if (System.getProperty(Bootstrap.SOCKET_PROPERTY) != null) {
                new RuntimeApi("127.0.0.1:9001", "/nonexistent/lambkin-rehearsal.sock").next();
            } else {
                try (java.net.Socket s = new java.net.Socket()) {
                    s.setTcpNoDelay(true);
                    new java.net.InetSocketAddress("127.0.0.1", 9001).getPort();
                }
            }
        } catch (Throwable t) {
            // expected: nothing listens there
        }
        ClassLoader loader = Prestart.class.getClassLoader();
        for (String name : new String[] {
            "lambkin.runtime.Telemetry", "lambkin.runtime.RuntimeApi", "lambkin.runtime.RuntimeApi$Reply", "lambkin.runtime.Handler",
            "lambkin.runtime.LambdaContext", "lambkin.runtime.Failure", "lambkin.runtime.Convert", "lambkin.runtime.JsonWriter",
            "java.net.URLClassLoader", "java.nio.channels.SocketChannel", "java.net.UnixDomainSocketAddress",
        }) {
            try {
                Class.forName(name, true, loader);
            } catch (ClassNotFoundException | LinkageError ex) {
                // only a head start: loaded when needed instead
            }
        }
        Json.parse("{\"a\":[1,2.5,true,null,\"b\"]}");
    }
}
