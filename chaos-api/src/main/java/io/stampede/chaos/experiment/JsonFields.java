package io.stampede.chaos.experiment;

import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** Typed reads of one JSON object that record a problem instead of throwing ({@link SpecCodec}'s). */
final class JsonFields {
    final JsonObject body;
    final List<Problem> problems = new ArrayList<>();

    JsonFields(JsonObject body) {
        this.body = body;
    }

    String string(String key, String def, boolean required) {
        Object v = body.getValue(key);
        if (v == null) {
            if (required && def == null) {
                problems.add(new Problem(key, "required"));
            }
            return def;
        }
        if (!(v instanceof String s)) {
            problems.add(new Problem(key, "must be a string"));
            return def;
        }
        if (s.isEmpty() || s.length() > 2048) {
            problems.add(new Problem(key, "must be 1..2048 characters"));
            return def;
        }
        return s;
    }

    /** A NATS subject filter ({@code *} and a last {@code >} allowed), optional. */
    String subject(String key, String def) {
        String s = string(key, def, false);
        if (s == null || s.equals(def)) {
            return s;
        }
        List<String> p = io.stampede.proxy.api.MessageRule.subjectProblems(s);
        if (!p.isEmpty()) {
            problems.add(new Problem(key, String.join("; ", p)));
            return def;
        }
        return s;
    }

    String oneOf(String key, String def, List<String> allowed) {
        String s = string(key, def, def == null);
        if (s != null && !allowed.contains(s)) {
            problems.add(new Problem(key, "must be one of " + allowed));
            return def;
        }
        return s;
    }

    /** Integral values only (60 and 60.0 are fine, 60.5 and "60" are not). */
    int integer(String key, Integer def, int min, int max) {
        Object v = body.getValue(key);
        if (v == null) {
            if (def == null) {
                problems.add(new Problem(key, "required"));
                return min;
            }
            return def;
        }
        BigDecimal d = decimal(v);
        if (d == null) {
            problems.add(new Problem(key, "must be an integer"));
            return def == null ? min : def;
        }
        if (d.stripTrailingZeros().scale() > 0) {
            problems.add(new Problem(key, "must be an integer"));
            return def == null ? min : def;
        }
        if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
            problems.add(new Problem(key, "must be between " + min + " and " + max));
            return def == null ? min : def;
        }
        return d.intValueExact();
    }

    /** A number in range; {@code minInclusive} false means strictly above min. Max is inclusive. */
    double number(String key, Double def, double min, double max, boolean minInclusive) {
        Object v = body.getValue(key);
        if (v == null) {
            if (def == null) {
                problems.add(new Problem(key, "required"));
                return max;
            }
            return def;
        }
        BigDecimal d = decimal(v);
        if (d == null) {
            problems.add(new Problem(key, "must be a number"));
            return def == null ? max : def;
        }
        int lo = d.compareTo(BigDecimal.valueOf(min));
        if ((minInclusive ? lo < 0 : lo <= 0) || d.compareTo(BigDecimal.valueOf(max)) > 0) {
            problems.add(new Problem(key, "must be " + (minInclusive ? ">= " : "> ") + fmt(min) + " and <= " + fmt(max)));
            return def == null ? max : def;
        }
        return d.doubleValue();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static BigDecimal decimal(Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return BigDecimal.valueOf(((Number) v).longValue());
        }
        if (v instanceof BigInteger b) {
            return new BigDecimal(b);
        }
        if (v instanceof BigDecimal b) {
            return b;
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
        }
        return null;
    }
}
