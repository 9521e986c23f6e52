package io.stampede.chaos;

import io.stampede.chaos.experiment.Limits;
import io.stampede.chaos.experiment.TimeScale;
import io.stampede.chaos.servicefailure.TargetConfig;
import io.stampede.chaos.servicefailure.TargetsConfig;
import io.stampede.system.InvalidSystemFile;
import io.stampede.system.SystemFile;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The chaos API's configuration, read once from environment variables with named defaults.
 * Every key is documented in the README's "Configuration" section.
 *
 * @param host            bind address (loopback by default; anything else needs a token)
 * @param port            HTTP port, 0 for an ephemeral one
 * @param natsUrl         NATS of the system under test (health-checked as target "nats")
 * @param targets         service name → health URL; only these can be acted on
 * @param home            project root (the launcher lives here)
 * @param dataDir         journal and run directories
 * @param timeScale       multiplies every duration_s / start_after_s / guardrail window (tests)
 * @param apiToken        bearer token for mutations, null when none
 * @param allowNoToken    operator's explicit opt-out of the token on a non-loopback address
 * @param maxRps          load_test ceiling
 * @param baselineRate    loadgen baseline msg/s (backpressure multiplies it)
 * @param maxMessageRate  cap on baseline × active multipliers
 * @param webhookUrl      load_test default target
 * @param injectors       name of the {@link io.stampede.chaos.inject.InjectorFactory} to use
 * @param errorMetrics    counters summed as "errors" for abort_if.error_rate_pct
 * @param requestMetrics  counters summed as "requests" for abort_if.error_rate_pct
 * @param serviceTargets  what service_failure acts on (processes or containers); {@code targets} holds their health URLs
 * @param proxyAdminUrl   admin interface of the NATS latency proxy (nats_latency)
 * @param baseline        whether the chaos API publishes baseline traffic (backpressure, duplicate_messages act on it)
 * @param bounds          what keeps the API's own memory, disk and children bounded, and who may call it
 * @param baselineAgents  0: the baseline is published in this process; N &gt; 0: by N loadgen agents
 *                        ({@code loadgen agent}) found on {@code natsUrl} and driven by a coordinator here
 *                        ({@code STAMPEDE_BASELINE_AGENTS})
 * @param sut             the system under test, from the system file (STAMPEDE_SYSTEM, default the demo's)
 */
public record ChaosConfig(String host, int port, String natsUrl, Map<String, URI> targets, Path home, Path dataDir,
                          double timeScale, String apiToken, boolean allowNoToken, double maxRps, double baselineRate,
                          double maxMessageRate, String webhookUrl, String injectors,
                          List<MetricRef> errorMetrics, List<MetricRef> requestMetrics,
                          TargetsConfig serviceTargets, URI proxyAdminUrl, boolean baseline, Bounds bounds,
                          int baselineAgents, SystemUnderTest sut) {

    public static final int DEFAULT_PORT = 8008;
    public static final String SYSTEM_ENV = "STAMPEDE_SYSTEM";

    /** One counter on one Prometheus endpoint: {@code http://host:port/metrics#metric_name}. */
    public record MetricRef(URI url, String metric) {
        static MetricRef parse(String s) {
            int hash = s.indexOf('#');
            if (hash < 0) {
                throw new IllegalArgumentException("metric reference '" + s + "' must look like http://host:port/metrics#name");
            }
            return new MetricRef(URI.create(s.substring(0, hash).trim()), s.substring(hash + 1).trim());
        }
    }

    /**
     * Limits on growth and on who may drive the API (README "Limits").
     *
     * @param maxActive       scheduled + running experiments at once (429 beyond)
     * @param maxLoadTests    load_test experiments running at once: each is a Gatling JVM (~768 MiB)
     * @param maxHistory      finished experiments kept in memory and in the journal (oldest dropped)
     * @param runsRetained    run directories kept under runs/ (oldest finished removed)
     * @param allowedHosts    names besides loopback that a request's Host header may carry
     * @param loadTargets     the only URLs a load_test may aim at (the webhook by default)
     * @param minMessageRate  a baseline × multipliers below this is refused (the pacer would call it paused)
     */
    public record Bounds(int maxActive, int maxLoadTests, int maxHistory, int runsRetained, Set<String> allowedHosts,
                         List<String> loadTargets, double minMessageRate) {
        public Bounds {
            allowedHosts = Set.copyOf(allowedHosts);
            loadTargets = List.copyOf(loadTargets);
        }
    }

    public ChaosConfig {
        targets = Map.copyOf(new LinkedHashMap<>(targets));
        errorMetrics = List.copyOf(errorMetrics);
        requestMetrics = List.copyOf(requestMetrics);
        if (!(timeScale > 0) || timeScale > 1000) {
            throw new IllegalArgumentException("STAMPEDE_TIME_SCALE must be > 0 and <= 1000, got " + timeScale);
        }
    }

    /** Defaults for a test: loopback, ephemeral port, data under {@code dataDir}. */
    public static ChaosConfig forTest(String natsUrl, Map<String, URI> targets, Path dataDir, double timeScale) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("STAMPEDE_PORT", "0");
        env.put("STAMPEDE_NATS_URL", natsUrl);
        env.put("STAMPEDE_DATA_DIR", dataDir.toString());
        env.put("STAMPEDE_TIME_SCALE", Double.toString(timeScale));
        ChaosConfig base = fromEnv(env);
        URI gw = targets.getOrDefault("gateway", URI.create("http://127.0.0.1:8001/healthz"));
        Map<String, TargetConfig> processes = new LinkedHashMap<>();
        targets.forEach((name, health) -> processes.put(name, TargetsConfig.launcherProcess(name, health, Map.of())));
        return new ChaosConfig(base.host, base.port, natsUrl, targets, base.home, dataDir, timeScale, null, false,
                base.maxRps, base.baselineRate, base.maxMessageRate, webhookFor(gw), base.injectors,
                base.errorMetrics, base.requestMetrics, new TargetsConfig(processes, List.of()), base.proxyAdminUrl,
                false, bounds(env, webhookFor(gw)), base.baselineAgents, base.sut.withCounters(demoCounters(targets)));
    }

    /** The demo's counters on the gateway and agent named in {@code targets} (none when either is missing). */
    private static List<MetricRef> demoCounters(Map<String, URI> targets) {
        if (!(targets.containsKey("gateway") && targets.containsKey("agent"))) {
            return List.of();
        }
        URI gw = targets.get("gateway").resolve("/metrics");
        URI agent = targets.get("agent").resolve("/metrics");
        return List.of(new MetricRef(gw, "gateway_webhooks_received_total"), new MetricRef(gw, "gateway_validation_errors_total"),
                new MetricRef(agent, "mcp_signals_received_total"), new MetricRef(agent, "mcp_decisions_generated_total"),
                new MetricRef(agent, "mcp_duplicates_detected_total"), new MetricRef(agent, "mcp_errors_total"));
    }

    public ChaosConfig withInjectors(String name) {
        return new ChaosConfig(host, port, natsUrl, targets, home, dataDir, timeScale, apiToken, allowNoToken, maxRps,
                baselineRate, maxMessageRate, webhookUrl, name, errorMetrics, requestMetrics, serviceTargets, proxyAdminUrl,
                baseline, bounds, baselineAgents, sut);
    }

    /** Baseline traffic on at {@code rate} msg/s (tests). */
    public ChaosConfig withBaseline(double rate) {
        return new ChaosConfig(host, port, natsUrl, targets, home, dataDir, timeScale, apiToken, allowNoToken, maxRps,
                rate, maxMessageRate, webhookUrl, injectors, errorMetrics, requestMetrics, serviceTargets, proxyAdminUrl,
                true, bounds, baselineAgents, sut);
    }

    /** The baseline published by {@code n} load agents through a coordinator (0: in this process). */
    public ChaosConfig withBaselineAgents(int n) {
        return new ChaosConfig(host, port, natsUrl, targets, home, dataDir, timeScale, apiToken, allowNoToken, maxRps,
                baselineRate, maxMessageRate, webhookUrl, injectors, errorMetrics, requestMetrics, serviceTargets, proxyAdminUrl,
                baseline, bounds, n, sut);
    }

    public ChaosConfig withProxyAdmin(URI url) {
        return new ChaosConfig(host, port, natsUrl, targets, home, dataDir, timeScale, apiToken, allowNoToken, maxRps,
                baselineRate, maxMessageRate, webhookUrl, injectors, errorMetrics, requestMetrics, serviceTargets, url,
                baseline, bounds, baselineAgents, sut);
    }

    public ChaosConfig withSecurity(String bindHost, String token, boolean allowNoToken) {
        return new ChaosConfig(bindHost, port, natsUrl, targets, home, dataDir, timeScale, token, allowNoToken, maxRps,
                baselineRate, maxMessageRate, webhookUrl, injectors, errorMetrics, requestMetrics, serviceTargets,
                proxyAdminUrl, baseline, bounds, baselineAgents, sut);
    }

    /** Other health URLs and guardrail counters (tests). */
    public ChaosConfig withMetrics(Map<String, URI> healthUrls, List<MetricRef> errors, List<MetricRef> requests) {
        // a test configuration's SUT counters follow its gateway and agent, as forTest's do
        SystemUnderTest s = sut.withCounters(demoCounters(healthUrls));
        return new ChaosConfig(host, port, natsUrl, healthUrls, home, dataDir, timeScale, apiToken, allowNoToken, maxRps,
                baselineRate, maxMessageRate, webhookUrl, injectors, errors, requests, serviceTargets,
                proxyAdminUrl, baseline, bounds, baselineAgents, s);
    }

    /** The same configuration with other bounds (tests). */
    public ChaosConfig withBounds(Bounds b) {
        return new ChaosConfig(host, port, natsUrl, targets, home, dataDir, timeScale, apiToken, allowNoToken, maxRps,
                baselineRate, maxMessageRate, webhookUrl, injectors, errorMetrics, requestMetrics, serviceTargets,
                proxyAdminUrl, baseline, b, baselineAgents, sut);
    }

    static Bounds bounds(Map<String, String> env, String webhookUrl) {
        Set<String> hosts = new HashSet<>();
        for (String h : get(env, "STAMPEDE_ALLOWED_HOSTS", "").split(",")) {
            if (!h.isBlank()) {
                hosts.add(h.trim().toLowerCase(Locale.ROOT));
            }
        }
        List<String> loadTargets = new ArrayList<>();
        if (webhookUrl != null) {
            loadTargets.add(webhookUrl);
        }
        for (String u : get(env, "STAMPEDE_LOAD_TARGETS", "").split(",")) {
            if (!u.isBlank()) {
                loadTargets.add(u.trim());
            }
        }
        return new Bounds(
                (int) number(env, "STAMPEDE_MAX_ACTIVE_EXPERIMENTS", 100, 1, 10_000),
                (int) number(env, "STAMPEDE_MAX_LOAD_TESTS", 2, 1, 64),
                (int) number(env, "STAMPEDE_MAX_HISTORY", 1000, 10, 1_000_000),
                (int) number(env, "STAMPEDE_RUNS_RETAINED", 500, 1, 1_000_000),
                hosts, loadTargets,
                number(env, "STAMPEDE_MIN_MESSAGE_RATE", io.stampede.loadgen.LoadGenConfig.MIN_RATE, io.stampede.loadgen.LoadGenConfig.MIN_RATE, 1_000));
    }

    /**
     * The configuration from environment variables and the system file ({@code STAMPEDE_SYSTEM},
     * default the demo's {@code deploy/systems/demo.yaml}, built into the jar). Everything about the
     * system under test comes from the file; the variables that still describe it are overrides of
     * one named key each, counted only when set (docs/system-file.md, "Environment overrides").
     *
     * @throws IllegalArgumentException naming every problem (the chaos API exits 1)
     */
    public static ChaosConfig fromEnv(Map<String, String> env) {
        SystemFile sys = loadSystem(env);
        TargetsConfig serviceTargets = serviceTargets(env, sys);
        Map<String, URI> targets = new LinkedHashMap<>();
        serviceTargets.targets().forEach((name, t) -> {
            if (t.healthUrl() != null) {
                targets.put(name, t.healthUrl());
            }
        });
        Path home = Path.of(get(env, "STAMPEDE_HOME", ".")).toAbsolutePath().normalize();
        String token = get(env, "STAMPEDE_API_TOKEN", null);
        String webhook = get(env, "STAMPEDE_WEBHOOK_URL", sys.http() == null ? null : sys.http().url().toString());
        SystemFile.Metrics m = sys.metrics();
        String sutMetrics = get(env, "STAMPEDE_SUT_METRICS", null);
        SystemUnderTest sut = SystemUnderTest.of(sys, env, sutMetrics == null ? null : refs(sutMetrics),
                get(env, "STAMPEDE_SUT_STREAM", null), get(env, "STAMPEDE_SUT_CONSUMER", null));
        return new ChaosConfig(
                get(env, "STAMPEDE_HOST", "127.0.0.1"),
                (int) number(env, "STAMPEDE_PORT", DEFAULT_PORT, 0, 65535),
                get(env, "STAMPEDE_NATS_URL", sys.nats().url()),
                targets,
                home,
                Path.of(get(env, "STAMPEDE_DATA_DIR", home.resolve("var").toString())).toAbsolutePath().normalize(),
                number(env, "STAMPEDE_TIME_SCALE", 1.0, 1e-6, 1000),
                token,
                Boolean.parseBoolean(get(env, "STAMPEDE_ALLOW_NO_TOKEN", "false")),
                number(env, "STAMPEDE_MAX_RPS", 5000, 1, 1_000_000),
                number(env, "STAMPEDE_BASELINE_RATE", sys.traffic().rate(), 0.001, 10_000_000),
                number(env, "STAMPEDE_MAX_MESSAGE_RATE", 100_000, 1, 100_000_000),
                webhook,
                get(env, "STAMPEDE_INJECTORS", "default"),
                counters(env, "STAMPEDE_ERROR_METRICS", m, m == null ? List.of() : m.errors()),
                counters(env, "STAMPEDE_REQUEST_METRICS", m, m == null ? List.of() : m.requests()),
                serviceTargets,
                URI.create(get(env, "STAMPEDE_PROXY_ADMIN_URL", "http://127.0.0.1:4224")),
                onOff(env, "STAMPEDE_BASELINE", false),
                bounds(env, webhook),
                (int) number(env, "STAMPEDE_BASELINE_AGENTS", 0, 0, 4096),
                sut);
    }

    /** {@code variable} ({@code url#name,…}) when set, else {@code names} on every endpoint of the file's metrics.scrape. */
    private static List<MetricRef> counters(Map<String, String> env, String variable, SystemFile.Metrics m, List<String> names) {
        String set = get(env, variable, null);
        if (set != null) {
            return refs(set);
        }
        return m == null ? List.of() : SystemUnderTest.refs(m.scrape(), names);
    }

    /**
     * The system file: {@code STAMPEDE_SYSTEM}, else the demo's. Refused (every problem listed)
     * when invalid or when it asks for what this version cannot do yet.
     */
    public static SystemFile loadSystem(Map<String, String> env) {
        String path = get(env, SYSTEM_ENV, null);
        SystemFile f;
        try {
            f = path != null ? SystemFile.load(Path.of(path), env) : SystemFile.demo(env);
        } catch (InvalidSystemFile e) {
            throw new IllegalArgumentException("system file " + e.getMessage());
        }
        List<String> unsupported = SystemUnderTest.unsupported(f);
        if (!unsupported.isEmpty()) {
            throw new IllegalArgumentException("system file " + (path == null ? "demo" : path) + ":\n  " + String.join("\n  ", unsupported));
        }
        return f;
    }

    /**
     * {@code STAMPEDE_TARGETS_FILE} when set (the override of the file's {@code targets}), else the
     * system file's targets (TARGETS.md's format), else none: service_failure has nothing to act on.
     */
    private static TargetsConfig serviceTargets(Map<String, String> env, SystemFile sys) {
        TargetsConfig t;
        if (get(env, TargetsConfig.FILE_ENV, null) != null) {
            t = TargetsConfig.load(env);
        } else if (sys.targets() != null) {
            t = TargetsConfig.ofSystemFile(sys.targets(), env);
        } else {
            t = new TargetsConfig(Map.of(), List.of());
        }
        if (!t.valid()) {
            throw new IllegalArgumentException("service_failure targets: " + String.join("; ", t.problems()));
        }
        return t;
    }

    private static boolean onOff(Map<String, String> env, String key, boolean def) {
        String v = get(env, key, null);
        if (v == null) {
            return def;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "on", "true", "1", "yes" -> true;
            case "off", "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException(key + " must be on or off, got '" + v + "'");
        };
    }

    private static String webhookFor(URI gatewayHealth) {
        return gatewayHealth.resolve("/webhook").toString();
    }

    private static List<MetricRef> refs(String csv) {
        List<MetricRef> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            if (!s.isBlank()) {
                out.add(MetricRef.parse(s));
            }
        }
        return out;
    }

    private static String get(Map<String, String> env, String key, String def) {
        String v = env.get(key);
        return v == null || v.isBlank() ? def : v.trim();
    }

    private static double number(Map<String, String> env, String key, double def, double min, double max) {
        String v = get(env, key, null);
        if (v == null) {
            return def;
        }
        try {
            double d = Double.parseDouble(v);
            if (d < min || d > max) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number in " + min + ".." + max + ", got '" + v + "'");
        }
    }

    public boolean loopbackOnly() {
        return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
    }

    /** What experiments may ask for, derived from the configuration. */
    public Limits limits() {
        // every configured service_failure target, with or without a health URL (health_url is optional)
        Set<String> services = new java.util.LinkedHashSet<>(targets.keySet());
        services.addAll(serviceTargets.targets().keySet());
        return new Limits(services, bounds.loadTargets(), webhookUrl, maxRps, baselineRate, maxMessageRate,
                bounds.minMessageRate(), bounds.maxActive(), bounds.maxLoadTests());
    }

    /** The SUT counters sampled into counters.jsonl once a second (the system file's metrics; STAMPEDE_SUT_METRICS overrides). */
    public List<MetricRef> sutMetrics() {
        return sut.counters();
    }

    /** The stream of the consumer whose backlog the verdict watches, null: none (no backlog section). */
    public String sutStream() {
        return sut.backlogStream();
    }

    /** Its durable consumer. */
    public String sutConsumer() {
        return sut.backlogConsumer();
    }

    /** STAMPEDE_SETTLE_S (30) and STAMPEDE_VERDICT_CAP_S (1800), before the time scale. */
    public io.stampede.chaos.lifecycle.Verdicts.Timing verdictTiming() {
        Map<String, String> env = System.getenv();
        return new io.stampede.chaos.lifecycle.Verdicts.Timing(
                java.time.Duration.ofMillis(Math.round(1000 * number(env, "STAMPEDE_SETTLE_S", 30, 1, 86_400))),
                java.time.Duration.ofMillis(Math.round(1000 * number(env, "STAMPEDE_VERDICT_CAP_S", 1800, 10, 7 * 86_400))));
    }

    public TimeScale scale() {
        return new TimeScale(timeScale);
    }

    public Path journalFile() {
        return dataDir.resolve("chaos").resolve("journal.jsonl");
    }

    public Path runsDir() {
        return dataDir.resolve("runs");
    }
}
