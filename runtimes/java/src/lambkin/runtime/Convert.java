// From a parsed JSON value to the type a handler's parameter declares: String, boxed and primitive
// scalars, Map/List (with their type arguments), arrays, enums, records and beans (set through
// setters or fields; unknown properties are ignored, as Lambda's Java runtime configures Jackson).
package lambkin.runtime;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

final class Convert {
    private Convert() {
    }

    static Object to(Object value, Type type) {
        Class<?> raw = rawClass(type);
        if (value == null) {
            if (raw.isPrimitive()) throw new IllegalArgumentException("null cannot be a " + raw.getName());
            return null;
        }
        if (raw == Object.class || raw.isInstance(value) && !(value instanceof Map) && !(value instanceof List)) return value;
        if (raw == String.class) return value instanceof String ? value : JsonText.of(value);
        if (raw == Integer.class || raw == int.class) return number(value).intValue();
        if (raw == Long.class || raw == long.class) return number(value).longValue();
        if (raw == Double.class || raw == double.class) return number(value).doubleValue();
        if (raw == Float.class || raw == float.class) return number(value).floatValue();
        if (raw == Short.class || raw == short.class) return number(value).shortValue();
        if (raw == Byte.class || raw == byte.class) return number(value).byteValue();
        if (raw == BigDecimal.class) return new BigDecimal(number(value).toString());
        if (raw == BigInteger.class) return new BigInteger(number(value).toString());
        if (raw == Boolean.class || raw == boolean.class) {
            if (value instanceof Boolean) return value;
            if (value instanceof String) return Boolean.parseBoolean((String) value);
            throw mismatch(value, raw);
        }
        if (raw.isEnum()) return enumValue(raw, value);
        if (Map.class.isAssignableFrom(raw)) return map(value, type);
        if (Collection.class.isAssignableFrom(raw)) return collection(value, type, raw);
        if (raw.isArray()) return array(value, raw.getComponentType());
        if (value instanceof Map<?, ?>) return raw.isRecord() ? record(raw, (Map<?, ?>) value) : bean(raw, (Map<?, ?>) value);
        throw mismatch(value, raw);
    }

    static Class<?> rawClass(Type type) {
        if (type instanceof Class<?>) return (Class<?>) type;
        if (type instanceof ParameterizedType) return (Class<?>) ((ParameterizedType) type).getRawType();
        if (type instanceof WildcardType) return rawClass(((WildcardType) type).getUpperBounds()[0]);
        return Object.class; // type variables: take the value as parsed
    }

    private static Type typeArg(Type type, int i) {
        if (type instanceof ParameterizedType) return ((ParameterizedType) type).getActualTypeArguments()[i];
        return Object.class;
    }

    private static Number number(Object value) {
        if (value instanceof Number) return (Number) value;
        if (value instanceof String) {
            try {
                return new BigDecimal(((String) value).trim());
            } catch (NumberFormatException ex) {
                // fall through
            }
        }
        throw mismatch(value, Number.class);
    }

    private static IllegalArgumentException mismatch(Object value, Class<?> target) {
        return new IllegalArgumentException("Cannot deserialize value of type " + target.getName() + " from " + describe(value));
    }

    private static String describe(Object value) {
        if (value instanceof Map) return "a JSON object";
        if (value instanceof List) return "a JSON array";
        if (value instanceof String) return "a JSON string";
        if (value instanceof Number) return "a JSON number";
        return "JSON " + value;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumValue(Class<?> raw, Object value) {
        return Enum.valueOf((Class<? extends Enum>) raw, String.valueOf(value));
    }

    private static Map<Object, Object> map(Object value, Type type) {
        if (!(value instanceof Map<?, ?>)) throw mismatch(value, Map.class);
        Type valueType = typeArg(type, 1);
        Map<Object, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) out.put(e.getKey(), to(e.getValue(), valueType));
        return out;
    }

    private static Collection<Object> collection(Object value, Type type, Class<?> raw) {
        if (!(value instanceof List<?>)) throw mismatch(value, raw);
        Collection<Object> out = Set.class.isAssignableFrom(raw) ? new HashSet<>() : new ArrayList<>();
        Type item = typeArg(type, 0);
        for (Object v : (List<?>) value) out.add(to(v, item));
        return out;
    }

    private static Object array(Object value, Class<?> component) {
        if (!(value instanceof List<?>)) throw mismatch(value, Array.newInstance(component, 0).getClass());
        List<?> list = (List<?>) value;
        Object out = Array.newInstance(component, list.size());
        for (int i = 0; i < list.size(); i++) Array.set(out, i, to(list.get(i), component));
        return out;
    }

    private static Object record(Class<?> raw, Map<?, ?> value) {
        RecordComponent[] parts = raw.getRecordComponents();
        Class<?>[] types = new Class<?>[parts.length];
        Object[] args = new Object[parts.length];
        for (int i = 0; i < parts.length; i++) {
            types[i] = parts[i].getType();
            Object v = value.get(parts[i].getName());
            args[i] = v == null && types[i].isPrimitive() ? Array.get(Array.newInstance(types[i], 1), 0) : to(v, parts[i].getGenericType());
        }
        try {
            Constructor<?> c = raw.getDeclaredConstructor(types);
            c.setAccessible(true);
            return c.newInstance(args);
        } catch (ReflectiveOperationException ex) {
            throw new IllegalArgumentException("Cannot construct " + raw.getName() + ": " + ex);
        }
    }

    private static Object bean(Class<?> raw, Map<?, ?> value) {
        Object target;
        try {
            Constructor<?> c = raw.getDeclaredConstructor();
            c.setAccessible(true);
            target = c.newInstance();
        } catch (ReflectiveOperationException ex) {
            throw new IllegalArgumentException("Cannot construct instance of " + raw.getName() + " (no default constructor)");
        }
        for (Map.Entry<?, ?> e : value.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (!name.isEmpty()) set(target, raw, name, e.getValue());
        }
        return target;
    }

    private static void set(Object target, Class<?> raw, String name, Object value) {
        String setter = "set" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
        for (Method m : raw.getMethods()) {
            if (m.getName().equals(setter) && m.getParameterCount() == 1 && !Modifier.isStatic(m.getModifiers())) {
                try {
                    m.setAccessible(true);
                    m.invoke(target, to(value, m.getGenericParameterTypes()[0]));
                    return;
                } catch (ReflectiveOperationException ex) {
                    throw new IllegalArgumentException("Cannot set " + name + " on " + raw.getName() + ": " + ex.getCause());
                }
            }
        }
        for (Class<?> c = raw; c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                if (Modifier.isStatic(f.getModifiers()) || Modifier.isFinal(f.getModifiers())) return;
                f.setAccessible(true);
                f.set(target, to(value, f.getGenericType()));
                return;
            } catch (NoSuchFieldException ex) {
                // look in the superclass
            } catch (IllegalAccessException ex) {
                return;
            }
        }
        // unknown property: ignored
    }

    /** Lets a String parameter take any event: a JSON string as its value, anything else as JSON text. */
    static final class JsonText {
        static String of(Object value) {
            try {
                return Json.write(value);
            } catch (Json.MarshalException ex) {
                return String.valueOf(value);
            }
        }
    }
}
