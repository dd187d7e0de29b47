// Finding and calling the handler named by _HANDLER, as Lambda's Java runtime does:
//   package.Class::method, or package.Class (method handleRequest)
// The class comes from the task root and its lib/*.jar (and *.jar at the root); the method is the
// public one of that name with the most parameters among the accepted shapes:
//   (event[, Context])   the event converted from JSON to the parameter's type
//   (InputStream, OutputStream[, Context])   the raw bytes, as RequestStreamHandler
//   ()
// An instance method gets one instance, made once at init: its fields live while the environment is warm.
package lambkin.runtime;

import com.amazonaws.services.lambda.runtime.Context;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

final class Handler {
    private final Method method;
    private final Object instance;
    private final boolean stream;
    private final boolean withContext;
    private final Type eventType;

    private Handler(Method method, Object instance) {
        this.method = method;
        this.instance = instance;
        Class<?>[] p = method.getParameterTypes();
        this.stream = p.length >= 2 && p[0] == InputStream.class && p[1] == OutputStream.class;
        this.withContext = p.length > 0 && p[p.length - 1] == Context.class;
        this.eventType = !stream && p.length > 0 && p[0] != Context.class ? method.getGenericParameterTypes()[0] : null;
    }

    static ClassLoader classLoader(String taskRoot) {
        List<URL> urls = new ArrayList<>();
        try {
            urls.add(new File(taskRoot).toURI().toURL());
            // Layers' jars come after the function's own, as on Lambda (/opt/java/lib).
            String opt = System.getenv().getOrDefault("_LAMBKIN_OPT_DIR", "/opt");
            for (File dir : new File[] {new File(taskRoot, "lib"), new File(taskRoot), new File(opt, "java/lib")}) {
                File[] jars = dir.listFiles((d, name) -> name.endsWith(".jar"));
                if (jars == null) continue;
                Arrays.sort(jars);
                for (File jar : jars) urls.add(jar.toURI().toURL());
            }
        } catch (MalformedURLException ex) {
            throw new IllegalStateException(ex);
        }
        return new URLClassLoader(urls.toArray(new URL[0]), Handler.class.getClassLoader());
    }

    /** Load the class, find the method, make the instance. Failures are init failures. */
    static Handler load(String spec, ClassLoader loader) throws Failure {
        if (spec == null || spec.isEmpty()) spec = "lambda_function.lambda_handler";
        int sep = spec.indexOf("::");
        String className = sep >= 0 ? spec.substring(0, sep) : spec;
        String methodName = sep >= 0 ? spec.substring(sep + 2) : "handleRequest";
        if (className.isEmpty() || methodName.isEmpty()) {
            throw new Failure("Runtime.MalformedHandlerName", "Bad handler '" + spec + "': use package.Class::method or package.Class");
        }
        Class<?> c;
        try {
            c = Class.forName(className, true, loader);
        } catch (ClassNotFoundException ex) {
            throw new Failure("Runtime.ImportModuleError", "Class not found: " + className);
        } catch (ExceptionInInitializerError ex) {
            throw userInitFailure(ex.getCause() != null ? ex.getCause() : ex);
        } catch (UnsupportedClassVersionError ex) {
            // java21 functions run on the server's JDK, which may be older than what compiled them.
            throw new Failure("Runtime.ImportModuleError", "Unable to load class '" + className + "': " + ex
                    + " (this server runs Java " + Runtime.version().feature() + ": compile with --release "
                    + Runtime.version().feature() + ", or install a newer JDK)", ex);
        } catch (LinkageError ex) {
            throw new Failure("Runtime.ImportModuleError", "Unable to load class '" + className + "': " + ex, ex);
        }
        Method m = pick(c, methodName);
        if (m == null) {
            throw new Failure("Runtime.HandlerNotFound",
                    "No public method named " + methodName + " with appropriate method signature found on class " + c.getName());
        }
        Object instance = null;
        if (!Modifier.isStatic(m.getModifiers())) {
            try {
                var ctor = c.getDeclaredConstructor();
                ctor.setAccessible(true);
                instance = ctor.newInstance();
            } catch (NoSuchMethodException ex) {
                throw new Failure("Runtime.HandlerNotFound", "Class " + c.getName() + " has no public constructor without parameters");
            } catch (ReflectiveOperationException | LinkageError ex) {
                throw userInitFailure(Failure.unwrap(ex));
            }
        }
        try {
            m.setAccessible(true); // a public method of a class that is not public
        } catch (RuntimeException ex) {
            // the module system refuses: invoke() reports it
        }
        return new Handler(m, instance);
    }

    private static Failure userInitFailure(Throwable t) {
        // As for an exception in a Python module's top level: reported under its own class.
        Failure f = new Failure(t.getClass().getName(), t.getMessage() == null ? "" : t.getMessage(), t);
        return f;
    }

    private static Method pick(Class<?> c, String name) {
        Method best = null;
        for (Method m : c.getMethods()) {
            if (!m.getName().equals(name) || m.isBridge() || m.isSynthetic() || !accepted(m.getParameterTypes())) continue;
            if (best == null || m.getParameterCount() > best.getParameterCount()
                    || m.getParameterCount() == best.getParameterCount() && best.getParameterTypes()[0] == Object.class) {
                best = m;
            }
        }
        return best;
    }

    private static boolean accepted(Class<?>[] p) {
        if (p.length == 0) return true;
        if (p.length >= 2 && p[0] == InputStream.class && p[1] == OutputStream.class) {
            return p.length == 2 || p.length == 3 && p[2] == Context.class;
        }
        if (p.length == 1) return true;
        return p.length == 2 && p[1] == Context.class;
    }

    /** Call it. Returns the result's JSON bytes; throws Failure (runtime faults) or the user's Throwable. */
    byte[] invoke(byte[] event, Context context) throws Throwable {
        Object[] args;
        ByteArrayOutputStream output = null;
        if (stream) {
            output = new ByteArrayOutputStream();
            args = withContext ? new Object[] {new ByteArrayInputStream(event), output, context}
                    : new Object[] {new ByteArrayInputStream(event), output};
        } else {
            List<Object> a = new ArrayList<>(2);
            if (eventType != null) a.add(convertEvent(event));
            if (withContext) a.add(context);
            args = a.toArray();
        }
        Object result;
        try {
            result = method.invoke(instance, args);
        } catch (java.lang.reflect.InvocationTargetException ex) {
            throw ex.getCause();
        }
        if (stream) return output.toByteArray();
        try {
            return Json.write(result).getBytes(StandardCharsets.UTF_8);
        } catch (Json.MarshalException ex) {
            throw new Failure("Runtime.MarshalError", "Unable to marshal response: " + ex.getMessage());
        }
    }

    private Object convertEvent(byte[] event) throws Failure {
        Object parsed;
        try {
            parsed = Json.parse(new String(event, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException ex) {
            throw new Failure("Runtime.UnmarshalError", "Unable to unmarshal input: " + ex.getMessage());
        }
        try {
            return Convert.to(parsed, eventType);
        } catch (RuntimeException ex) {
            throw new Failure("Runtime.UnmarshalError", "Unable to unmarshal input: " + ex.getMessage());
        }
    }
}
