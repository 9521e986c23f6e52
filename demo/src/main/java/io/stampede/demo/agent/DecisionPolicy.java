package io.stampede.demo.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns a signal into a trading decision. Deterministic: the same signal always yields the same
 * action, so a reprocessed signal could be compared with its first decision.
 */
final class DecisionPolicy {
    private static final Pattern SYMBOL = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    record Decision(String action, String reason, double notional) {}

    private final double maxNotional;

    DecisionPolicy(double maxNotional) {
        this.maxNotional = maxNotional;
    }

    /** @throws IllegalArgumentException naming the field when the signal cannot be decided on */
    Decision decide(JsonNode signal) {
        String symbol = text(signal, "symbol");
        if (symbol == null || !SYMBOL.matcher(symbol).matches()) {
            throw new IllegalArgumentException("symbol missing or invalid");
        }
        String side = text(signal, "side");
        if (side == null) {
            throw new IllegalArgumentException("side missing");
        }
        side = side.toLowerCase(Locale.ROOT);
        if (!side.equals("buy") && !side.equals("sell")) {
            throw new IllegalArgumentException("side must be buy or sell");
        }
        double price = positive(signal, "price");
        double quantity = positive(signal, "quantity");
        double notional = price * quantity;
        if (notional > maxNotional) {
            return new Decision("reject", "notional " + notional + " above limit " + maxNotional, notional);
        }
        return new Decision(side.equals("buy") ? "execute_buy" : "execute_sell", "within limits", notional);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    private static double positive(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isNumber() || !(v.asDouble() > 0) || Double.isInfinite(v.asDouble())) {
            throw new IllegalArgumentException(field + " must be a number > 0");
        }
        return v.asDouble();
    }
}
