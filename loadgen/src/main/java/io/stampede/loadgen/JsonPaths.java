package io.stampede.loadgen;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Values at a dotted path ({@code order.ref}) in a JSON body, read with a streaming parser: no
 * tree, and the parse stops at the value. Used for ids and send times deeper than one key (the
 * one-key case keeps the verifier's byte scan).
 */
final class JsonPaths {
    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonPaths() {}

    /** The scalar at {@code path} as text, or null (absent, not a scalar, not JSON). */
    static String text(byte[] body, String[] path) {
        try (JsonParser p = FACTORY.createParser(body)) {
            return seek(p, path, 0) && p.currentToken().isScalarValue() ? p.getValueAsString() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The number at {@code path} (a number or a numeric string), or 0. */
    static long number(byte[] body, String[] path) {
        try (JsonParser p = FACTORY.createParser(body)) {
            if (!seek(p, path, 0)) {
                return 0;
            }
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                return p.getValueAsLong();
            }
            return t == JsonToken.VALUE_STRING ? Long.parseLong(p.getText().trim()) : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Moves {@code p} onto the value at path[depth..] of the object that starts next. */
    private static boolean seek(JsonParser p, String[] path, int depth) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return false;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (name.equals(path[depth])) {
                if (depth == path.length - 1) {
                    p.nextToken();
                    return true;
                }
                return seek(p, path, depth + 1);
            }
            p.nextToken();
            p.skipChildren();
        }
        return false;
    }
}
