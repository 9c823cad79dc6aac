package io.assay.framework.serve;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Typed reads of request fields: a field of the wrong type is refused with a message naming it (400), never read as
 * a default or coerced ({@code "seed": "abc"} is not a random seed, {@code "width": 64.5} is not 64).
 */
final class Fields {

    private Fields() {
    }

    /** A string field, or null when absent or JSON null. */
    static String string(JsonNode n, String f) {
        JsonNode v = present(n, f);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw wrong(f, "a string", v);
        }
        return v.textValue();
    }

    /** A whole-number field that fits a 64-bit signed integer (seeds above 2^63−1 are refused), or null. */
    static Long integer(JsonNode n, String f) {
        JsonNode v = present(n, f);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber()) {
            throw wrong(f, "an integer", v);
        }
        if (!v.canConvertToLong()) {
            throw new IllegalArgumentException("field '" + f + "' must be an integer in [-2^63, 2^63-1], found "
                    + v.asText());
        }
        return v.longValue();
    }

    /** A whole-number field that fits a 32-bit signed integer, or null. */
    static Integer int32(JsonNode n, String f) {
        JsonNode v = present(n, f);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber()) {
            throw wrong(f, "an integer", v);
        }
        if (!v.canConvertToInt()) {
            throw new IllegalArgumentException("field '" + f + "' must be an integer in [-2^31, 2^31-1], found "
                    + v.asText());
        }
        return v.intValue();
    }

    /** A finite number field, or null. */
    static Double number(JsonNode n, String f) {
        JsonNode v = present(n, f);
        if (v == null) {
            return null;
        }
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw wrong(f, "a finite number", v);
        }
        return v.doubleValue();
    }

    /** An object field, or null. */
    static JsonNode object(JsonNode n, String f) {
        JsonNode v = present(n, f);
        if (v != null && !v.isObject()) {
            throw wrong(f, "an object", v);
        }
        return v;
    }

    /** The first element of an array-of-strings field, or null when absent or empty. */
    static String firstString(JsonNode n, String f) {
        JsonNode v = present(n, f);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw wrong(f, "an array of strings", v);
        }
        if (v.isEmpty()) {
            return null;
        }
        if (!v.get(0).isTextual()) {
            throw wrong(f + "[0]", "a string", v.get(0));
        }
        return v.get(0).textValue();
    }

    private static JsonNode present(JsonNode n, String f) {
        JsonNode v = n.get(f);
        return v == null || v.isNull() ? null : v;
    }

    private static IllegalArgumentException wrong(String f, String expected, JsonNode v) {
        String type = v.isTextual() ? "string" : v.isArray() ? "array" : v.isObject() ? "object" : v.isBoolean()
                ? "boolean" : v.isNumber() ? "number" : v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        String shown = v.toString();
        if (shown.length() > 40) {
            shown = shown.substring(0, 37) + "...";
        }
        return new IllegalArgumentException("field '" + f + "' must be " + expected + ", found " + type + " "
                + shown);
    }
}
