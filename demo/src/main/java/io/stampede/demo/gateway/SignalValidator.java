package io.stampede.demo.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Validates a trading-signal webhook body. Returns every problem, not just the first; unknown
 * fields (seq, sent_at, padding from load generators) are kept as they are.
 */
final class SignalValidator {
    /** A symbol becomes a NATS subject token: no dots, wildcards or spaces. */
    static final Pattern SYMBOL = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    /** Ids travel in the Nats-Msg-Id header: printable, no separators that break headers. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:=-]{0,127}");

    record Problem(String field, String problem) {}

    /** Either a normalized signal or the list of problems. */
    record Result(JsonObject signal, List<Problem> problems) {
        boolean ok() {
            return problems.isEmpty();
        }
    }

    private SignalValidator() {}

    static Result validate(Buffer body) {
        if (body == null || body.length() == 0) {
            return fail("body", "required: a JSON object");
        }
        Object parsed;
        try {
            parsed = Json.decodeValue(body);
        } catch (DecodeException e) {
            return fail("body", "not valid JSON");
        }
        if (!(parsed instanceof JsonObject signal)) {
            return fail("body", "must be a JSON object");
        }
        List<Problem> problems = new ArrayList<>();

        Object id = signal.getValue("id");
        if (id != null) {
            if (id instanceof Number n && (n instanceof Integer || n instanceof Long)) {
                signal.put("id", n.toString());
            } else if (!(id instanceof String s)) {
                problems.add(new Problem("id", "must be a string"));
            } else if (!ID.matcher(s).matches()) {
                problems.add(new Problem("id", "must match " + ID.pattern()));
            }
        }

        Object symbol = signal.getValue("symbol");
        if (symbol == null) {
            problems.add(new Problem("symbol", "required"));
        } else if (!(symbol instanceof String s) || !SYMBOL.matcher(s).matches()) {
            problems.add(new Problem("symbol", "must be a string matching " + SYMBOL.pattern()));
        }

        Object side = signal.getValue("side");
        if (side == null) {
            problems.add(new Problem("side", "required"));
        } else if (!(side instanceof String s)
                || !(s.equalsIgnoreCase("buy") || s.equalsIgnoreCase("sell"))) {
            problems.add(new Problem("side", "must be \"buy\" or \"sell\""));
        } else {
            signal.put("side", s.toLowerCase(Locale.ROOT));
        }

        positive(signal, "price", problems);
        positive(signal, "quantity", problems);

        Object ts = signal.getValue("timestamp");
        if (ts != null && !(ts instanceof String) && !(ts instanceof Number)) {
            problems.add(new Problem("timestamp", "must be a string or a number"));
        }
        return new Result(problems.isEmpty() ? signal : null, problems);
    }

    private static void positive(JsonObject signal, String field, List<Problem> problems) {
        Object v = signal.getValue(field);
        if (v == null) {
            problems.add(new Problem(field, "required"));
        } else if (!(v instanceof Number n)) {
            problems.add(new Problem(field, "must be a number"));
        } else {
            double d = n.doubleValue();
            if (!(d > 0) || Double.isInfinite(d)) {
                problems.add(new Problem(field, "must be > 0"));
            }
        }
    }

    private static Result fail(String field, String problem) {
        return new Result(null, List.of(new Problem(field, problem)));
    }
}
