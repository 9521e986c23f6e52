package io.stampede.system;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Where a correlation id is written (traffic, http) or read (outcomes): {@code json:<dotted.path>}
 * in a JSON body, or {@code header:<Name>} in a NATS or HTTP header.
 *
 * @param kind JSON or HEADER
 * @param key  the dotted path (JSON) or the header name
 */
public record IdPlace(Kind kind, String key) {
    public enum Kind { JSON, HEADER }

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_$@-]+");
    private static final Pattern HEADER = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    static final String EXPECTED = "expected json:<path> or header:<name>";

    /** The syntax, or null when {@code s} is not an id place (the caller reports {@link #EXPECTED}). */
    public static IdPlace parseOrNull(String s) {
        if (s == null) {
            return null;
        }
        if (s.startsWith("json:")) {
            String path = s.substring(5);
            for (String seg : path.split("\\.", -1)) {
                if (!SEGMENT.matcher(seg).matches()) {
                    return null;
                }
            }
            return new IdPlace(Kind.JSON, path);
        }
        if (s.startsWith("header:")) {
            String name = s.substring(7);
            return HEADER.matcher(name).matches() ? new IdPlace(Kind.HEADER, name) : null;
        }
        return null;
    }

    /** The path's segments (JSON only). */
    public List<String> segments() {
        return List.of(key.split("\\."));
    }

    public boolean json() {
        return kind == Kind.JSON;
    }

    @Override
    public String toString() {
        return (kind == Kind.JSON ? "json:" : "header:") + key;
    }
}
