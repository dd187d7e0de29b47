// Failures as Lambda's Java runtime reports them: {errorMessage, errorType, stackTrace[, cause]},
// errorType the exception's full class name, frames as "class.method(File.java:line)" without the
// runtime's own frames. Failures of the runtime itself carry a Runtime.* type.
package lambkin.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class Failure extends Exception {
    final String errorType;

    Failure(String errorType, String message) {
        super(message, null, false, false);
        this.errorType = errorType;
    }

    Failure(String errorType, String message, Throwable cause) {
        super(message, cause, false, false);
        this.errorType = errorType;
    }

    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errorMessage", getMessage() == null ? "" : getMessage());
        body.put("errorType", errorType);
        body.put("stackTrace", getCause() == null ? List.of() : frames(getCause()));
        return body;
    }

    /** A user exception, as the body Lambda gives for it. */
    static Map<String, Object> of(Throwable t) {
        return of(t, 0);
    }

    private static Map<String, Object> of(Throwable t, int depth) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errorMessage", t.getMessage() == null ? "" : t.getMessage());
        body.put("errorType", t.getClass().getName());
        body.put("stackTrace", frames(t));
        if (t.getCause() != null && t.getCause() != t && depth < 5) body.put("cause", of(t.getCause(), depth + 1));
        return body;
    }

    static List<String> frames(Throwable t) {
        List<String> out = new ArrayList<>();
        for (StackTraceElement e : t.getStackTrace()) {
            String c = e.getClassName();
            // The reflective call and lambkin's own loop are the platform's, not the user's.
            if (c.startsWith("lambkin.runtime.") || c.startsWith("jdk.internal.reflect.") || c.startsWith("java.lang.reflect.Method")) continue;
            out.add(e.toString());
        }
        return out;
    }

    /** Unwraps what reflection wraps around the user's own exception. */
    static Throwable unwrap(Throwable t) {
        while ((t instanceof java.lang.reflect.InvocationTargetException || t instanceof ExceptionInInitializerError) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
