package io.stampede.loadgen.agent;

import io.stampede.loadgen.internal.SentListener;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An agent's account of its own originals for the coordinator's verifier: how far it handed them
 * to NATS, and which failed (refused by the client, or a JetStream ack that failed). Drained by
 * each {@link AgentProtocol.Progress}.
 *
 * <p>Per message (publisher threads): one compare-and-set on {@code handed}, no allocation.
 * Failures (rare, or a burst while the server is away) are kept as ranges of j: a run of
 * consecutive failures is one pair, however long.
 */
final class SendLedger implements SentListener {
    private final int count;
    /** One past the highest j handed or failed. */
    private final AtomicLong handed = new AtomicLong();
    /** Pairs [from, to) of j failed since the last drain; guarded by this. */
    private long[] failed = new long[16];
    private int n;
    private long failedTotal;

    SendLedger(int count) {
        this.count = count;
    }

    @Override
    public void sending(long seq) {
        advance(seq / count + 1);
    }

    @Override
    public synchronized void failed(long seq) {
        long j = seq / count;
        if (n > 0 && failed[n - 1] == j) {
            failed[n - 1] = j + 1; // the run of failures goes on
        } else {
            if (n == failed.length) {
                failed = Arrays.copyOf(failed, n * 2);
            }
            failed[n++] = j;
            failed[n++] = j + 1;
        }
        failedTotal++;
        advance(j + 1); // before the lock is released: a drained failure is always below the drained handed
    }

    private void advance(long next) {
        if (handed.get() < next) {
            handed.accumulateAndGet(next, Math::max);
        }
    }

    /** What a progress message carries. */
    record Drained(long handed, long[] failed, long failedTotal) {}

    synchronized Drained drain() {
        long[] f = Arrays.copyOf(failed, n);
        n = 0;
        return new Drained(handed.get(), f, failedTotal);
    }
}
