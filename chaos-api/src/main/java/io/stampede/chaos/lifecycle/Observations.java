package io.stampede.chaos.lifecycle;

import io.stampede.chaos.experiment.DuplicateMessages;
import io.stampede.chaos.experiment.LoadTest;
import io.stampede.chaos.experiment.MessageFaults;
import io.stampede.chaos.experiment.NatsLatency;
import io.stampede.chaos.experiment.ServiceFailure;
import io.stampede.chaos.inject.FaultStats;
import io.stampede.loadgen.DeliveryVerifier;
import io.stampede.reports.CatchUp;
import io.stampede.reports.FaultCounters;
import io.stampede.reports.Observation;
import io.stampede.reports.RunType;
import io.stampede.reports.Status;
import io.stampede.reports.Verdict;
import io.stampede.reports.VerdictBuilder;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Turns what was seen of an experiment into the {@link Observation} reports'
 * {@link VerdictBuilder} judges: its baseline window, the decisions by time, the catch-up, its
 * target's health and its injector's typed figures. Holds no state of its own, so a tracker
 * calls it under its lock and a reader of an unobserved experiment calls it without one.
 */
final class Observations {
    private final Verdicts.Sources sources;
    private final Function<Experiment, FaultStats> injectorStats;

    Observations(Verdicts.Sources sources, Function<Experiment, FaultStats> injectorStats) {
        this.sources = sources;
        this.injectorStats = injectorStats;
    }

    /**
     * What a tracker saw of its experiment, as far as the verdict needs it.
     *
     * @param window           the experiment's window as counted by the tracker this tick (null: none)
     * @param deliveredAtApply the verifier's decided ids when the fault was applied (-1: not known)
     * @param deliveredAtEnd   and when it ended (-1: not yet, or not known)
     * @param endedMs          when the experiment ended (0: not yet)
     * @param samples          the catch-up samples taken since the end (the tracker's own list, read under its lock)
     */
    record Seen(DeliveryVerifier.RangeCounts window, long deliveredAtApply, long deliveredAtEnd, long endedMs,
                List<CatchUp.Sample> samples) {}

    /**
     * The verdict of an experiment not observed here (scheduled, or a previous process's): no
     * window, no injector figures (it has none yet, or none in this process); only its target's
     * health as last probed.
     */
    Verdict unobserved(Experiment e, boolean isFinal) {
        return judge(e, null, null, isFinal);
    }

    /** {@code seen}: null when not observed here; {@code stats}: its injector's figures (null: none). */
    Verdict judge(Experiment e, Seen seen, FaultStats stats, boolean isFinal) {
        RunType type = e.spec().kind().runType();
        Observation.Builder o = Observation.builder(e.id(), type).isFinal(isFinal);
        DeliveryVerifier v = sources.verifier().get();
        DeliveryVerifier.RangeCounts r = seen == null ? null : seen.window();
        if (r != null && v != null) {
            o.integrity(r.expected(), r.delivered(), r.duplicated(), r.unexpected(), r.republished());
            // by decision time, each id once (its first outcome): during = decided while the fault was
            // applied, after = decided since its end, whichever window the ids were sent in
            long deliveredNow = v.stats().delivered();
            if (seen.deliveredAtApply() >= 0) {
                long during = (seen.deliveredAtEnd() < 0 ? deliveredNow : seen.deliveredAtEnd()) - seen.deliveredAtApply();
                Long after = seen.deliveredAtEnd() < 0 ? null : deliveredNow - seen.deliveredAtEnd();
                o.decisions(during, after);
            }
        }
        if (seen != null && seen.endedMs() > 0) {
            CatchUp.Result c = CatchUp.of(seen.endedMs(), seen.samples());
            o.catchUp(c.catchUpS(), c.observedAfterS());
        }
        String target = e.spec() instanceof ServiceFailure sf ? sf.service() : null;
        Boolean up = target == null ? Boolean.TRUE : sources.targetUp().apply(target);
        if (up != null && (seen == null || seen.endedMs() > 0)) {
            o.targetHealthy(up);
        }
        if (stats != null) {
            if (e.spec() instanceof LoadTest) {
                loadTest(stats, o);
            }
            FaultCounters fault = faultCounters(e, stats);
            if (fault != null) {
                o.fault(fault);
            }
        }
        return VerdictBuilder.build(o.build(), e.thresholds(), System.currentTimeMillis());
    }

    /**
     * The injector's figures when the verdict judges them (a load test's requests, a message
     * fault's counters), else null: other injectors' figures can be slow to get (a service_failure's
     * would hold its DELETE) and the verdict has no use for them.
     */
    FaultStats figures(Experiment e) {
        return readsFigures(e) ? stats(e) : null;
    }

    /** A final verdict that could not settle: inconclusive, unless it already failed. */
    static Verdict inconclusive(Verdict v) {
        if (v.status() == Status.FAIL) {
            return v;
        }
        return v.withStatus(Status.INCONCLUSIVE, true);
    }

    private static boolean readsFigures(Experiment e) {
        return e.spec() instanceof LoadTest || messageFault(e) != null;
    }

    /** Null when the injector has none now: a failing injector costs its figures, not the verdict. */
    private FaultStats stats(Experiment e) {
        try {
            return injectorStats.apply(e);
        } catch (RuntimeException failure) {
            return null;
        }
    }

    /** The subject and direction of a fault the proxy applies per message. */
    private record MessageFault(String subject, String direction) {}

    /**
     * The proxy's per-message fault of {@code message_faults}, {@code nats_latency} with a
     * {@code subject} and {@code duplicate_messages} from the bus; null for other faults.
     */
    private static MessageFault messageFault(Experiment e) {
        if (e.spec() instanceof MessageFaults m) {
            return new MessageFault(m.subject(), m.direction().name().toLowerCase(Locale.ROOT));
        }
        if (e.spec() instanceof NatsLatency n && n.subject() != null) {
            return new MessageFault(n.subject(), n.direction().name().toLowerCase(Locale.ROOT));
        }
        if (e.spec() instanceof DuplicateMessages d && d.source() == DuplicateMessages.Source.BUS) {
            return new MessageFault(d.subject() == null ? ">" : d.subject(), "to_client");
        }
        return null;
    }

    /**
     * What a message fault in the proxy did: its subject, the direction applied and the proxy's
     * counters from the injector's stats (the final ones once it was reverted); null for other
     * faults, or while the proxy has not answered with its counters yet.
     */
    private static FaultCounters faultCounters(Experiment e, FaultStats stats) {
        MessageFault f = messageFault(e);
        FaultStats.MessageCounts c = stats.messages();
        if (f == null || c == null) {
            return null;
        }
        return new FaultCounters(f.subject(), f.direction(), c.matched(), c.delayed(), c.dropped(), c.duplicated(), c.reordered());
    }

    /**
     * The load test's HTTP figures (Gatling's recorder), and, when it tracks them, its integrity =
     * its requests answered 202 and its processing = their decisions (both replace the baseline
     * window's: a load test answers for its own requests).
     */
    private static void loadTest(FaultStats stats, Observation.Builder o) {
        FaultStats.HttpCounts http = stats.http();
        if (http != null) {
            o.requests(http.requests(), http.ko());
            o.loadTest(http.p95Ms(), http.requests() == 0 ? null : 100.0 * http.ko() / http.requests());
        }
        FaultStats.AcceptedCounts a = stats.accepted();
        if (a != null) {
            o.integrity(a.expected(), a.delivered(), a.duplicated(), a.unexpected(), a.republished());
            o.decisions(a.delivered(), null);
        }
    }
}
