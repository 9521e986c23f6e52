package io.stampede.demo;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Configuration of the demo system, read once from environment variables (and optionally a
 * properties file named by {@code DEMO_CONFIG}; the environment wins). Every key and its default
 * is listed here and in demo/README.md.
 *
 * <p>{@code signalsMaxMsgs} / {@code signalsMaxBytes} bound the SIGNALS stream with
 * {@code DiscardPolicy.New}: at the limit a publish fails and the gateway answers 503
 * {@code stream_full} instead of accepting a signal the stream would later drop. The stream keeps
 * every signal (acked or not) for {@code streamMaxAge}, so the limit counts them all.
 *
 * <p>{@code decisionsDuplicateWindow} defaults to {@code processedTtl} (capped at
 * {@code streamMaxAge}: the server refuses a window longer than the stream's max age): a decision
 * republished after an agent crash is dropped by DECISIONS as long as the agent comes back within
 * that window.
 */
public record DemoConfig(
        String natsUrl,
        String httpHost,
        int gatewayPort,
        int agentPort,
        String signalsStream,
        String signalsSubjectPrefix,
        Duration signalsDuplicateWindow,
        long signalsMaxMsgs,
        long signalsMaxBytes,
        String decisionsStream,
        String decisionsSubjectPrefix,
        Duration decisionsDuplicateWindow,
        Duration streamMaxAge,
        long streamMaxBytes,
        String agentDurable,
        Duration agentAckWait,
        String processedBucket,
        Duration processedTtl,
        Duration publishTimeout,
        double maxNotional) {

    public static final String DEFAULT_NATS_URL = "nats://127.0.0.1:4222";
    public static final long DEFAULT_STREAM_MAX_BYTES = 2L << 30;
    /** A day of the chaos API's 100 msg/s baseline (8.64 M) fits, with room for load tests. */
    public static final long DEFAULT_SIGNALS_MAX_MSGS = 20_000_000;
    public static final long DEFAULT_SIGNALS_MAX_BYTES = DEFAULT_STREAM_MAX_BYTES;
    public static final int DEFAULT_PROCESSED_TTL_S = 86_400;
    public static final int DEFAULT_STREAM_MAX_AGE_S = 86_400;

    public static DemoConfig defaults() {
        return fromMap(Map.of());
    }

    /** Environment variables, over the optional {@code DEMO_CONFIG} properties file. */
    public static DemoConfig load(Map<String, String> env) {
        Map<String, String> merged = new HashMap<>();
        String file = env.get("DEMO_CONFIG");
        if (file != null && !file.isBlank()) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(Path.of(file))) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read DEMO_CONFIG " + file, e);
            }
            p.forEach((k, v) -> merged.put(k.toString(), v.toString()));
        }
        merged.putAll(env);
        return fromMap(merged);
    }

    public static DemoConfig fromMap(Map<String, String> m) {
        Settings s = new Settings(m);
        Duration maxAge = Duration.ofSeconds(s.integer("STREAM_MAX_AGE_S", DEFAULT_STREAM_MAX_AGE_S));
        long streamMaxBytes = s.longValue("STREAM_MAX_BYTES", DEFAULT_STREAM_MAX_BYTES);
        Duration processedTtl = Duration.ofSeconds(s.integer("PROCESSED_TTL_S", DEFAULT_PROCESSED_TTL_S));
        Duration decisionsWindowDefault = processedTtl.compareTo(maxAge) <= 0 || maxAge.isZero() ? processedTtl : maxAge;
        return new DemoConfig(
                s.str("NATS_URL", DEFAULT_NATS_URL),
                s.str("DEMO_HTTP_HOST", "127.0.0.1"),
                s.integer("GATEWAY_PORT", 8001),
                s.integer("AGENT_PORT", 8002),
                s.str("SIGNALS_STREAM", "SIGNALS"),
                s.str("SIGNALS_SUBJECT_PREFIX", "signals"),
                s.millis("SIGNALS_DUPLICATE_WINDOW_MS", 120_000),
                s.longValue("SIGNALS_MAX_MSGS", DEFAULT_SIGNALS_MAX_MSGS),
                s.longValue("SIGNALS_MAX_BYTES", m.containsKey("STREAM_MAX_BYTES") ? streamMaxBytes : DEFAULT_SIGNALS_MAX_BYTES),
                s.str("DECISIONS_STREAM", "DECISIONS"),
                s.str("DECISIONS_SUBJECT_PREFIX", "decisions"),
                s.millis("DECISIONS_DUPLICATE_WINDOW_MS", decisionsWindowDefault.toMillis()),
                maxAge,
                streamMaxBytes,
                s.str("AGENT_DURABLE", "agent"),
                s.millis("AGENT_ACK_WAIT_MS", 30_000),
                s.str("PROCESSED_BUCKET", "processed-signals"),
                processedTtl,
                s.millis("PUBLISH_TIMEOUT_MS", 5_000),
                s.dbl("AGENT_MAX_NOTIONAL", 1_000_000));
    }

    /** Typed reads with the key named in every error. */
    private record Settings(Map<String, String> m) {
        String str(String key, String def) {
            String v = m.get(key);
            return v == null || v.isBlank() ? def : v.trim();
        }

        int integer(String key, int def) {
            return (int) longValue(key, def);
        }

        long longValue(String key, long def) {
            String v = str(key, null);
            if (v == null) {
                return def;
            }
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'");
            }
        }

        double dbl(String key, double def) {
            String v = str(key, null);
            if (v == null) {
                return def;
            }
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a number, got '" + v + "'");
            }
        }

        Duration millis(String key, long def) {
            return Duration.ofMillis(longValue(key, def));
        }
    }
}
