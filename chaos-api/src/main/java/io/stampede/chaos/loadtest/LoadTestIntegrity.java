package io.stampede.chaos.loadtest;

import io.stampede.chaos.inject.FaultStats;
import io.stampede.loadgen.DeliveryVerifier;
import io.stampede.loadgen.VerifierConfig;
import io.stampede.reports.RunReader;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of a load test's accepted requests got a decision: a {@link DeliveryVerifier} with the
 * load test's id prefix (the experiment id; bodies carry {@code <experiment id>-<10-digit seq>})
 * on the decisions subject, fed with the sequence numbers the simulation wrote to
 * {@code accepted.jsonl} (requests answered 202). A 202 without a decision is missing (overdue
 * while it can come, lost when the verdict settles); two decisions are duplicated. Counts are
 * over the bit sets ({@link DeliveryVerifier#range}), so a decision that arrives before its
 * acceptance is read is matched all the same.
 *
 * <p>Thread-safe: {@link #poll()} and {@link #counts()} may be called from any thread.
 */
public final class LoadTestIntegrity implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LoadTestIntegrity.class);

    /**
     * @param natsUrl    NATS of the system under test
     * @param outcomes   where outcomes are published and where they carry the id (the system file's outcomes)
     */
    public record Config(String natsUrl, VerifierConfig outcomes) {
        /** The demo's decisions ({@code decisions.>}, id in the JSON {@code id}). */
        public static Config defaults(String natsUrl) {
            return new Config(natsUrl, VerifierConfig.defaults());
        }
    }

    private final String idPrefix;
    private final Path runDir;
    private final DeliveryVerifier verifier;
    private long offset;
    private volatile boolean closed;

    private LoadTestIntegrity(String idPrefix, Path runDir, DeliveryVerifier verifier) {
        this.idPrefix = idPrefix;
        this.runDir = runDir;
        this.verifier = verifier;
    }

    /** Subscribes (confirmed by the server) before the first request can be sent. */
    public static LoadTestIntegrity start(Config cfg, String experimentId, Path runDir) throws IOException, InterruptedException {
        VerifierConfig vc = cfg.outcomes().withGrace(Duration.ofDays(1));
        return new LoadTestIntegrity(experimentId, runDir, new DeliveryVerifier(vc, experimentId).start(cfg.natsUrl()));
    }

    /** Marks the requests accepted since the last call (reads only the new lines of accepted.jsonl). */
    public synchronized void poll() {
        try {
            RunReader r = RunReader.open(runDir);
            offset = r.acceptedFrom(offset, a -> {
                if (!idPrefix.equals(a.idPrefix())) {
                    return; // not this experiment's ids
                }
                for (long seq : a.seqs()) {
                    verifier.sent(seq);
                }
            });
        } catch (RuntimeException unreadable) {
            log.debug("accepted ids of {} not read yet: {}", idPrefix, unreadable.toString());
        }
    }

    /** What the accepted requests came to so far. */
    public DeliveryVerifier.RangeCounts counts() {
        return verifier.range(0, Long.MAX_VALUE);
    }

    /**
     * {@code {"id_prefix", "expected", "delivered", "missing", "duplicated", "unexpected",
     * "decided_without_202", "republished", "tracking"}}: expected = requests answered 202,
     * delivered = of them with a decision, missing = without one yet; unexpected = decisions for
     * ids above every accepted one (never sent as far as the record shows); decided_without_202 =
     * decisions for requests sent but not answered 202 (e.g. a 504 whose publish still reached the
     * stream: not an invalid decision, not counted against the run); tracking is false once the
     * subscription closed.
     */
    public JsonObject json() {
        return figures().json();
    }

    /** {@link #json()} and the same counts typed, for the verdict (read once). */
    public record Figures(JsonObject json, FaultStats.AcceptedCounts counts) {}

    public Figures figures() {
        poll();
        DeliveryVerifier.RangeCounts c = counts();
        long decidedIds = verifier.stats().delivered(); // distinct ids of this prefix with a decision
        long unexpected = Math.max(0, decidedIds - c.delivered() - c.unexpected());
        return new Figures(new JsonObject()
                .put("id_prefix", idPrefix)
                .put("expected", c.expected())
                .put("delivered", c.delivered())
                .put("missing", c.missing())
                .put("duplicated", c.duplicated())
                .put("unexpected", unexpected)
                .put("decided_without_202", c.unexpected())
                .put("republished", c.republished())
                .put("tracking", !closed),
                new FaultStats.AcceptedCounts(c.expected(), c.delivered(), c.missing(), c.duplicated(),
                        unexpected, c.republished()));
    }

    public boolean closed() {
        return closed;
    }

    /** Stops following decisions; the counts stay readable. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            poll();
            closed = true;
            verifier.close();
        }
    }
}
