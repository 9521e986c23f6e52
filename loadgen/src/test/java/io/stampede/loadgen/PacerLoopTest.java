package io.stampede.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import com.lmax.disruptor.util.DaemonThreadFactory;
import io.stampede.loadgen.internal.ActiveSet;
import io.stampede.loadgen.internal.Controls;
import io.stampede.loadgen.internal.Counters;
import io.stampede.loadgen.internal.Pacer;
import io.stampede.loadgen.internal.PacerLoop;
import io.stampede.loadgen.internal.SendEvent;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The schedule itself, without NATS: re-anchoring on a rate change, exact duplicate counts. */
class PacerLoopTest {

    record Run(long[] intended, boolean[] dup, int n, long start) {}

    private static Run run(double rate, long durationMs, java.util.function.Consumer<Controls> during, ActiveSet initial)
            throws Exception {
        long[] intended = new long[1 << 20];
        boolean[] dup = new boolean[1 << 20];
        AtomicLong n = new AtomicLong();
        Disruptor<SendEvent> d = new Disruptor<>(SendEvent::new, 1 << 14, DaemonThreadFactory.INSTANCE, ProducerType.SINGLE,
                new SleepingWaitStrategy());
        d.handleEventsWith((ev, seq, end) -> {
            int i = (int) n.getAndIncrement();
            intended[i] = ev.intendedNanos;
            dup[i] = ev.duplicate;
        });
        RingBuffer<SendEvent> ring = d.start();
        Controls controls = new Controls(initial);
        PacerLoop loop = new PacerLoop(ring, controls, new Pacer(0), false, TimeUnit.MILLISECONDS.toNanos(durationMs), new AtomicLong(), null);
        Thread t = new Thread(loop);
        controls.pacerThread(t);
        t.start();
        during.accept(controls);
        t.join(durationMs + 5000);
        d.shutdown(5, TimeUnit.SECONDS);
        return new Run(intended, dup, (int) n.get(), loop.startNanos());
    }

    private static ActiveSet set(long v, double rate, ActiveSet.Duplicates dup) {
        return new ActiveSet(v, rate, List.of(), new Counters[0], null, dup);
    }

    @Test
    @Timeout(20)
    void rateChangeReAnchorsWithoutBurstOrGap() throws Exception {
        long[] changedAt = new long[1];
        Run r = run(1000, 1000, c -> {
            try {
                Thread.sleep(400);
                changedAt[0] = System.nanoTime();
                c.update(set(2, 10_000, null));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, set(1, 1000, null));
        // first original scheduled at the new spacing, within 10 ms of the change
        int firstNew = -1;
        for (int i = 1; i < r.n(); i++) {
            if (r.intended()[i] - r.intended()[i - 1] < 500_000) {
                firstNew = i;
                break;
            }
        }
        assertThat(firstNew).isPositive();
        assertThat(r.intended()[firstNew] - changedAt[0]).isLessThan(10_000_000);
        for (int i = 1; i < r.n(); i++) {
            long gap = r.intended()[i] - r.intended()[i - 1];
            assertThat(gap).as("gap before message %d", i).isBetween(0L, 1_000_001L); // never a gap above the old spacing
            if (i > firstNew) {
                assertThat(gap).isBetween(99_000L, 101_000L); // no burst: exactly the new spacing
            }
        }
        // ~400 at 1k/s, then ~600 ms at 10k/s
        assertThat(r.n()).isBetween(6000 + 400 - 150, 6000 + 400 + 150);
    }

    @Test
    @Timeout(20)
    void duplicateCountIsExactAndDelayed() throws Exception {
        ActiveSet.Duplicates d = new ActiveSet.Duplicates("x", 0.3, TimeUnit.MILLISECONDS.toNanos(5),
                io.stampede.loadgen.DuplicateMode.APP, new Counters("x"));
        Run r = run(5000, 1000, c -> { }, set(1, 5000, d));
        int originals = 0;
        int dups = 0;
        for (int i = 0; i < r.n(); i++) {
            if (r.dup()[i]) {
                dups++;
            } else {
                originals++;
            }
        }
        assertThat(originals).isEqualTo(5000);
        assertThat(dups).isEqualTo(1500); // floor(5000 × 0.3)
    }
}
