package io.stampede.chaos;

import io.stampede.chaos.ChaosConfig.MetricRef;
import io.stampede.loadgen.LoadGenConfig;
import io.stampede.loadgen.MessageShape;
import io.stampede.loadgen.PublishMode;
import io.stampede.loadgen.VerifierConfig;
import io.stampede.system.SystemFile;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The system under test as the chaos API acts on it, read once from the system file: what the
 * baseline publishes, where the verifier reads outcomes, which backlog "overdue" watches, which
 * counters are sampled. {@code file} is what GET /system shows.
 *
 * @param file           the system file
 * @param subject        baseline subject pattern ({@code {symbol}} replaced)
 * @param symbols        values of {@code {symbol}}
 * @param mode           JetStream or core publishing
 * @param shape          body template, id place, fixed headers
 * @param payloadSize    body size when the body pads
 * @param verifier       outcome subject and id place (grace 30 s: the baseline's)
 * @param backlogStream  stream of the consumer whose backlog is watched, null: no backlog watch
 * @param backlogConsumer its durable consumer
 * @param counters       SUT counters sampled into counters.jsonl once a second
 * @param overrides      the environment variables that overrode a key of the file (key → variable)
 */
public record SystemUnderTest(SystemFile file, String subject, List<String> symbols, PublishMode mode, MessageShape shape,
                              int payloadSize, VerifierConfig verifier, String backlogStream, String backlogConsumer,
                              List<MetricRef> counters, Map<String, String> overrides) {
    /** Each environment variable that still describes the system, and the key it overrides (docs/system-file.md). */
    public static final Map<String, String> OVERRIDES = orderedMap(
            "STAMPEDE_NATS_URL", "nats.url",
            "STAMPEDE_NATS_MONITOR_URL", "nats.monitor_url",
            "STAMPEDE_BASELINE_RATE", "traffic.rate",
            "STAMPEDE_TARGETS_FILE", "targets",
            "STAMPEDE_WEBHOOK_URL", "http.url",
            "STAMPEDE_ERROR_METRICS", "metrics.errors",
            "STAMPEDE_REQUEST_METRICS", "metrics.requests",
            "STAMPEDE_SUT_METRICS", "metrics (all counters sampled)",
            "STAMPEDE_SUT_STREAM", "backlog.stream",
            "STAMPEDE_SUT_CONSUMER", "backlog.consumer");

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
    /** How long after its send an outcome of the baseline may arrive before its id counts as lost. */
    static final Duration BASELINE_GRACE = Duration.ofSeconds(30);

    public SystemUnderTest {
        symbols = List.copyOf(symbols);
        counters = List.copyOf(counters);
        overrides = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
    }

    SystemUnderTest withCounters(List<MetricRef> c) {
        return new SystemUnderTest(file, subject, symbols, mode, shape, payloadSize, verifier, backlogStream, backlogConsumer, c, overrides);
    }

    /**
     * From a system file; {@code sutMetrics}, {@code backlogStream}/{@code backlogConsumer} (when
     * non-null) are the user's environment overrides (STAMPEDE_SUT_METRICS, STAMPEDE_SUT_STREAM,
     * STAMPEDE_SUT_CONSUMER).
     */
    static SystemUnderTest of(SystemFile f, Map<String, String> env, List<MetricRef> sutMetrics, String backlogStream,
                              String backlogConsumer) {
        SystemFile.Traffic t = f.traffic();
        SystemFile.Outcomes o = f.outcomes();
        VerifierConfig v = VerifierConfig.of(o).withGrace(BASELINE_GRACE);
        List<MetricRef> counters = sutMetrics;
        if (counters == null) {
            counters = new ArrayList<>();
            if (f.metrics() != null) {
                List<String> names = new ArrayList<>(f.metrics().requests());
                names.addAll(f.metrics().processed());
                names.addAll(f.metrics().duplicatesDetected());
                names.addAll(f.metrics().errors());
                counters.addAll(refs(f.metrics().scrape(), names.stream().distinct().toList()));
            }
        }
        String stream = backlogStream != null ? backlogStream : f.backlog() == null ? null : f.backlog().stream();
        String consumer = backlogConsumer != null ? backlogConsumer : f.backlog() == null ? null : f.backlog().consumer();
        return new SystemUnderTest(f, t.subject(), t.symbols(), t.mode() == SystemFile.Mode.CORE ? PublishMode.CORE : PublishMode.JETSTREAM,
                MessageShape.of(t), t.size() == null ? LoadGenConfig.DEFAULT_PAYLOAD_SIZE : t.size(), v, stream, consumer, counters,
                overridesIn(env));
    }

    private static Map<String, String> overridesIn(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        OVERRIDES.forEach((var, key) -> {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                out.put(key, var);
            }
        });
        return out;
    }

    /**
     * GET /system: the resolved file, secrets masked, with the values the chaos API really uses
     * where an environment variable overrode a key, and which ones did.
     */
    public Map<String, Object> view(ChaosConfig cfg) {
        Map<String, Object> out = file.describe();
        @SuppressWarnings("unchecked")
        Map<String, Object> nats = (Map<String, Object>) out.computeIfAbsent("nats", k -> new LinkedHashMap<>());
        nats.put("url", cfg.natsUrl());
        @SuppressWarnings("unchecked")
        Map<String, Object> traffic = (Map<String, Object>) out.computeIfAbsent("traffic", k -> new LinkedHashMap<>());
        traffic.put("rate", cfg.baselineRate());
        out.put("overrides", overrides);
        out.put("targets_in_use", new ArrayList<>(cfg.serviceTargets().targets().keySet()));
        out.put("counters_sampled", counters.stream().map(r -> r.url() + "#" + r.metric()).toList());
        out.put("backlog_watched", backlogStream == null ? null : backlogStream + "/" + backlogConsumer);
        return out;
    }

    /** Every named counter on every scrape endpoint (a counter absent from an endpoint reads as absent, not 0). */
    static List<MetricRef> refs(List<URI> scrape, List<String> names) {
        List<MetricRef> out = new ArrayList<>();
        for (URI u : scrape) {
            for (String n : names) {
                out.add(new MetricRef(u, n));
            }
        }
        return out;
    }

    /**
     * The file on disk the simulation reads ({@code -Dsystem}) for load tests, or null: the demo's
     * built-in file (its requests are the demo's webhook).
     */
    public java.nio.file.Path systemPath() {
        if (file.source() == null || !file.source().isAbsolute() || file.http() == null) {
            return null;
        }
        return java.nio.file.Files.isReadable(file.source()) ? file.source() : null;
    }

    /** Problems with a file this version cannot act on yet (the chaos API refuses to start; check fails on them). */
    public static List<String> unsupported(SystemFile f) {
        List<String> p = new ArrayList<>();
        if (f.traffic().via() == SystemFile.Via.HTTP) {
            p.add("traffic.via: http is not supported by this version of the chaos API yet; use nats");
        }
        if (f.nats().token() != null || f.nats().creds() != null || f.nats().tls() != null) {
            p.add("nats: token, creds and tls are not supported by this version of the chaos API yet");
        }
        return p;
    }
}
