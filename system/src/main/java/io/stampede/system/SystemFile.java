package io.stampede.system;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Every assumption Stampede makes about the system under test, from one file the user writes
 * (YAML or JSON; reference: {@code docs/system-file.md}). Required: {@code nats.url},
 * {@code traffic}, {@code outcomes}; an absent optional section is null and turns its feature off
 * (no backlog watch, no SUT counters, no targets, no HTTP load) — never a demo default.
 *
 * <p>Read through {@link #load(Path, Map)}, which validates the whole file and reports every
 * problem with its key path ({@link InvalidSystemFile}).
 */
public record SystemFile(String name, Nats nats, Traffic traffic, Outcomes outcomes, Backlog backlog, Metrics metrics,
                         Map<String, Object> targets, Http http, Path source) {

    /** Set on every probe message of {@code stampede check}, so a system (or its logs) can tell them apart. */
    public static final String PROBE_HEADER = "Stampede-Probe";
    /** The header every message and request of an experiment carries (its id): what per-experiment counts rely on. */
    public static final String EXPERIMENT_HEADER = "Stampede-Experiment";

    public SystemFile {
        targets = targets == null ? null : ordered(targets);
    }

    /** Reads, expands {@code ${VAR}} from {@code env}, validates; every problem at once. */
    public static SystemFile load(Path file, Map<String, String> env) throws InvalidSystemFile {
        return SystemFileParser.load(file, env);
    }

    /** Where the demo's file is built into the jar (a copy of deploy/systems/demo.yaml). */
    public static final String DEMO_RESOURCE = "/io/stampede/system/demo.yaml";

    /** The demo stack's own file, the default when no system file is given. */
    public static SystemFile demo(Map<String, String> env) throws InvalidSystemFile {
        try (java.io.InputStream in = SystemFile.class.getResourceAsStream(DEMO_RESOURCE)) {
            if (in == null) {
                throw new InvalidSystemFile("demo", List.of("the demo's system file is missing from the jar (" + DEMO_RESOURCE + ")"));
            }
            return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), Path.of("demo.yaml"), env);
        } catch (java.io.IOException e) {
            throw new InvalidSystemFile("demo", List.of("cannot read the demo's system file: " + e.getMessage()));
        }
    }

    /** The same from text (tests, GET /system round trips); {@code source} names it in problems. */
    public static SystemFile parse(String text, Path source, Map<String, String> env) throws InvalidSystemFile {
        return SystemFileParser.parse(text, source, env);
    }

    /**
     * @param url        the client URL (required)
     * @param monitorUrl the server's HTTP monitor ({@code /jsz}, {@code /varz}), optional
     * @param servers    a cluster's nodes, optional (empty: one server)
     * @param token      auth token, optional (masked in {@link #describe()})
     * @param creds      a credentials file, optional
     * @param tls        client TLS files, optional
     */
    public record Nats(String url, String monitorUrl, List<Server> servers, String token, String creds, Tls tls) {
        public Nats {
            servers = List.copyOf(servers);
        }
    }

    public record Server(String name, String url, String monitorUrl) { }

    public record Tls(String ca, String cert, String key) { }

    public enum Via { NATS, HTTP }

    public enum Mode { JETSTREAM, CORE }

    /**
     * The baseline: what backpressure multiplies and duplicate_messages duplicates.
     *
     * @param rate    messages per second
     * @param via     NATS (publish) or HTTP (each message a request to {@code http.url})
     * @param subject subject pattern, {@code {symbol}} replaced by each symbol in turn
     * @param symbols values of {@code {symbol}} (round robin)
     * @param mode    JetStream (publish acks) or core NATS
     * @param headers fixed headers of every message
     * @param body    body template ({@link Template}); null: the demo's trading signal
     * @param id      where the correlation id is written
     * @param size    body size in bytes when the body has {@code {pad}}; null: no padding
     */
    public record Traffic(double rate, Via via, String subject, List<String> symbols, Mode mode, Map<String, String> headers,
                          String body, IdPlace id, Integer size) {
        public Traffic {
            symbols = List.copyOf(symbols);
            headers = ordered(headers);
        }
    }

    /**
     * What the system produces per message.
     *
     * @param subject a core subscription filter (or null)
     * @param stream  the JetStream stream holding the outcomes (or null): read from the stream
     * @param id      where the correlation id is
     * @param sentAt  where the outcome copies the message's {@code {sent_at}} (end-to-end latency), optional
     * @param rules   what a valid outcome looks like (an outcome breaking one is invalid)
     */
    public record Outcomes(String subject, String stream, IdPlace id, IdPlace sentAt, List<Rule> rules) {
        public Outcomes {
            rules = List.copyOf(rules);
        }
    }

    /** One outcome rule: the value at {@code path} is one of {@code in}, or the body matches {@code regex}. */
    public record Rule(String path, List<String> in, Pattern regex) {
        public Rule {
            in = in == null ? null : List.copyOf(in);
        }
    }

    /** The consumer whose backlog "overdue" watches; {@code target} names it among {@code targets}. */
    public record Backlog(String stream, String consumer, String target) { }

    /** Prometheus endpoints and the counters summed over them. */
    public record Metrics(List<URI> scrape, List<String> errors, List<String> processed, List<String> requests,
                          List<String> duplicatesDetected) {
        public Metrics {
            scrape = List.copyOf(scrape);
            errors = List.copyOf(errors);
            processed = List.copyOf(processed);
            requests = List.copyOf(requests);
            duplicatesDetected = List.copyOf(duplicatesDetected);
        }
    }

    /** The HTTP front door: load_test, {@code mvn gatling:test}, {@code traffic.via: http}. */
    public record Http(URI url, String method, Map<String, String> headers, String body, IdPlace id, List<Integer> accepted) {
        public Http {
            headers = ordered(headers);
            accepted = List.copyOf(accepted);
        }
    }

    /**
     * The resolved file as plain maps and lists (GET /system), defaults filled in, secrets masked:
     * {@code nats.token}, and header values whose name says authorization, token, secret or key.
     */
    public Map<String, Object> describe() {
        return SystemFileParser.describe(this);
    }

    /** Header values a describe() masks. */
    static boolean secretHeader(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        return n.contains("authorization") || n.contains("token") || n.contains("secret") || n.contains("key")
                || n.contains("cookie");
    }

    static Map<String, Object> map() {
        return new LinkedHashMap<>();
    }

    /** An unmodifiable copy in the file's order (Map.copyOf's order is not the file's and changes between runs). */
    private static <V> Map<String, V> ordered(Map<String, V> m) {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
