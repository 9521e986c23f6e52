package io.stampede.chaos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A message received on {@code outcomes.subject} (an outcome, or a probe itself when the filter
 * also catches the traffic). Its body is parsed as JSON only when a check asks for it.
 *
 * @param nanos {@link System#nanoTime()} at arrival
 */
record ArrivedMessage(String subject, Headers headers, byte[] data, long nanos) {
    private static final ObjectMapper JSON = new ObjectMapper();

    String body() {
        return data == null ? "" : new String(data, StandardCharsets.UTF_8);
    }

    /** The body as JSON, or null when it is empty or not JSON. */
    JsonNode json() {
        if (data == null || data.length == 0) {
            return null;
        }
        try {
            return JSON.readTree(data);
        } catch (Exception e) {
            return null;
        }
    }

    /** The value at {@code segments} of the JSON body, or null. */
    JsonNode at(List<String> segments) {
        return at(json(), segments);
    }

    static JsonNode at(JsonNode n, List<String> segments) {
        for (String s : segments) {
            if (n == null || !n.isObject()) {
                return null;
            }
            n = n.get(s);
        }
        return n;
    }
}
