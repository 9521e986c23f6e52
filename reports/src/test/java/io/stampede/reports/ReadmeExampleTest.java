package io.stampede.reports;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Java API" block, verbatim between the markers (ReadmeTest checks it). */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void readmeJavaApiExampleRuns() {
        long startMs = System.currentTimeMillis();
        // README begin
        try (RunWriter w = RunWriter.open(dir)) {
            w.writeRun(RunInfo.of("chaos_backpressure_1", "backpressure", "chaos-api", startMs, Map.of("rate_multiplier", 10)));
            w.appendTimeline(new TimelineEvent(startMs, "applied", "chaos_backpressure_1", Map.of("fault", "rate_multiplier")));
            SeriesWriter lateness = w.series("lateness", "publish lateness", startMs);
            SeriesWriter.Tag exp = lateness.tag("chaos_backpressure_1");   // keep the handle
            lateness.record(850);                                          // µs; allocation-free, any thread
            exp.record(850);
            lateness.writeInterval();                                      // each second, from one thread
            w.appendCounters(new CounterRecord(System.currentTimeMillis(), "loadgen", null, Map.of("sent", 1000L, "rate_per_s", 1000.0)));
            w.writeSummary(new Summary("chaos_backpressure_1", true, System.currentTimeMillis(), List.of(), w.latencyStats(), Map.of()));
            Observation o = Observation.builder("chaos_backpressure_1", RunType.BACKPRESSURE).isFinal(true)
                    .integrity(1000, 1000, 0, 0, 0).decisions(600L, 400L).targetHealthy(true).catchUp(3.0, 60).build();
            Thresholds t = Thresholds.parse(Map.of("max_catch_up_s", 30)).thresholds();
            Verdict v = VerdictBuilder.build(o, t, System.currentTimeMillis());
            w.writeVerdict(v);
        }
        RunReader r = RunReader.open(dir);
        Series s = r.series("lateness").orElseThrow();
        long p99 = s.merged().getValueAtPercentile(99);
        // README end
        assertThat(p99).isEqualTo(s.merged().highestEquivalentValue(850));
        assertThat(r.verdict().orElseThrow().status()).isEqualTo(Status.PASS);
        assertThat(r.summary().orElseThrow().latency()).hasSize(2);
    }
}
