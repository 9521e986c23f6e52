package io.stampede.chaos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.impl.Headers;
import io.stampede.chaos.servicefailure.ContainerTarget;
import io.stampede.chaos.servicefailure.ProcessTarget;
import io.stampede.chaos.servicefailure.TargetConfig;
import io.stampede.chaos.servicefailure.TargetsConfig;
import io.stampede.loadgen.SignalIds;
import io.stampede.system.IdPlace;
import io.stampede.system.InvalidSystemFile;
import io.stampede.system.SystemFile;
import io.stampede.system.Template;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./stampede check FILE [--probes N] [--timeout-s S]}: proves a system file's contract
 * against the running system before any experiment, one line per check ({@code ok}, {@code warn},
 * {@code FAIL}, each naming the key of the file it concerns), then a summary. In order: the file
 * parses (and uses nothing this version refuses); NATS answers at {@code nats.url} (and
 * {@code nats.monitor_url}); N probe messages published through {@code traffic} come back on
 * {@code outcomes.subject} with their id at {@code outcomes.id} (end-to-end latency, duplicates,
 * {@code outcomes.rules}, {@code outcomes.sent_at}); every named counter is on a scrape endpoint;
 * every target's health URL answers; the backlog's consumer exists; one request to {@code http.url}
 * is accepted. Probes carry {@link SystemFile#PROBE_HEADER}.
 *
 * <p>Exit code 0 when nothing failed (warnings allowed: judging loss is an experiment's verdict's
 * job), 1 when a check failed, 2 on a usage error. Never throws: an exception is a FAIL line.
 */
public final class CheckCommand {
    static final String USAGE = "usage: stampede check FILE [--probes N (default 5)] [--timeout-s S (default 10)]";
    /** The demo's trading signal (deploy/systems/demo.yaml's traffic.body): what a file without traffic.body sends. */
    static final String DEMO_BODY = "{\"id\":\"{id}\",\"seq\":{seq},\"sent_at\":{sent_at},\"symbol\":\"{symbol}\",\"side\":\"{side}\","
            + "\"price\":101.5,\"quantity\":10,\"pad\":\"{pad}\"}";
    static final int DEMO_SIZE = 256;
    private static final Duration NATS_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** After the last probe matched, how long duplicates may still come in. */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** Unmatched messages kept to look for a probe id elsewhere in them. */
    private static final int KEEP_OTHERS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final int probeCount;
    private final Duration timeout;
    private final Map<String, String> env;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(HTTP_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    private final String runPrefix = SignalIds.newRunPrefix();
    private int passed;
    private int warned;
    private int failed;
    private String firstFail;

    CheckCommand(PrintStream out, int probeCount, Duration timeout, Map<String, String> env) {
        this.out = out;
        this.probeCount = probeCount;
        this.timeout = timeout;
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String file = null;
        int probes = 5;
        double timeoutS = 10;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--probes" -> probes = Integer.parseInt(value(args, ++i, "--probes"));
                    case "--timeout-s" -> timeoutS = Double.parseDouble(value(args, ++i, "--timeout-s"));
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> {
                        if (args[i].startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + args[i]);
                        }
                        if (file != null) {
                            throw new IllegalArgumentException("one system file at a time (got " + file + " and " + args[i] + ")");
                        }
                        file = args[i];
                    }
                }
            }
        } catch (NumberFormatException e) {
            err.println("check: not a number: " + e.getMessage() + "\n" + USAGE);
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("check: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        if (file == null) {
            err.println(USAGE);
            return 2;
        }
        if (probes < 1 || probes > 10_000) {
            err.println("check: --probes must be in 1..10000, got " + probes);
            return 2;
        }
        if (!(timeoutS > 0) || timeoutS > 3600) {
            err.println("check: --timeout-s must be in (0, 3600], got " + timeoutS);
            return 2;
        }
        return new CheckCommand(out, probes, Duration.ofMillis(Math.round(timeoutS * 1000)), System.getenv()).check(Path.of(file));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    // --- the checks, in order ---

    int check(Path path) {
        try {
            SystemFile f = parse(path);
            if (f != null) {
                checkRunning(f);
            }
        } catch (RuntimeException e) {
            fail("check", "unexpected " + describe(e));
        }
        out.println("check: " + passed + " passed, " + warned + (warned == 1 ? " warning, " : " warnings, ") + failed + " failed");
        if (firstFail != null) {
            out.println("first fix: " + firstFail);
        }
        out.flush();
        return failed == 0 ? 0 : 1;
    }

    /** 1. The file, and what this version refuses (SystemUnderTest.unsupported's words); null when it cannot be used. */
    private SystemFile parse(Path path) {
        SystemFile f;
        try {
            f = SystemFile.load(path, env);
        } catch (InvalidSystemFile e) {
            for (String p : e.problems()) {
                failLine(p);
            }
            return null;
        }
        List<String> unsupported = new ArrayList<>();
        if (f.traffic().via() == SystemFile.Via.HTTP) {
            unsupported.add("traffic.via: http is not supported by this version of the chaos API yet; use nats");
        }
        if (f.outcomes().stream() != null) {
            unsupported.add("outcomes.stream: reading outcomes from a stream is not supported by this version yet; give outcomes.subject");
        }
        if (f.nats().token() != null || f.nats().creds() != null || f.nats().tls() != null) {
            unsupported.add("nats: token, creds and tls are not supported by this version of the chaos API yet");
        }
        for (String p : unsupported) {
            failLine(p);
        }
        if (!unsupported.isEmpty()) {
            return null;
        }
        ok("file", f.source() + " parses (system " + f.name() + ")");
        return f;
    }

    private void checkRunning(SystemFile f) {
        Connection nats = connect(f.nats());
        try {
            monitor(f.nats());
            if (nats != null) {
                trafficAndOutcomes(nats, f);
            }
            if (f.metrics() != null) {
                metrics(f.metrics());
            }
            if (f.targets() != null) {
                targets(f.targets());
            }
            if (f.backlog() != null && nats != null) {
                backlog(nats, f.backlog());
            }
            if (f.http() != null) {
                http(f);
            }
        } finally {
            if (nats != null) {
                try {
                    nats.close();
                } catch (Exception e) {
                    // closing a connection that is going away anyway
                }
            }
        }
    }

    /** 2. NATS answers at nats.url; null (and a FAIL) when not. */
    private Connection connect(SystemFile.Nats n) {
        java.util.concurrent.atomic.AtomicReference<Exception> why = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            ErrorListener quiet = new ErrorListener() {
                @Override
                public void exceptionOccurred(Connection conn, Exception exp) {
                    why.compareAndSet(null, exp); // the socket's own reason, which jnats' "Unable to connect" leaves out
                }
            };
            Options o = new Options.Builder().servers(n.url().split("\\s*,\\s*")).connectionTimeout(NATS_TIMEOUT)
                    .noReconnect().errorListener(quiet).connectionName("stampede-check").build();
            Connection c = Nats.connect(o);
            ok("nats.url", "connected to " + n.url() + " (nats-server " + c.getServerInfo().getVersion()
                    + (c.getServerInfo().isJetStreamAvailable() ? ", JetStream on" : ", no JetStream") + ")");
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("nats.url", "cannot connect to " + n.url() + ": interrupted");
        } catch (Exception e) {
            Exception cause = why.get();
            fail("nats.url", "cannot connect to " + n.url() + ": " + reason(e)
                    + (cause == null || reason(e).contains(reason(cause)) ? "" : " (" + reason(cause) + ")"));
        }
        return null;
    }

    private void monitor(SystemFile.Nats n) {
        if (n.monitorUrl() == null) {
            return;
        }
        String url = n.monitorUrl().replaceAll("/+$", "") + "/varz";
        try {
            HttpResponse<String> r = get(URI.create(url));
            if (r.statusCode() == 200) {
                ok("nats.monitor_url", url + " answered 200");
            } else {
                fail("nats.monitor_url", url + " answered " + r.statusCode() + " (expected 200 from the server's HTTP monitor)");
            }
        } catch (Exception e) {
            fail("nats.monitor_url", url + " unreachable: " + reason(e));
        }
    }

    private record Probe(String id, long seq, String subject, long sentAtMicros, long publishedNanos) { }

    private record Arrival(String subject, Headers headers, byte[] data, long nanos) {
        String body() {
            return data == null ? "" : new String(data, StandardCharsets.UTF_8);
        }
    }

    /** 3–5. Subscribe to the outcomes, publish the probes, match what comes back. */
    private void trafficAndOutcomes(Connection nats, SystemFile f) {
        String filter = f.outcomes().subject();
        LinkedBlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
        Dispatcher d;
        try {
            d = nats.createDispatcher(m -> arrivals.add(new Arrival(m.getSubject(), m.getHeaders(), m.getData(), System.nanoTime())));
            d.subscribe(filter);
            nats.flush(NATS_TIMEOUT);
        } catch (Exception e) {
            fail("outcomes.subject", "cannot subscribe to " + filter + ": " + reason(e));
            return;
        }
        try {
            List<Probe> probes = publish(nats, f.traffic());
            if (!probes.isEmpty()) {
                outcomes(f, probes, arrivals);
            }
        } catch (RuntimeException e) {
            fail("outcomes", "unexpected " + describe(e));
        } finally {
            try {
                nats.closeDispatcher(d);
            } catch (RuntimeException e) {
                // the connection is closed next anyway
            }
        }
    }

    /** 4. The probes, round robin over the symbols; empty (and a FAIL) when none could be sent. */
    private List<Probe> publish(Connection nats, SystemFile.Traffic t) {
        String template = t.body() == null ? DEMO_BODY : t.body();
        int padTo = t.size() != null ? t.size() : t.body() == null ? DEMO_SIZE : 0;
        boolean jetStream = t.mode() == SystemFile.Mode.JETSTREAM;
        List<Probe> probes = new ArrayList<>();
        Set<String> subjects = new LinkedHashSet<>();
        for (long seq = 1; seq <= probeCount; seq++) {
            String symbol = t.symbols().get((int) ((seq - 1) % t.symbols().size()));
            String subject = t.subject().replace("{symbol}", symbol);
            String id = SignalIds.format(runPrefix, seq);
            long sentAt = nowMicros();
            byte[] body = Template.render(template, id, seq, symbol, seq % 2 == 0, sentAt, padTo).getBytes(StandardCharsets.UTF_8);
            Headers h = new Headers();
            t.headers().forEach(h::put);
            if (t.id().kind() == IdPlace.Kind.HEADER) {
                h.put(t.id().key(), id);
            }
            h.put(SystemFile.PROBE_HEADER, "true");
            long published = System.nanoTime();
            try {
                if (jetStream) {
                    nats.jetStream().publish(subject, h, body);
                } else {
                    nats.publish(subject, h, body);
                }
            } catch (Exception e) {
                if (jetStream) {
                    fail("traffic.subject", subject + " is not captured by any stream (mode jetstream): add a stream or use mode: core ("
                            + reason(e) + ")");
                } else {
                    fail("traffic.subject", "cannot publish to " + subject + ": " + reason(e));
                }
                return List.of();
            }
            probes.add(new Probe(id, seq, subject, sentAt, published));
            subjects.add(subject);
        }
        if (!jetStream) {
            try {
                nats.flush(NATS_TIMEOUT);
            } catch (Exception e) {
                fail("traffic", "the probes were not flushed to NATS: " + reason(e));
                return List.of();
            }
        }
        ok("traffic", probes.size() + (probes.size() == 1 ? " probe" : " probes") + " published to " + String.join(", ", subjects)
                + " (" + (jetStream ? "jetstream" : "core") + ")");
        return probes;
    }

    /** 5. Wait for the outcomes and say what they prove. */
    private void outcomes(SystemFile f, List<Probe> probes, LinkedBlockingQueue<Arrival> arrivals) {
        SystemFile.Outcomes o = f.outcomes();
        String filter = o.subject();
        Map<String, Probe> byId = new LinkedHashMap<>();
        Set<String> probeSubjects = new LinkedHashSet<>();
        for (Probe p : probes) {
            byId.put(p.id(), p);
            probeSubjects.add(p.subject());
        }
        Map<String, List<Arrival>> answers = new LinkedHashMap<>();
        List<Arrival> others = new ArrayList<>();
        int othersSeen = 0;
        int echoes = 0;
        int echoesReadAsOutcome = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        long allMatchedAt = -1;
        try {
            while (true) {
                long until = allMatchedAt < 0 ? deadline : Math.min(deadline, allMatchedAt + LINGER_NANOS);
                long left = until - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                Arrival a = arrivals.poll(left, TimeUnit.NANOSECONDS);
                if (a == null) {
                    continue;
                }
                String id = readId(a, o.id());
                if (probeSubjects.contains(a.subject())) {
                    echoes++; // a probe itself: the filter also matches the traffic subject
                    if (id != null && byId.containsKey(id)) {
                        echoesReadAsOutcome++;
                    }
                    continue;
                }
                if (id != null && byId.containsKey(id)) {
                    answers.computeIfAbsent(id, k -> new ArrayList<>()).add(a);
                    if (allMatchedAt < 0 && answers.size() == byId.size()) {
                        allMatchedAt = System.nanoTime();
                    }
                } else {
                    othersSeen++;
                    if (others.size() < KEEP_OTHERS) {
                        others.add(a);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("outcomes", "interrupted while waiting for outcomes");
            return;
        }
        int n = probes.size();
        if (echoes > 0) {
            String what = filter + " also matches traffic.subject (" + String.join(", ", probeSubjects) + ")";
            if (echoesReadAsOutcome > 0) {
                fail("outcomes.subject", what + ": every message sent would count as its own outcome; narrow outcomes.subject");
            } else {
                warn("outcomes.subject", what + ": the messages sent arrive there too (ignored here, but the verifier reads them)");
            }
        }
        String waited = " within " + seconds(timeout);
        if (answers.isEmpty()) {
            if (othersSeen == 0) {
                fail("outcomes.subject", "0 of " + n + " probes seen on " + filter + " — nothing arrived on that subject" + waited
                        + "; is outcomes.subject right (and does the system consume traffic.subject)?");
            } else {
                String elsewhere = whereElse(others, byId.keySet());
                fail("outcomes.id", "0 of " + n + " probes matched; " + othersSeen + (othersSeen == 1 ? " message" : " messages")
                        + " arrived on " + filter + " but none carried a probe id at " + o.id() + " — is outcomes.id right? "
                        + (elsewhere != null ? elsewhere
                        : "No probe id was found anywhere in them (headers or body): they may be outcomes of other traffic; "
                        + "does the system consume traffic.subject and copy the id into its outcomes?"));
            }
            return;
        }
        List<Double> e2e = new ArrayList<>();
        for (Map.Entry<String, List<Arrival>> e : answers.entrySet()) {
            e2e.add((e.getValue().get(0).nanos() - byId.get(e.getKey()).publishedNanos()) / 1e6);
        }
        e2e.sort(null);
        String latency = "(e2e p50 " + ms(e2e.get((e2e.size() + 1) / 2 - 1)) + " ms, max " + ms(e2e.get(e2e.size() - 1)) + " ms)";
        if (answers.size() == n) {
            ok("outcomes", n + " of " + n + " probes matched by id on " + filter + " " + latency);
        } else {
            List<String> missing = byId.keySet().stream().filter(id -> !answers.containsKey(id)).toList();
            warn("outcomes", answers.size() + " of " + n + " probes matched by id on " + filter + waited + " " + latency
                    + "; no outcome for " + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
                    + (missing.size() > 5 ? " and " + (missing.size() - 5) + " more" : ""));
        }
        answers.forEach((id, list) -> {
            if (list.size() > 1) {
                warn("outcomes", "probe " + id + " answered " + (list.size() == 2 ? "twice" : list.size() + " times"));
            }
        });
        rules(o, answers);
        sentAt(o, answers, byId);
    }

    /** The correlation id at {@code place}, or null. */
    private static String readId(Arrival a, IdPlace place) {
        if (place.kind() == IdPlace.Kind.HEADER) {
            return a.headers() == null ? null : a.headers().getFirst(place.key());
        }
        JsonNode v = at(json(a.data()), place.segments());
        return v != null && v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    /** Where a probe id is, if anywhere, in messages that did not carry it at outcomes.id. */
    private static String whereElse(List<Arrival> others, Set<String> ids) {
        for (Arrival a : others) {
            if (a.headers() != null) {
                for (String k : a.headers().keySet()) {
                    for (String v : a.headers().get(k)) {
                        if (containsAny(v, ids)) {
                            return "The probe id was found in header " + k + (v.length() < 64 && ids.contains(v)
                                    ? ": use outcomes.id: \"header:" + k + "\"" : "");
                        }
                    }
                }
            }
            String body = a.body();
            if (containsAny(body, ids)) {
                String path = jsonPath(json(a.data()), ids, "");
                return path != null ? "The probe id was found in the body at json:" + path + ": use outcomes.id: \"json:" + path + "\""
                        : "The probe id was found in the body" + (json(a.data()) == null ? " (not JSON" : " (not as a JSON value")
                        + ", so outcomes.id cannot name it there: the system should copy it into a header or a JSON field)";
            }
        }
        return null;
    }

    private static boolean containsAny(String s, Set<String> ids) {
        for (String id : ids) {
            if (s.contains(id)) {
                return true;
            }
        }
        return false;
    }

    /** The dotted path of a string value that is one of {@code ids}, or null. */
    private static String jsonPath(JsonNode n, Set<String> ids, String prefix) {
        if (n == null || !n.isObject()) {
            return null;
        }
        Iterator<Map.Entry<String, JsonNode>> it = n.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (IdPlace.parseOrNull("json:" + path) == null) {
                continue;
            }
            if (e.getValue().isTextual() && ids.contains(e.getValue().asText())) {
                return path;
            }
            String deeper = jsonPath(e.getValue(), ids, path);
            if (deeper != null) {
                return deeper;
            }
        }
        return null;
    }

    /** outcomes.rules against each probe's first outcome. */
    private void rules(SystemFile.Outcomes o, Map<String, List<Arrival>> answers) {
        if (o.rules().isEmpty()) {
            return;
        }
        boolean allFollow = true;
        for (int i = 0; i < o.rules().size(); i++) {
            SystemFile.Rule r = o.rules().get(i);
            int broken = 0;
            String example = null;
            for (Map.Entry<String, List<Arrival>> e : answers.entrySet()) {
                Arrival a = e.getValue().get(0);
                String why = breaks(r, a);
                if (why != null) {
                    broken++;
                    if (example == null) {
                        example = e.getKey() + ": " + why;
                    }
                }
            }
            if (broken > 0) {
                allFollow = false;
                warn("outcomes.rules[" + i + "]", broken + " of " + answers.size() + " outcomes break " + describe(r) + "; e.g. " + example);
            }
        }
        if (allFollow) {
            ok("outcomes.rules", answers.size() + (answers.size() == 1 ? " outcome follows " : " outcomes follow ")
                    + (o.rules().size() == 1 ? "the rule" : "all " + o.rules().size() + " rules"));
        }
    }

    /** Why the outcome breaks the rule, or null when it follows it. */
    private static String breaks(SystemFile.Rule r, Arrival a) {
        if (r.regex() != null) {
            return r.regex().matcher(a.body()).find() ? null : "body " + quote(a.body(), 80);
        }
        JsonNode body = json(a.data());
        if (body == null) {
            return "body is not JSON: " + quote(a.body(), 80);
        }
        JsonNode v = at(body, List.of(r.path().split("\\.")));
        if (v == null || v.isNull()) {
            return "no " + r.path();
        }
        String s = v.isValueNode() ? v.asText() : v.toString();
        return r.in().contains(s) ? null : r.path() + " = " + quote(s, 80);
    }

    private static String describe(SystemFile.Rule r) {
        return r.regex() != null ? "{regex: " + r.regex().pattern() + "}" : "{path: " + r.path() + ", in: " + r.in() + "}";
    }

    /** outcomes.sent_at: each outcome copies its probe's sent_at (end-to-end latency relies on it). */
    private void sentAt(SystemFile.Outcomes o, Map<String, List<Arrival>> answers, Map<String, Probe> byId) {
        if (o.sentAt() == null) {
            return;
        }
        int wrong = 0;
        String example = null;
        for (Map.Entry<String, List<Arrival>> e : answers.entrySet()) {
            JsonNode v = at(json(e.getValue().get(0).data()), o.sentAt().segments());
            long want = byId.get(e.getKey()).sentAtMicros();
            boolean right = v != null && (v.isNumber() ? v.asLong() == want : v.isTextual() && v.asText().trim().equals(Long.toString(want)));
            if (!right) {
                wrong++;
                if (example == null) {
                    example = e.getKey() + ": " + (v == null ? "absent" : v.toString()) + ", sent " + want;
                }
            }
        }
        if (wrong == 0) {
            ok("outcomes.sent_at", "every outcome carries its probe's sent_at at " + o.sentAt());
        } else {
            warn("outcomes.sent_at", wrong + " of " + answers.size() + " outcomes do not carry their probe's sent_at at " + o.sentAt()
                    + " (e.g. " + example + "); end-to-end latency cannot be measured from them");
        }
    }

    /** 6. Every scrape endpoint answers; every named counter is on at least one. */
    private void metrics(SystemFile.Metrics m) {
        Map<URI, String> pages = new LinkedHashMap<>();
        for (int i = 0; i < m.scrape().size(); i++) {
            URI u = m.scrape().get(i);
            String key = "metrics.scrape[" + i + "]";
            try {
                HttpResponse<String> r = get(u);
                if (r.statusCode() == 200) {
                    pages.put(u, r.body());
                    ok(key, u + " answered 200");
                } else {
                    fail(key, u + " answered " + r.statusCode());
                }
            } catch (Exception e) {
                fail(key, u + " unreachable: " + reason(e));
            }
        }
        if (pages.isEmpty()) {
            return;
        }
        Map<String, List<String>> named = new LinkedHashMap<>();
        named.put("errors", m.errors());
        named.put("processed", m.processed());
        named.put("requests", m.requests());
        named.put("duplicates_detected", m.duplicatesDetected());
        named.forEach((key, names) -> {
            for (String name : names) {
                List<String> found = new ArrayList<>();
                for (Map.Entry<URI, String> page : pages.entrySet()) {
                    for (String candidate : List.of(name, name.endsWith("_total") ? name.substring(0, name.length() - 6) : name + "_total")) {
                        Double v = sample(page.getValue(), candidate);
                        if (v != null) {
                            found.add((candidate.equals(name) ? "" : "as " + candidate + " ") + "= " + number(v) + " on " + page.getKey());
                            break;
                        }
                    }
                }
                if (found.isEmpty()) {
                    fail("metrics." + key, "counter " + name + " not found on any of "
                            + String.join(", ", pages.keySet().stream().map(URI::toString).toList()));
                } else {
                    ok("metrics." + key, name + " " + String.join(", ", found));
                }
            }
        });
    }

    /**
     * The sum of the samples of {@code name} in a Prometheus text exposition (every label set),
     * or null when no line has it.
     */
    static Double sample(String text, String name) {
        Double sum = null;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || !line.startsWith(name) || line.length() == name.length()) {
                continue;
            }
            char next = line.charAt(name.length());
            String rest;
            if (next == '{') {
                int close = line.lastIndexOf('}');
                if (close < 0) {
                    continue;
                }
                rest = line.substring(close + 1).strip();
            } else if (next == ' ' || next == '\t') {
                rest = line.substring(name.length()).strip();
            } else {
                continue;
            }
            double v;
            try {
                v = Double.parseDouble(rest.split("\\s+")[0].replace("Inf", "Infinity"));
            } catch (NumberFormatException e) {
                v = Double.NaN;
            }
            sum = (sum == null ? 0 : sum) + v;
        }
        return sum;
    }

    /** 7. Every target: its health URL answers, a process's pid is alive. */
    private void targets(Map<String, Object> targets) {
        // by name: SystemFile keeps its targets in a Map.copyOf, whose order is not the file's and changes between runs
        TargetsConfig cfg = TargetsConfig.parse(new JsonObject().put("targets", new JsonObject(new TreeMap<>(targets))), env);
        for (String p : cfg.problems()) {
            failLine(p.startsWith("targets") ? p : "targets: " + p);
        }
        cfg.targets().forEach((name, t) -> {
            try {
                target(name, t);
            } catch (RuntimeException e) {
                fail("targets." + name, "unexpected " + describe(e));
            }
        });
    }

    private void target(String name, TargetConfig t) {
        String at = "targets." + name;
        if (t.healthUrl() != null) {
            try {
                HttpResponse<String> r = get(t.healthUrl());
                int s = r.statusCode();
                if (s == 200) {
                    ok(at + ".health_url", t.healthUrl() + " answered 200");
                } else if (s >= 200 && s < 300) {
                    warn(at + ".health_url", t.healthUrl() + " answered " + s + ": a crash experiment waits for 200 to measure recovery");
                } else {
                    fail(at + ".health_url", t.healthUrl() + " answered " + s + " (expected 200)");
                }
            } catch (Exception e) {
                fail(at + ".health_url", t.healthUrl() + " unreachable: " + reason(e));
            }
        }
        if (t instanceof ProcessTarget p) {
            process(at, p);
        } else if (t instanceof ContainerTarget c) {
            ok(at, "container " + c.container() + " (not looked up in docker by check)");
        }
    }

    private void process(String at, ProcessTarget p) {
        String key = at + ".pid_file";
        Path file = p.pidFile();
        String text;
        try {
            text = Files.readString(file).strip();
        } catch (java.nio.file.NoSuchFileException e) {
            warn(key, "no pid file at " + file + ": is " + p.name() + " running? a crash experiment needs its pid");
            return;
        } catch (Exception e) {
            warn(key, "cannot read " + file + " (" + reason(e) + "): is " + p.name() + " running? a crash experiment needs its pid");
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(text);
        } catch (NumberFormatException e) {
            warn(key, file + " holds no pid (" + quote(text, 40) + ")");
            return;
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (h.isEmpty() && !Files.isDirectory(Path.of("/proc", Long.toString(pid)))) {
            warn(key, "pid " + pid + " from " + file + " is not running: is " + p.name() + " down?");
            return;
        }
        Optional<String> cmd = h.flatMap(x -> x.info().commandLine());
        if (cmd.isPresent() && !p.match().isEmpty() && p.match().stream().noneMatch(cmd.get()::contains)) {
            warn(key, "pid " + pid + " is alive but its command line does not contain " + String.join(" or ", p.match())
                    + ": a crash experiment would not take it for " + p.name());
            return;
        }
        ok(key, "pid " + pid + " from " + file + " is alive");
    }

    /** 8. The backlog's consumer exists. */
    private void backlog(Connection nats, SystemFile.Backlog b) {
        String which = b.stream() + "/" + b.consumer();
        try {
            ConsumerInfo ci = nats.jetStreamManagement().getConsumerInfo(b.stream(), b.consumer());
            ok("backlog", "consumer " + which + " found (pending " + ci.getNumPending() + ", ack pending " + ci.getNumAckPending()
                    + (b.target() == null ? "" : "; target " + b.target()) + ")");
        } catch (Exception e) {
            fail("backlog", "consumer " + which + " not found: " + reason(e));
        }
    }

    /** 9. One request to the HTTP front door is accepted. */
    private void http(SystemFile f) {
        SystemFile.Http h = f.http();
        String what = h.method() + " " + h.url();
        try {
            long seq = probeCount + 1L;
            String id = SignalIds.format(runPrefix, seq);
            String symbol = f.traffic().symbols().get(0);
            int padTo = f.traffic().size() == null ? 0 : f.traffic().size();
            HttpRequest.BodyPublisher body = h.body() == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(Template.render(h.body(), id, seq, symbol, seq % 2 == 0, nowMicros(), padTo));
            HttpRequest.Builder req = HttpRequest.newBuilder(h.url()).timeout(REQUEST_TIMEOUT).method(h.method(), body);
            h.headers().forEach(req::header);
            if (h.id() != null && h.id().kind() == IdPlace.Kind.HEADER) {
                req.header(h.id().key(), id);
            }
            req.header(SystemFile.PROBE_HEADER, "true");
            HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            if (h.accepted().contains(r.statusCode())) {
                ok("http.url", what + " answered " + r.statusCode() + " (accepted: " + h.accepted() + ")");
            } else {
                fail("http.url", what + " answered " + r.statusCode() + " (accepted: " + h.accepted() + "): " + firstChars(r.body(), 200));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("http.url", what + ": interrupted");
        } catch (Exception e) {
            fail("http.url", what + " unreachable: " + reason(e));
        }
    }

    // --- helpers ---

    private HttpResponse<String> get(URI u) throws Exception {
        return http.send(HttpRequest.newBuilder(u).timeout(HTTP_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(byte[] data) {
        if (data == null || data.length == 0) {
            return null;
        }
        try {
            return JSON.readTree(data);
        } catch (Exception e) {
            return null;
        }
    }

    private static JsonNode at(JsonNode n, List<String> segments) {
        for (String s : segments) {
            if (n == null || !n.isObject()) {
                return null;
            }
            n = n.get(s);
        }
        return n;
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String quote(String s, int max) {
        return "\"" + firstChars(s, max) + "\"";
    }

    /** At most {@code max} characters on one line. */
    private static String firstChars(String s, int max) {
        String one = s.replace("\n", "\\n").replace("\r", "");
        return one.length() > max ? one.substring(0, max) + "…" : one;
    }

    /** An exception's message, and its cause's when that says more. */
    private static String reason(Throwable e) {
        String msg = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        Throwable c = e.getCause();
        if (c != null && c != e && c.getMessage() != null && !msg.contains(c.getMessage())) {
            msg += " (" + c.getClass().getSimpleName() + ": " + c.getMessage() + ")";
        }
        if (e instanceof java.net.http.HttpConnectTimeoutException || e instanceof java.net.http.HttpTimeoutException) {
            msg = "timed out (" + msg + ")";
        } else if (e instanceof java.net.ConnectException && (e.getMessage() == null || e.getMessage().isBlank())) {
            msg = "connection refused";
        }
        return msg;
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + reason(e);
    }

    private void ok(String key, String text) {
        passed++;
        out.println("ok   " + key + ": " + text);
        out.flush();
    }

    private void warn(String key, String text) {
        warned++;
        out.println("warn " + key + ": " + text);
        out.flush();
    }

    private void fail(String key, String text) {
        failLine(key + ": " + text);
    }

    private void failLine(String text) {
        failed++;
        if (firstFail == null) {
            firstFail = text;
        }
        out.println("FAIL " + text);
        out.flush();
    }
}
