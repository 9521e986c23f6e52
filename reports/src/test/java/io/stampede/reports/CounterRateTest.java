package io.stampede.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.stampede.reports.CounterRate.Sample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CounterRateTest {
    static Sample s(long sec, double v) {
        return new Sample(sec * 1000, v);
    }

    @Test
    void steadyCounterExtrapolatesToTheRangeLikePrometheus() {
        // scraped every 15 s from 5 s to 50 s, counting 1/s; range [0, 60]
        List<Sample> samples = List.of(s(5, 10), s(20, 25), s(35, 40), s(50, 55));
        assertThat(CounterRate.rawIncrease(samples, 0, 60_000)).isEqualTo(45.0);
        assertThat(CounterRate.increase(samples, 0, 60_000)).isCloseTo(60.0, within(1e-9));
        assertThat(CounterRate.rate(samples, 0, 60_000)).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void extrapolationStopsAtZeroAndAtHalfAnIntervalBeyondAGap() {
        // counter started at 0 just before the first sample: extrapolate to where it was 0, not further
        List<Sample> fresh = List.of(s(30, 2), s(45, 17), s(60, 32));
        // durationToStart = 30 s > 1.1 × 15: only half an interval (7.5 s); durationToZero = 30 × 2/30 = 2 s wins
        assertThat(CounterRate.increase(fresh, 0, 60_000)).isCloseTo(30.0 * (30 + 2) / 30, within(1e-9));
        // samples far from the range's end: extrapolate by half an interval only
        List<Sample> early = List.of(s(0, 100), s(10, 110), s(20, 120));
        assertThat(CounterRate.increase(early, 0, 100_000)).isCloseTo(20.0 * (20 + 5) / 20, within(1e-9));
    }

    @Test
    void resetsCountTheNewValueAsTheIncrease() {
        List<Sample> samples = List.of(s(0, 10), s(10, 20), s(20, 5), s(30, 15));
        assertThat(CounterRate.rawIncrease(samples, 0, 30_000)).isEqualTo(10 + 5 + 10);
        assertThat(CounterRate.increase(samples, 0, 30_000)).isEqualTo(25.0);
        assertThat(CounterRate.intervals(samples)).extracting(CounterRate.Interval::increase).containsExactly(10.0, 5.0, 10.0);
    }

    @Test
    void gapsAreGapsNotZeros() {
        // no samples at 20 s and 30 s (the source was unreachable): the increase spans the gap
        List<Sample> samples = List.of(s(0, 0), s(10, 10), s(40, 40), new Sample(50_000, Double.NaN), s(60, 60));
        assertThat(CounterRate.rawIncrease(samples, 0, 60_000)).isEqualTo(60.0);
        assertThat(CounterRate.intervals(samples)).extracting(CounterRate.Interval::perSecond).containsExactly(1.0, 1.0, 1.0);
        assertThat(CounterRate.intervals(samples)).extracting(CounterRate.Interval::toMs).containsExactly(10_000L, 40_000L, 60_000L);
    }

    @Test
    void fewerThanTwoSamplesHasNoResult() {
        assertThat(CounterRate.increase(List.of(), 0, 10_000)).isNaN();
        assertThat(CounterRate.rate(List.of(s(5, 1)), 0, 10_000)).isNaN();
        assertThat(CounterRate.rawIncrease(List.of(s(5, 1), s(20, 3)), 0, 10_000)).isNaN();
    }

    @Test
    void seriesComesFromCounterRecords() {
        List<CounterRecord> records = List.of(
                new CounterRecord(1000, "sut", null, Map.of("errors", 1L, "requests", 10L)),
                new CounterRecord(1000, "sut", "chaos_x", Map.of("errors", 100L)),
                new CounterRecord(2000, "sut", null, Map.of("requests", 20L)),
                new CounterRecord(3000, "sut", null, Map.of("errors", 4L)),
                new CounterRecord(3000, "loadgen", null, Map.of("errors", 999L)));
        assertThat(CounterRate.series(records, "sut", null, "errors")).containsExactly(new Sample(1000, 1), new Sample(3000, 4));
        assertThat(CounterRate.rawIncrease(CounterRate.series(records, "sut", null, "errors"), 0, 5000)).isEqualTo(3.0);
    }

    @Test
    void catchUpIsTheFirstSecondWithNothingOverdueAndDecisionsKeepingUp() {
        long end = 100_000;
        List<CatchUp.Sample> samples = List.of(
                new CatchUp.Sample(99_000, 0, 100, 100),     // before the fault's end: ignored
                new CatchUp.Sample(101_000, 500, 100, 300),  // draining the backlog
                new CatchUp.Sample(102_000, 0, 100, 150),    // nothing overdue, but still 50 % above
                new CatchUp.Sample(103_000, 0, 100, 110),    // within 10 %
                new CatchUp.Sample(104_000, 0, 100, 100));
        CatchUp.Result r = CatchUp.of(end, samples);
        assertThat(r.catchUpS()).isEqualTo(3.0);
        CatchUp.Result never = CatchUp.of(end, samples.subList(0, 3));
        assertThat(never.catchUpS()).isNull();
        assertThat(never.observedAfterS()).isEqualTo(2.0);
    }
}
