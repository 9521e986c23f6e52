package io.stampede.chaos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.stampede.system.IdPlace;
import io.stampede.system.SystemFile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Waits for the probes' outcomes and says what they prove: how many came back by id at
 * {@code outcomes.id}, how fast, how often; when none did, whether anything arrived at all and
 * where the probe id really is.
 */
final class OutcomeMatcher {
    /** After the last probe matched, how long duplicates may still come in. */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** Unmatched messages kept to look for a probe id elsewhere in them. */
    private static final int KEEP_OTHERS = 10_000;

    private final CheckReport report;
    private final Duration timeout;
    private final OutcomeContentCheck content;

    OutcomeMatcher(CheckReport report, Duration timeout) {
        this.report = report;
        this.timeout = timeout;
        this.content = new OutcomeContentCheck(report);
    }

    /** What arrived while waiting. */
    private static final class Seen {
        final Map<String, List<ArrivedMessage>> answers = new LinkedHashMap<>();
        final List<ArrivedMessage> others = new ArrayList<>();
        int othersSeen;
        int echoes;
        int echoesReadAsOutcome;
    }

    void match(SystemFile.Outcomes o, List<SentProbe> probes, BlockingQueue<ArrivedMessage> arrivals) {
        Map<String, SentProbe> byId = new LinkedHashMap<>();
        Set<String> probeSubjects = new LinkedHashSet<>();
        for (SentProbe p : probes) {
            byId.put(p.id(), p);
            probeSubjects.add(p.subject());
        }
        Seen seen;
        try {
            seen = collect(o.id(), byId, probeSubjects, arrivals);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            report.fail("outcomes", "interrupted while waiting for outcomes");
            return;
        }
        String filter = where(o);
        int n = probes.size();
        if (seen.echoes > 0) {
            String what = filter + " also matches traffic.subject (" + String.join(", ", probeSubjects) + ")";
            if (seen.echoesReadAsOutcome > 0) {
                report.fail("outcomes.subject", what + ": every message sent would count as its own outcome; narrow outcomes.subject");
            } else {
                report.warn("outcomes.subject", what + ": the messages sent arrive there too (ignored here, but the verifier reads them)");
            }
        }
        String waited = " within " + seconds(timeout);
        if (seen.answers.isEmpty()) {
            noneMatched(o, n, byId.keySet(), seen, waited);
            return;
        }
        Map<String, List<ArrivedMessage>> answers = seen.answers;
        List<Double> e2e = new ArrayList<>();
        for (Map.Entry<String, List<ArrivedMessage>> e : answers.entrySet()) {
            e2e.add((e.getValue().get(0).nanos() - byId.get(e.getKey()).publishedNanos()) / 1e6);
        }
        e2e.sort(null);
        String latency = "(e2e p50 " + ms(e2e.get((e2e.size() + 1) / 2 - 1)) + " ms, max " + ms(e2e.get(e2e.size() - 1)) + " ms)";
        if (answers.size() == n) {
            report.ok("outcomes", n + " of " + n + " probes matched by id on " + filter + " " + latency);
        } else {
            List<String> missing = byId.keySet().stream().filter(id -> !answers.containsKey(id)).toList();
            report.warn("outcomes", answers.size() + " of " + n + " probes matched by id on " + filter + waited + " " + latency
                    + "; no outcome for " + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
                    + (missing.size() > 5 ? " and " + (missing.size() - 5) + " more" : ""));
        }
        answers.forEach((id, list) -> {
            if (list.size() > 1) {
                report.warn("outcomes", "probe " + id + " answered " + (list.size() == 2 ? "twice" : list.size() + " times"));
            }
        });
        content.rules(o, answers);
        content.sentAt(o, answers, byId);
    }

    /** Until the timeout, or a short linger once every probe has an outcome (to count duplicates). */
    private Seen collect(IdPlace idPlace, Map<String, SentProbe> byId, Set<String> probeSubjects,
                         BlockingQueue<ArrivedMessage> arrivals) throws InterruptedException {
        Seen seen = new Seen();
        long deadline = System.nanoTime() + timeout.toNanos();
        long allMatchedAt = -1;
        while (true) {
            long until = allMatchedAt < 0 ? deadline : Math.min(deadline, allMatchedAt + LINGER_NANOS);
            long left = until - System.nanoTime();
            if (left <= 0) {
                return seen;
            }
            ArrivedMessage a = arrivals.poll(left, TimeUnit.NANOSECONDS);
            if (a == null) {
                continue;
            }
            String id = readId(a, idPlace);
            if (probeSubjects.contains(a.subject())) {
                seen.echoes++; // a probe itself: the filter also matches the traffic subject
                if (id != null && byId.containsKey(id)) {
                    seen.echoesReadAsOutcome++;
                }
                continue;
            }
            if (id != null && byId.containsKey(id)) {
                seen.answers.computeIfAbsent(id, k -> new ArrayList<>()).add(a);
                if (allMatchedAt < 0 && seen.answers.size() == byId.size()) {
                    allMatchedAt = System.nanoTime();
                }
            } else {
                seen.othersSeen++;
                if (seen.others.size() < KEEP_OTHERS) {
                    seen.others.add(a);
                }
            }
        }
    }

    /** Where outcomes are read, for the lines: the subject, or the stream. */
    private static String where(SystemFile.Outcomes o) {
        return o.stream() != null ? "stream " + o.stream() : o.subject();
    }

    /** No probe came back: either nothing arrived at all, or what arrived has no probe id at outcomes.id. */
    private void noneMatched(SystemFile.Outcomes o, int n, Set<String> ids, Seen seen, String waited) {
        String filter = where(o);
        if (seen.othersSeen == 0) {
            report.fail("outcomes.subject", "0 of " + n + " probes seen on " + filter + " — nothing arrived on that subject" + waited
                    + "; is outcomes.subject right (and does the system consume traffic.subject)?");
            return;
        }
        String elsewhere = ProbeIdSearch.whereElse(seen.others, ids);
        report.fail("outcomes.id", "0 of " + n + " probes matched; " + seen.othersSeen + (seen.othersSeen == 1 ? " message" : " messages")
                + " arrived on " + filter + " but none carried a probe id at " + o.id() + " — is outcomes.id right? "
                + (elsewhere != null ? elsewhere
                : "No probe id was found anywhere in them (headers or body): they may be outcomes of other traffic; "
                + "does the system consume traffic.subject and copy the id into its outcomes?"));
    }

    /** The correlation id at {@code place}, or null. */
    private static String readId(ArrivedMessage a, IdPlace place) {
        if (place.kind() == IdPlace.Kind.HEADER) {
            return a.headers() == null ? null : a.headers().getFirst(place.key());
        }
        JsonNode v = a.at(place.segments());
        return v != null && v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
