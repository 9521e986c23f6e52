package io.stampede.system;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A body template: text with placeholders the publisher fills per message. {@code {id}} the
 * correlation id ({@code <run prefix>-<10 digits>}), {@code {seq}} the sequence number (right-aligned
 * in 10 characters with leading spaces: a valid JSON number), {@code {sent_at}} the intended send
 * time in epoch microseconds (16 characters, leading spaces), {@code {symbol}} the message's symbol,
 * {@code {side}} buy or sell (alternating per round of symbols), {@code {pad}} x's up to the
 * configured size. Every slot has a fixed width, so a template compiles once into fixed bytes and
 * slots (loadgen's {@code PayloadTemplate}) and a message costs one copy plus digit writes.
 * Anything else in braces is text ({@code {"a":1}} is JSON, not a placeholder); {@code {name}}
 * with an unknown lower-case name is a problem.
 */
public final class Template {
    public static final Set<String> PLACEHOLDERS = Set.of("id", "seq", "sent_at", "symbol", "side", "pad");
    /** Characters of {@code {seq}} and {@code {sent_at}}: every renderer of a template uses these widths. */
    public static final int SEQ_WIDTH = 10;
    public static final int SENT_AT_WIDTH = 16;
    private static final Pattern SLOT = Pattern.compile("\\{([a-z_]+)\\}");

    private Template() {}

    /** Problems with {@code text} as a template (unknown placeholders), each prefixed by {@code key}. */
    public static List<String> problems(String key, String text) {
        List<String> out = new ArrayList<>();
        Matcher m = SLOT.matcher(text);
        int pads = 0;
        while (m.find()) {
            if (!PLACEHOLDERS.contains(m.group(1))) {
                out.add(key + ": unknown placeholder {" + m.group(1) + "}; known: {id} {seq} {sent_at} {symbol} {side} {pad}");
            }
            if (m.group(1).equals("pad")) {
                pads++;
            }
        }
        if (pads > 1) {
            out.add(key + ": {pad} may appear once");
        }
        return out;
    }

    public static boolean uses(String text, String placeholder) {
        return text.contains("{" + placeholder + "}");
    }

    /**
     * One message's text, slots at their fixed widths (as the publisher writes them): for probes,
     * HTTP requests and anything that is not the allocation-free publishing path.
     *
     * @param padTo total length in bytes when the template has {@code {pad}} (0: no padding)
     */
    public static String render(String text, String id, long seq, String symbol, boolean buy, long sentAtMicros, int padTo) {
        String filled = text.replace("{id}", id).replace("{seq}", rightAligned(seq, SEQ_WIDTH))
                .replace("{sent_at}", rightAligned(sentAtMicros, SENT_AT_WIDTH)).replace("{symbol}", symbol).replace("{side}", buy ? "buy" : "sell");
        if (!filled.contains("{pad}")) {
            return filled;
        }
        int room = padTo - (filled.getBytes(java.nio.charset.StandardCharsets.UTF_8).length - "{pad}".length());
        return filled.replace("{pad}", "x".repeat(Math.max(0, room)));
    }

    private static String rightAligned(long v, int width) {
        String s = Long.toString(Math.max(0, v));
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
