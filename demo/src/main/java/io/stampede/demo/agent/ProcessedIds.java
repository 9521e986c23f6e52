package io.stampede.demo.agent;

import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The business ids already turned into decisions. The JetStream key-value bucket is the truth
 * (it survives a kill -9 of the agent and is bounded by the bucket's TTL); a small LRU in front
 * saves the round trip for recent duplicates.
 */
final class ProcessedIds {
    private static final Pattern SAFE_KEY = Pattern.compile("[A-Za-z0-9_=-]{1,200}");
    private static final int LOCAL_CAPACITY = 100_000;

    private final KeyValue bucket;
    private final Map<String, Boolean> recent = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > LOCAL_CAPACITY;
        }
    };

    ProcessedIds(KeyValue bucket) {
        this.bucket = bucket;
    }

    boolean contains(String id) throws IOException, JetStreamApiException {
        if (recent.containsKey(id)) {
            return true;
        }
        if (bucket.get(key(id)) != null) {
            recent.put(id, Boolean.TRUE);
            return true;
        }
        return false;
    }

    void remember(String id, byte[] value) throws IOException, JetStreamApiException {
        bucket.put(key(id), value);
        recent.put(id, Boolean.TRUE);
    }

    /** KV keys allow few characters; anything else is encoded under a prefix raw ids cannot have. */
    static String key(String id) {
        if (SAFE_KEY.matcher(id).matches()) {
            return id;
        }
        return "x." + Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8));
    }
}
