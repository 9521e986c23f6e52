package io.stampede.reports.gate;

import io.stampede.reports.Criterion;
import io.stampede.reports.CriterionId;
import io.stampede.reports.FaultCounters;
import io.stampede.reports.Recovery;
import io.stampede.reports.RunFiles;
import io.stampede.reports.RunReader;
import io.stampede.reports.Series;
import io.stampede.reports.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Judges a run directory for CI ({@code ./stampede gate}). Without criteria: the final
 * verdict.json's criteria as they are. With criteria: each threshold key given is re-judged from
 * the observed numbers in verdict.json (keys not given keep the verdict's threshold), and each
 * series limit is judged from the series' merged interval histograms.
 *
 * <p>Outcome: {@link GateResult.Outcome#FAIL} when any criterion failed (even if others cannot be
 * judged); else {@link GateResult.Outcome#CANNOT_JUDGE} when anything cannot be judged (a criterion
 * without samples, an unknown series, a threshold for a criterion the run type does not have, a
 * verdict that is absent or not final, an empty directory, no criteria at all); else PASS.
 * verdict.json is needed unless the criteria name series limits only.
 */
public final class Gate {
    /** The threshold key of each re-judgeable criterion ({@code processing} and {@code recovered} have fixed thresholds). */
    static final Map<CriterionId, String> KEY_OF = new EnumMap<>(Map.of(
            CriterionId.LOST, "max_lost", CriterionId.DUPLICATED, "max_duplicated",
            CriterionId.UNEXPECTED, "max_unexpected", CriterionId.ERROR_RATE, "max_error_pct",
            CriterionId.CATCH_UP, "max_catch_up_s", CriterionId.P95, "p95_ms", CriterionId.KO_PCT, "max_ko_pct"));

    private Gate() {}

    /** Judges {@code runDir}; {@code criteria} may be null (the verdict as it is). */
    public static GateResult judge(Path runDir, GateCriteria criteria) {
        List<GateResult.Item> items = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (!Files.isDirectory(runDir)) {
            reasons.add("no run directory " + runDir);
            return new GateResult(runDir.toString(), null, items, reasons);
        }
        if (isEmpty(runDir)) {
            reasons.add("empty run directory " + runDir);
            return new GateResult(runDir.toString(), null, items, reasons);
        }
        RunReader reader = RunReader.open(runDir);
        String id = runDir.getFileName() == null ? runDir.toString() : runDir.getFileName().toString();
        String type = null;
        try {
            var run = reader.run();
            if (run.isPresent()) {
                id = run.get().id();
                type = run.get().type();
            }
        } catch (IllegalArgumentException e) {
            reasons.add("unreadable " + RunFiles.RUN_JSON + ": " + e.getMessage());
        }
        boolean needVerdict = criteria == null || !criteria.thresholds().isEmpty() || criteria.series().isEmpty();
        if (needVerdict) {
            Optional<Verdict> verdict = Optional.empty();
            try {
                verdict = reader.verdict();
            } catch (IllegalArgumentException | UncheckedIOException e) {
                reasons.add("unreadable " + RunFiles.VERDICT_JSON + ": " + e.getMessage());
            }
            if (verdict.isEmpty()) {
                if (reasons.isEmpty()) {
                    reasons.add("no " + RunFiles.VERDICT_JSON + " (the run has no final verdict yet)");
                }
            } else {
                Verdict v = verdict.get();
                id = v.id();
                type = v.type();
                verdictItems(v, criteria, items, reasons);
                FaultCounters f = v.fault();
                if (f != null) {
                    notes.add("fault: subject=" + f.subject() + " direction=" + f.direction() + " matched=" + f.matched()
                            + " delayed=" + f.delayed() + " dropped=" + f.dropped() + " duplicated=" + f.duplicated()
                            + " reordered=" + f.reordered());
                }
            }
        }
        if (criteria != null) {
            seriesItems(reader, criteria, items);
        }
        if (items.isEmpty() && reasons.isEmpty()) {
            reasons.add("no criteria to judge (the run type has none and no criteria file names any)");
        }
        return new GateResult(id, type, items, reasons, notes);
    }

    private static void verdictItems(Verdict v, GateCriteria criteria, List<GateResult.Item> items, List<String> reasons) {
        if (!v.isFinal()) {
            reasons.add("the verdict is not final (" + v.status().json() + "): its criteria cannot be judged yet");
        }
        for (Verdict.Reason r : v.reasons()) {
            reasons.add("the verdict is " + v.status().json() + ": " + r.id() + ": " + r.message());
        }
        Map<String, Number> over = criteria == null ? Map.of() : criteria.thresholds();
        for (Criterion c : v.criteria()) {
            String key = KEY_OF.get(c.id());
            Number t = key == null ? null : over.get(key);
            String cmp = c.id().comparison();
            if (!v.isFinal()) {
                items.add(new GateResult.Item(c.id().json(), c.description(), c.observed(), cmp,
                        t != null ? t.doubleValue() : c.threshold(), "", null, "verdict pending"));
            } else if (t == null) {
                items.add(new GateResult.Item(c.id().json(), c.description(), c.observed(), cmp, c.threshold(), "",
                        c.pass(), c.pass() == null ? "no samples" : null));
            } else {
                items.add(rejudge(c, t.doubleValue(), v.recovery()));
            }
        }
        for (String key : over.keySet()) {
            boolean has = v.criteria().stream().anyMatch(c -> key.equals(KEY_OF.get(c.id())));
            if (!has) {
                CriterionId cid = KEY_OF.entrySet().stream().filter(e -> e.getValue().equals(key)).findFirst().orElseThrow().getKey();
                items.add(new GateResult.Item(cid.json(), cid.description(), null, cid.comparison(),
                        over.get(key).doubleValue(), "", null, "not a criterion of " + v.type() + " runs"));
            }
        }
    }

    /** The verdict's observed number against a new threshold (catch_up as VerdictBuilder judges it). */
    static GateResult.Item rejudge(Criterion c, double threshold, Recovery r) {
        CriterionId id = c.id();
        if (id == CriterionId.CATCH_UP) {
            if (r.catchUpS() != null) {
                return item(c, r.catchUpS(), threshold, id.passes(r.catchUpS(), threshold), null);
            }
            Double watched = r.observedAfterS() != null ? r.observedAfterS() : c.observed();
            if (watched != null && watched > threshold) {
                return item(c, watched, threshold, false, "not caught up after " + num(watched) + " s watched");
            }
            return item(c, null, threshold, null, "not caught up yet, watched " + (watched == null ? "-" : num(watched)) + " s");
        }
        if (c.observed() == null) {
            return item(c, null, threshold, null, "no samples");
        }
        return item(c, c.observed(), threshold, id.passes(c.observed(), threshold), null);
    }

    private static GateResult.Item item(Criterion c, Double observed, double threshold, Boolean pass, String note) {
        return new GateResult.Item(c.id().json(), c.description(), observed, c.id().comparison(), threshold, "", pass, note);
    }

    private static void seriesItems(RunReader reader, GateCriteria criteria, List<GateResult.Item> items) {
        criteria.series().forEach((name, limits) -> {
            Optional<Series> s = reader.series(name);
            Histogram h = s.map(Series::merged).orElse(null);
            limits.forEach((key, limit) -> {
                double p = GateCriteria.percentile(key);
                String gid = name + "." + key;
                String what = (p == 100 ? "max" : "p" + num(p)) + " of series " + name + ", ms (merged interval histograms)";
                if (h == null) {
                    items.add(new GateResult.Item(gid, what, null, "<=", limit, " ms", null,
                            "unknown series: no " + RunFiles.hlog(name) + " in the run"));
                } else if (h.getTotalCount() == 0) {
                    items.add(new GateResult.Item(gid, what, null, "<=", limit, " ms", null, "no samples"));
                } else {
                    long us = p == 100 ? h.getMaxValue() : h.getValueAtPercentile(p);
                    double ms = us / 1000.0;
                    items.add(new GateResult.Item(gid, what, ms, "<=", limit, " ms", ms <= limit, null));
                }
            });
        });
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String num(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return new java.math.BigDecimal(d).setScale(3, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }
}
