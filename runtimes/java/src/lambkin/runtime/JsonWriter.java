// A handler's result as JSON: null, strings, numbers, booleans, maps, collections, arrays,
// records, enums and beans (public getters and public fields, as Jackson finds them); anything
// without properties, or a cycle, is a MarshalException.
package lambkin.runtime;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

final class JsonWriter {
    private JsonWriter() {
    }

    static String write(Object value) throws Json.MarshalException {
        StringBuilder b = new StringBuilder();
        new Writer(b).value(value, 0);
        return b.toString();
    }

    private static final class Writer {
        final StringBuilder b;
        final IdentityHashMap<Object, Boolean> path = new IdentityHashMap<>();

        Writer(StringBuilder b) {
            this.b = b;
        }

        void value(Object v, int depth) throws Json.MarshalException {
            if (v == null) {
                b.append("null");
            } else if (v instanceof String || v instanceof Character || v instanceof Enum<?>) {
                string(v instanceof Enum<?> ? ((Enum<?>) v).name() : v.toString());
            } else if (v instanceof Boolean) {
                b.append(v.toString());
            } else if (v instanceof Double || v instanceof Float) {
                double d = ((Number) v).doubleValue();
                // As Jackson writes them by default: quoted, since JSON has no such numbers.
                if (Double.isNaN(d) || Double.isInfinite(d)) string(v.toString());
                else b.append(v.toString());
            } else if (v instanceof Number) {
                b.append(v instanceof BigDecimal ? ((BigDecimal) v).toPlainString() : v.toString());
            } else if (v instanceof Optional<?>) {
                value(((Optional<?>) v).orElse(null), depth);
            } else if (v instanceof TemporalAccessor || v instanceof java.util.UUID) {
                string(v.toString());
            } else {
                container(v, depth);
            }
        }

        void container(Object v, int depth) throws Json.MarshalException {
            if (depth > 500 || path.containsKey(v)) {
                throw new Json.MarshalException("Direct self-reference leading to cycle (through reference chain: "
                        + v.getClass().getName() + ")");
            }
            path.put(v, Boolean.TRUE);
            if (v instanceof Map<?, ?>) {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    if (!first) b.append(',');
                    first = false;
                    string(String.valueOf(e.getKey()));
                    b.append(':');
                    value(e.getValue(), depth + 1);
                }
                b.append('}');
            } else if (v instanceof Collection<?> || v.getClass().isArray()) {
                b.append('[');
                if (v instanceof byte[]) {
                    // As Jackson does: a byte array is base64 text. Undo the '[' first.
                    b.setLength(b.length() - 1);
                    string(java.util.Base64.getEncoder().encodeToString((byte[]) v));
                    path.remove(v);
                    return;
                }
                Iterable<?> items = v instanceof Collection<?> ? (Collection<?>) v : asList(v);
                boolean first = true;
                for (Object item : items) {
                    if (!first) b.append(',');
                    first = false;
                    value(item, depth + 1);
                }
                b.append(']');
            } else {
                bean(v, depth);
            }
            path.remove(v);
        }

        void bean(Object v, int depth) throws Json.MarshalException {
            Map<String, Object> props = properties(v);
            if (props.isEmpty()) {
                throw new Json.MarshalException("No serializer found for class " + v.getClass().getName()
                        + " and no properties discovered to create BeanSerializer");
            }
            b.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : props.entrySet()) {
                if (!first) b.append(',');
                first = false;
                string(e.getKey());
                b.append(':');
                value(e.getValue(), depth + 1);
            }
            b.append('}');
        }

        void string(String s) {
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"': b.append("\\\""); break;
                    case '\\': b.append("\\\\"); break;
                    case '\n': b.append("\\n"); break;
                    case '\r': b.append("\\r"); break;
                    case '\t': b.append("\\t"); break;
                    case '\b': b.append("\\b"); break;
                    case '\f': b.append("\\f"); break;
                    default:
                        if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                        else b.append(c);
                }
            }
            b.append('"');
        }
    }

    private static List<Object> asList(Object array) {
        int n = Array.getLength(array);
        List<Object> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) list.add(Array.get(array, i));
        return list;
    }

    /** A bean's properties: record components, or public getters and public fields. */
    static Map<String, Object> properties(Object v) throws Json.MarshalException {
        Map<String, Object> props = new LinkedHashMap<>();
        Class<?> c = v.getClass();
        try {
            if (c.isRecord()) {
                for (RecordComponent rc : c.getRecordComponents()) {
                    Method m = rc.getAccessor();
                    m.setAccessible(true);
                    props.put(rc.getName(), m.invoke(v));
                }
                return props;
            }
            boolean open = Modifier.isPublic(c.getModifiers());
            for (Method m : c.getMethods()) {
                if (Modifier.isStatic(m.getModifiers()) || m.getParameterCount() != 0 || m.getDeclaringClass() == Object.class) continue;
                String n = m.getName();
                String name = null;
                if (n.startsWith("get") && n.length() > 3 && m.getReturnType() != void.class) name = n.substring(3);
                else if (n.startsWith("is") && n.length() > 2 && (m.getReturnType() == boolean.class || m.getReturnType() == Boolean.class)) name = n.substring(2);
                if (name == null) continue;
                // A public getter of a class that is not public (a nested class of the handler).
                if (!open && !m.trySetAccessible()) continue;
                props.put(decapitalize(name), m.invoke(v));
            }
            for (Field f : c.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) || props.containsKey(f.getName())) continue;
                if (!open && !f.trySetAccessible()) continue;
                props.put(f.getName(), f.get(v));
            }
        } catch (ReflectiveOperationException | RuntimeException ex) {
            Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
            throw new Json.MarshalException(cause.getClass().getName() + ": " + cause.getMessage() + " (serializing " + c.getName() + ")");
        }
        return props;
    }

    static String decapitalize(String name) {
        if (name.length() > 1 && Character.isUpperCase(name.charAt(1)) && Character.isUpperCase(name.charAt(0))) return name;
        return Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }
}
