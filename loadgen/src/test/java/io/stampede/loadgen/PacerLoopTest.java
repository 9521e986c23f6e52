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

    /**
     * Issue 11 at the pacer itself (no LoadGenerator floor in between): a rate of 1e-13 msg/s
     * (interval 1e22 ns, beyond a long) or a subnormal one schedules nothing — it used to wrap the
     * due time into the past and emit as fast as the ring drained — and a change back to 1000 msg/s
     * re-anchors at the new spacing.
     */
    @Test
    @Timeout(20)
    void aTinyRatePausesAndTheNormalRateComesBackAtItsSpacing() throws Exception {
        long[] marks = new long[2];
        Run r = run(1000, 1500, c -> {
            try {
                Thread.sleep(300);
                c.update(set(2, 1e-13, null));
                marks[0] = System.nanoTime();
                Thread.sleep(400);
                c.update(set(3, 3.7e-318, null));
                Thread.sleep(300);
                marks[1] = System.nanoTime();
                c.update(set(4, 1000, null));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, set(1, 1000, null));
        long during = 0;
        for (int i = 0; i < r.n(); i++) {
            if (r.intended()[i] > marks[0] + 3_000_000 && r.intended()[i] < marks[1]) {
                during++;
            }
        }
        assertThat(during).as("originals scheduled while the rate was tiny").isZero();
        // ~300 before, ~500 after (1.5 s run), nothing in between; never thousands
        assertThat(r.n()).isBetween(800 - 100, 800 + 100);
        for (int i = 1; i < r.n(); i++) {
            long gap = r.intended()[i] - r.intended()[i - 1];
            assertThat(gap).as("gap before message %d", i).isGreaterThanOrEqualTo(999_000L);
            if (r.intended()[i - 1] > marks[1]) {
                assertThat(gap).isBetween(999_000L, 1_001_000L);
            }
        }
    }

    /**
     * A duplicate delay at the top of the long range (what TimeUnit.toNanos saturates a huge
     * millisecond count to) used to wrap the duplicate's due time into the past: every duplicate
     * went out at once. Now its due time saturates ("never" within the run).
     */
    @Test
    @Timeout(20)
    void aHugeDuplicateDelayNeverWrapsIntoAnImmediateDuplicate() throws Exception {
        ActiveSet.Duplicates d = new ActiveSet.Duplicates("x", 0.5, Long.MAX_VALUE,
                io.stampede.loadgen.DuplicateMode.APP, new Counters("x"));
        Run r = run(1000, 500, c -> {
            try {
                Thread.sleep(900);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            c.stop(); // pending duplicates due "never": the loop ends on stop
        }, set(1, 1000, d));
        int dups = 0;
        for (int i = 0; i < r.n(); i++) {
            if (r.dup()[i]) {
                dups++;
            }
        }
        assertThat(r.n() - dups).isEqualTo(500);
        assertThat(dups).isZero();
    }
}
