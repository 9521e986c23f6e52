package io.stampede.loadgen.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.loadgen.LoadGenConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The schedule maths at the edges of the long and double ranges: nothing wraps, nothing leaks NaN. */
class SaturatingTest {
    static final long MAX = Long.MAX_VALUE;

    @Test
    void addClampsInsteadOfWrapping() {
        assertThat(Saturating.add(MAX, 1)).isEqualTo(MAX);
        assertThat(Saturating.add(MAX - 5, 5)).isEqualTo(MAX);
        assertThat(Saturating.add(MAX - 5, 4)).isEqualTo(MAX - 1);
        assertThat(Saturating.add(MAX, MAX)).isEqualTo(MAX);
        assertThat(Saturating.add(1_000, MAX)).isEqualTo(MAX);
        assertThat(Saturating.add(-1_000, MAX)).isEqualTo(MAX - 1_000); // nanoTime may be negative
        assertThat(Saturating.add(Long.MIN_VALUE, -1)).isEqualTo(Long.MIN_VALUE);
        assertThat(Saturating.add(Long.MIN_VALUE, MAX)).isEqualTo(-1);
    }

    @Test
    void doubleNanosSaturateAndNeverLeakNan() {
        assertThat(Saturating.nanos(1e22)).isEqualTo(MAX);            // 1e-13 msg/s: (long) gave MAX, then + anchor wrapped
        assertThat(Saturating.nanos(0x1p63)).isEqualTo(MAX);
        assertThat(Saturating.nanos(Math.nextDown(0x1p63))).isEqualTo(MAX - 1023); // 2^63 - 1024
        assertThat(Saturating.nanos(Double.POSITIVE_INFINITY)).isEqualTo(MAX);
        assertThat(Saturating.nanos(Double.NaN)).isZero();
        assertThat(Saturating.nanos(-5.0)).isZero();
        assertThat(Saturating.nanos(0.4)).isZero();
        assertThat(Saturating.nanos(1.0)).isEqualTo(1);
    }

    @Test
    void dueTimesNeverWrapIntoThePast() {
        long anchor = 123_456_789_000L;
        assertThat(Saturating.due(anchor, 1, 1e22)).isEqualTo(MAX);             // the measured bug: huge interval
        assertThat(Saturating.due(anchor, MAX, 1e7)).isEqualTo(MAX);            // huge index
        assertThat(Saturating.due(MAX - 10, 1, 1e7)).isEqualTo(MAX);            // anchor near the end of the range
        assertThat(Saturating.due(anchor, 3, Double.POSITIVE_INFINITY)).isEqualTo(MAX); // paused
        assertThat(Saturating.due(anchor, 3, Double.NaN)).isEqualTo(MAX);
        assertThat(Saturating.due(anchor, 0, 1e22)).isEqualTo(anchor);
        assertThat(Saturating.due(anchor, 7, 1.0)).isEqualTo(anchor + 7);        // tiny interval (MAX_RATE)
        assertThat(Saturating.due(anchor, 3, 1e7)).isEqualTo(anchor + 30_000_000);
        // whatever the inputs, a due time is never before its anchor
        double[] pers = {1, 1e3, 1e12, 1e15, 1e19, 1e300, Double.MAX_VALUE};
        long[] ks = {0, 1, 1 << 20, MAX / 2, MAX};
        for (double per : pers) {
            for (long k : ks) {
                assertThat(Saturating.due(anchor, k, per)).as("per %s k %s", per, k).isGreaterThanOrEqualTo(anchor);
            }
        }
    }

    @Test
    void intervalIsPausedBelowTheFloorAndClampedAboveTheCeiling() {
        assertThat(PacerLoop.intervalNanos(1e-13)).isInfinite();
        assertThat(PacerLoop.intervalNanos(3.7e-318)).isInfinite();     // 1e9 / subnormal = infinity
        assertThat(PacerLoop.intervalNanos(0)).isInfinite();
        assertThat(PacerLoop.intervalNanos(Double.NaN)).isInfinite();
        assertThat(PacerLoop.intervalNanos(Math.nextDown(LoadGenConfig.MIN_RATE))).isInfinite();
        assertThat(PacerLoop.intervalNanos(LoadGenConfig.MIN_RATE)).isEqualTo(1e12);
        assertThat(PacerLoop.intervalNanos(100)).isEqualTo(1e7);
        assertThat(PacerLoop.intervalNanos(1e15)).isEqualTo(1.0);
        assertThat(PacerLoop.intervalNanos(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
    }

    @Test
    void reAnchorFromTinyOrPausedToNormalStartsOneNewIntervalFromNow() {
        long now = 5_000_000_000L;
        long anchor = now - 1_000_000_000L;
        // from a huge (but finite) interval: the old due time is "never", not a wrapped past
        assertThat(PacerLoop.reAnchor(anchor, 1, 1e22, 1e7, now, anchor)).isEqualTo(now + 10_000_000);
        assertThat(PacerLoop.reAnchor(anchor, MAX, 1e12, 1e7, now, anchor)).isEqualTo(now + 10_000_000);
        // from paused
        assertThat(PacerLoop.reAnchor(anchor, 0, Double.POSITIVE_INFINITY, 1e7, now, anchor)).isEqualTo(now + 10_000_000);
        // to paused: anchored now, no original due
        assertThat(PacerLoop.reAnchor(anchor, 5, 1e7, Double.POSITIVE_INFINITY, now, anchor)).isEqualTo(now);
        // normal to tiny: the old due time (sooner) is kept, then the new interval holds
        assertThat(PacerLoop.reAnchor(anchor, 101, 1e7, 1e12, now, now)).isEqualTo(anchor + 1_010_000_000L);
        // the ring already holds messages due 1 ms ahead: the new rate starts from the last one
        assertThat(PacerLoop.reAnchor(anchor, 1000, 1e7, 1e6, now, now + 1_000_000)).isEqualTo(now + 2_000_000);
        // near the end of the long range nothing wraps
        assertThat(PacerLoop.reAnchor(MAX - 3, 10, 1e7, 1e7, MAX - 2, MAX - 1)).isEqualTo(MAX);
    }

    @Test
    void durationsAndSecondsSaturate() {
        assertThat(Saturating.nanos(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(MAX); // toNanos() would throw
        assertThat(Saturating.nanos(Duration.ofDays(365L * 300))).isEqualTo(MAX);
        assertThat(Saturating.nanos(Duration.ofMillis(1500))).isEqualTo(1_500_000_000L);
        assertThat(Saturating.nanos((Duration) null)).isZero();
        assertThat(Saturating.nanos(Duration.ofSeconds(-1))).isZero();
        assertThat(Saturating.millisFromSeconds(1e300)).isEqualTo(MAX);
        assertThat(Saturating.millisFromSeconds(Double.POSITIVE_INFINITY)).isEqualTo(MAX);
        assertThat(Saturating.millisFromSeconds(Double.NaN)).isZero();
        assertThat(Saturating.millisFromSeconds(2.5)).isEqualTo(2500);
    }

    @Test
    void combinedRateNeitherOverflowsNorUnderflowsThroughTheOrderOfFactors() {
        assertThat(LoadGenConfig.combinedRate(100, 0, 1e-6, 1e-7)).isCloseTo(1e-11, org.assertj.core.api.Assertions.within(1e-22));
        assertThat(LoadGenConfig.combinedRate(100, 0, 1e200, 1e200, 1e-300)).isEqualTo(LoadGenConfig.MAX_RATE); // 1e102, then the ceiling
        assertThat(LoadGenConfig.combinedRate(100, 0, 1e300, 1e300, 1e-300, 1e-295)).isCloseTo(1e7,
                org.assertj.core.api.Assertions.withinPercentage(1e-6)); // naive: 1e302, then infinity × anything = infinity
        assertThat(LoadGenConfig.combinedRate(100, 0, 1e-300, 1e-300, 1e300)).isCloseTo(1e-298, org.assertj.core.api.Assertions.withinPercentage(1e-6));
        assertThat(LoadGenConfig.combinedRate(100, 0, 1e300, 1e300)).isEqualTo(LoadGenConfig.MAX_RATE);
        assertThat(LoadGenConfig.combinedRate(100, 500, 10)).isEqualTo(500);
        assertThat(LoadGenConfig.combinedRate(100, 0, 4)).isEqualTo(400);
        assertThat(LoadGenConfig.isBelowFloor(LoadGenConfig.combinedRate(100, 0, 1e-300, 1e-300))).isTrue();
        assertThat(LoadGenConfig.isBelowFloor(Double.NaN)).isTrue();
        assertThat(LoadGenConfig.isBelowFloor(LoadGenConfig.MIN_RATE)).isFalse();
        for (double bad : new double[] {Double.NaN, -2, 0, Double.POSITIVE_INFINITY}) {
            org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                    .isThrownBy(() -> LoadGenConfig.combinedRate(100, 0, bad));
        }
    }

    @Test
    void activeSetsRefuseNanOrInfiniteRates() {
        for (double bad : new double[] {Double.NaN, -1, Double.POSITIVE_INFINITY}) {
            org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                    .isThrownBy(() -> new ActiveSet(1, bad, java.util.List.of(), new Counters[0], null, null));
        }
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(
                () -> new ActiveSet.Duplicates("d", Double.NaN, 0, io.stampede.loadgen.DuplicateMode.APP, new Counters("d")));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(
                () -> new ActiveSet.Duplicates("d", 0.5, -1, io.stampede.loadgen.DuplicateMode.APP, new Counters("d")));
    }
}
