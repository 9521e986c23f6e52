package io.stampede.reports;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunRoundTripTest {
    static final long T0 = 1_764_180_000_000L;

    @TempDir
    Path dir;

    @Test
    void runJsonRoundTripsAndIsReplacedAtomically() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("rate_multiplier", 10);
        params.put("duration_s", 30.5);
        params.put("note", null);
        params.put("subjects", List.of("signals.a", "signals.b"));
        params.put("nested", Map.of("k", true));
        RunInfo run = RunInfo.of("chaos_backpressure_1", "backpressure", "chaos-api", T0, params).withPlanId("plan_7");
        try (RunWriter w = RunWriter.open(dir)) {
            w.writeRun(run);
            assertThat(RunReader.open(dir).run()).contains(run);
            RunInfo ended = run.started(T0 + 1000).ended(T0 + 31_000);
            w.writeRun(ended);
            assertThat(RunReader.open(dir).run()).contains(ended);
        }
        try (var files = list(dir)) {
            assertThat(files).noneMatch(f -> f.endsWith(".tmp"));
        }
    }

    @Test
    void timelineAndCountersRoundTripOneSchemaEach() {
        TimelineEvent applied = new TimelineEvent(T0 + 10, "applied", "chaos_nats_latency_2", Map.of("apply_ms", 3.5, "fault", "proxy_delay"));
        TimelineEvent runEvent = new TimelineEvent(T0 + 20, "target_down", null, Map.of());
        Map<String, Number> v = new LinkedHashMap<>();
        v.put("sent", 1000L);
        v.put("failed", 0L);
        v.put("rate_per_s", 499.5);
        v.put("target_rate_per_s", 500.0); // whole doubles come back as longs: equal after normalisation
        v.put("acked", 7);
        CounterRecord whole = new CounterRecord(T0 + 1000, "loadgen", null, v);
        CounterRecord perExp = new CounterRecord(T0 + 1000, "loadgen", "chaos_backpressure_1", Map.of("sent", 400L));
        try (RunWriter w = RunWriter.open(dir)) {
            w.appendTimeline(applied, runEvent);
            w.appendCounters(whole, perExp);
        }
        TimelineEvent later = new TimelineEvent(T0 + 30, "reverted", "chaos_nats_latency_2", Map.of("revert_ms", 1L));
        RunWriter.appendTimeline(dir, later);
        RunReader r = RunReader.open(dir);
        assertThat(r.timeline()).containsExactly(applied, runEvent, later);
        assertThat(r.counters()).containsExactly(whole, perExp);
        assertThat(r.problems()).isEmpty();
        assertThat(CounterRecord.isGauge("rate_per_s")).isTrue();
        assertThat(CounterRecord.isGauge("sent")).isFalse();
    }

    @Test
    void appendsAcrossWritersAndThreadsGiveWholeLines() throws Exception {
        int threads = 4;
        int perThread = 500;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        List<RunWriter> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            RunWriter w = RunWriter.open(dir); // one writer per thread: as separate processes would
            writers.add(w);
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    w.appendCounters(new CounterRecord(T0 + i, "src" + id, null, Map.of("n", (long) i, "pad_bytes", 123456789L)));
                }
            });
            th.start();
            ts.add(th);
        }
        go.countDown();
        for (Thread t : ts) {
            t.join();
        }
        writers.forEach(RunWriter::close);
        RunReader r = RunReader.open(dir);
        assertThat(r.counters()).hasSize(threads * perThread);
        assertThat(r.problems()).isEmpty();
    }

    @Test
    void tornLastLinesAreIgnoredAndBadMiddleLinesReported() throws Exception {
        try (RunWriter w = RunWriter.open(dir)) {
            w.appendTimeline(new TimelineEvent(T0, "started", "e1", null));
            w.appendCounters(new CounterRecord(T0, "loadgen", null, Map.of("sent", 1L)));
        }
        Files.writeString(dir.resolve(RunFiles.TIMELINE_JSONL), "{\"ts_ms\":" + (T0 + 5) + ",\"event\":\"appl",
                StandardOpenOption.APPEND);
        Files.writeString(dir.resolve(RunFiles.COUNTERS_JSONL), "not json\n{\"ts_ms\":" + (T0 + 2)
                + ",\"source\":\"loadgen\",\"experiment_id\":null,\"values\":{\"sent\":2}}\n{\"ts_ms\":1,\"sou",
                StandardOpenOption.APPEND);
        RunReader r = RunReader.open(dir);
        assertThat(r.timeline()).extracting(TimelineEvent::event).containsExactly("started");
        assertThat(r.counters()).extracting(c -> c.values().get("sent")).containsExactly(1L, 2L);
        assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p.field()).isEqualTo("counters.jsonl:2"));
    }

    @Test
    void lastLineWithoutNewlineCountsWhenComplete() throws Exception {
        Files.writeString(dir.resolve(RunFiles.TIMELINE_JSONL),
                "{\"ts_ms\":1,\"event\":\"a\",\"experiment_id\":null,\"data\":{}}\n{\"ts_ms\":2,\"event\":\"b\",\"experiment_id\":\"x\",\"data\":{}}");
        assertThat(RunReader.open(dir).timeline()).extracting(TimelineEvent::event).containsExactly("a", "b");
    }

    @Test
    void acceptedIdsRoundTripAndAreFollowedLineByLine() throws Exception {
        try (RunWriter w = RunWriter.open(dir)) {
            w.appendAccepted(new AcceptedIds(1000, "chaos_load_test_1", new long[] {0, 2, 1}));
            w.appendAccepted(new AcceptedIds(2000, "chaos_load_test_1", new long[0])); // nothing: no line
            w.appendAccepted(new AcceptedIds(3000, "chaos_load_test_1", new long[] {3}));
        }
        RunReader r = RunReader.open(dir);
        assertThat(r.accepted()).containsExactly(new AcceptedIds(1000, "chaos_load_test_1", new long[] {0, 2, 1}),
                new AcceptedIds(3000, "chaos_load_test_1", new long[] {3}));
        // following: a line still being written is left for the next call
        Files.writeString(dir.resolve(RunFiles.ACCEPTED_JSONL), "{\"ts_ms\":4000,\"id_prefix\":\"chaos_load_test_1\",\"seqs\":[4,",
                StandardOpenOption.APPEND);
        List<Long> seen = new ArrayList<>();
        long offset = r.acceptedFrom(0, a -> { for (long s : a.seqs()) seen.add(s); });
        assertThat(seen).containsExactly(0L, 2L, 1L, 3L);
        assertThat(r.acceptedFrom(offset, a -> seen.add(-1L))).isEqualTo(offset);
        Files.writeString(dir.resolve(RunFiles.ACCEPTED_JSONL), "5]}\n", StandardOpenOption.APPEND);
        long end = r.acceptedFrom(offset, a -> { for (long s : a.seqs()) seen.add(s); });
        assertThat(seen).containsExactly(0L, 2L, 1L, 3L, 4L, 5L);
        assertThat(end).isEqualTo(Files.size(dir.resolve(RunFiles.ACCEPTED_JSONL)));
        assertThat(r.problems()).isEmpty();
        assertThat(RunReader.open(dir).acceptedFrom(0, a -> { })).isEqualTo(end);
    }

    @Test
    void absentFilesReadEmpty() {
        RunReader r = RunReader.open(dir);
        assertThat(r.run()).isEmpty();
        assertThat(r.timeline()).isEmpty();
        assertThat(r.counters()).isEmpty();
        assertThat(r.summary()).isEmpty();
        assertThat(r.verdict()).isEmpty();
        assertThat(r.seriesNames()).isEmpty();
        assertThat(r.series("lateness")).isEmpty();
    }

    @Test
    void seriesRoundTripSeveralSeriesTagsAndIntervals() {
        Random rnd = new Random(42);
        // what we expect: histograms recorded directly with the same values
        Histogram[] expectedLatenessIntervals = new Histogram[3];
        Histogram expectedLateness = new Histogram(SeriesWriter.DEFAULT_HIGHEST_US, 3);
        Histogram expectedTag = new Histogram(SeriesWriter.DEFAULT_HIGHEST_US, 3);
        Histogram expectedE2e = new Histogram(SeriesWriter.DEFAULT_HIGHEST_US, 3);
        List<LatencyStats> writerStats;
        try (RunWriter w = RunWriter.open(dir)) {
            SeriesWriter lateness = w.series("lateness", "publish lateness", T0);
            SeriesWriter e2e = w.series("e2e", "end to end", T0);
            SeriesWriter.Tag exp = lateness.tag("chaos_backpressure_1");
            for (int i = 0; i < 3; i++) {
                expectedLatenessIntervals[i] = new Histogram(SeriesWriter.DEFAULT_HIGHEST_US, 3);
                for (int k = 0; k < 10_000; k++) {
                    long us = (long) Math.abs(rnd.nextGaussian() * 5_000 * (i + 1)) + 10;
                    lateness.record(us);
                    expectedLatenessIntervals[i].recordValue(us);
                    expectedLateness.recordValue(us);
                    if (i == 1 && k % 4 == 0) {
                        exp.record(us);
                        expectedTag.recordValue(us);
                    }
                    long e = us * 7 + 1_000;
                    e2e.record(e);
                    expectedE2e.recordValue(e);
                }
                lateness.writeInterval(T0 + 1000L * (i + 1));
                e2e.writeInterval(T0 + 1000L * (i + 1));
            }
            writerStats = w.latencyStats();
        }
        RunReader r = RunReader.open(dir);
        assertThat(r.seriesNames()).containsExactly("e2e", "lateness");
        Series s = r.series("lateness").orElseThrow();
        assertThat(s.startTimeMs()).isEqualTo(T0);
        // 3 untagged + 1 tagged (the tag recorded in interval 2 only); close() adds no empty interval
        List<Histogram> untagged = s.intervals(null);
        assertThat(untagged).hasSize(3);
        assertThat(s.intervals()).hasSize(4);
        for (int i = 0; i < 3; i++) {
            Histogram h = untagged.get(i);
            assertThat(h).isEqualTo(expectedLatenessIntervals[i]);
            assertThat(h.getStartTimeStamp()).isEqualTo(T0 + 1000L * i);
            assertThat(h.getEndTimeStamp()).isEqualTo(T0 + 1000L * (i + 1));
        }
        assertThat(s.intervals("chaos_backpressure_1")).hasSize(1);
        assertThat(s.tags()).containsExactly("chaos_backpressure_1");
        assertSameDistribution(s.merged(), expectedLateness);
        assertSameDistribution(s.merged("chaos_backpressure_1"), expectedTag);
        assertSameDistribution(r.series("e2e").orElseThrow().merged(), expectedE2e);
        assertThat(writerStats).contains(LatencyStats.of("lateness", null, expectedLateness),
                LatencyStats.of("lateness", "chaos_backpressure_1", expectedTag), LatencyStats.of("e2e", null, expectedE2e));
        assertThat(s.stats(null)).isEqualTo(LatencyStats.of("lateness", null, expectedLateness));
    }

    @Test
    void appendedHistogramsFromElsewhereAreWrittenAsIntervals() {
        Histogram agentA = new Histogram(3);
        agentA.recordValue(100);
        agentA.recordValue(200);
        agentA.setStartTimeStamp(T0);
        agentA.setEndTimeStamp(T0 + 1000);
        try (RunWriter w = RunWriter.open(dir)) {
            SeriesWriter s = w.series("http", "HTTP response time from intended send time", T0);
            s.append(agentA, null);
            s.append(agentA, "chaos_load_test_3");
        }
        Series s = RunReader.open(dir).series("http").orElseThrow();
        assertThat(s.merged().getTotalCount()).isEqualTo(2);
        assertThat(s.merged("chaos_load_test_3").getMaxValue()).isEqualTo(agentA.getMaxValue());
    }

    @Test
    void tornHlogLastLineIsIgnored() throws Exception {
        try (RunWriter w = RunWriter.open(dir)) {
            SeriesWriter s = w.series("e2e", null, T0);
            s.record(1234);
            s.writeInterval(T0 + 1000);
            s.record(99);
            s.writeInterval(T0 + 2000);
        }
        Path f = dir.resolve("e2e.hlog");
        String text = Files.readString(f);
        String[] lines = text.split("\n");
        String last = lines[lines.length - 1];
        // cut the file in the middle of the last interval line (as a crash would leave it)
        String torn = text.substring(0, text.length() - 1 - last.length()) + last.substring(0, last.length() / 2);
        Files.writeString(f, torn, StandardCharsets.UTF_8);
        RunReader r = RunReader.open(dir);
        Series s = r.series("e2e").orElseThrow();
        assertThat(s.intervals()).hasSizeBetween(1, 2);
        assertThat(s.merged().getTotalCount()).isBetween(1L, 2L);
        assertThat(s.intervals().get(0).getMaxValue()).isEqualTo(new Histogram(3) {{ recordValue(1234); }}.getMaxValue());
        assertThat(r.problems()).isEmpty();
    }

    @Test
    void valuesAreClampedToTheRange() {
        try (RunWriter w = RunWriter.open(dir)) {
            SeriesWriter s = w.series("e2e", null, T0, 1_000_000);
            s.record(-5);
            s.record(5_000_000);
        }
        Histogram h = RunReader.open(dir).series("e2e").orElseThrow().merged();
        assertThat(h.getTotalCount()).isEqualTo(2);
        assertThat(h.getMinValue()).isZero();
        assertThat(h.getMaxValue()).isEqualTo(h.highestEquivalentValue(1_000_000));
    }

    @Test
    void recordingAllocatesNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (RunWriter w = RunWriter.open(dir)) {
            SeriesWriter s = w.series("lateness", null, T0);
            SeriesWriter.Tag tag = s.tag("e1");
            for (int i = 0; i < 200_000; i++) { // warm up (JIT), fill both recorder buffers' ranges
                s.record(i % 100_000);
                tag.record(i % 100_000);
            }
            s.writeInterval(T0 + 1000);
            s.writeInterval(T0 + 2000);
            long tid = Thread.currentThread().getId();
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 1_000_000; i++) {
                s.record(i % 1_000_000);
                tag.record(i % 1_000_000);
            }
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            // Two million records: one allocation per record would be >= 32 MB. A few KiB of one-off
            // noise (JIT on-stack replacement, the MXBean call itself) are tolerated.
            assertThat(allocated).as("bytes allocated by 2e6 record() calls").isLessThan(64 * 1024);
        }
    }

    @Test
    void summaryRoundTrips() {
        Histogram h = new Histogram(3);
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i * 10L);
        }
        Summary s = new Summary("chaos_load_test_3", true, T0 + 60_000,
                List.of(new CounterRecord(T0 + 60_000, "gatling", null, Map.of("requests", 3000L, "ok", 2990L, "ko", 10L))),
                List.of(LatencyStats.of("http", null, h), LatencyStats.of("http", "x", new Histogram(3))),
                Map.of("achieved_per_s", 49.9, "measured_window_s", 60L));
        try (RunWriter w = RunWriter.open(dir)) {
            w.writeSummary(s);
        }
        assertThat(RunReader.open(dir).summary()).contains(s);
    }

    @Test
    void verdictRoundTrips() {
        Verdict v = VerdictBuilder.build(Observation.builder("chaos_backpressure_1", RunType.BACKPRESSURE).isFinal(true)
                .integrity(1000, 998, 1, 0, 0).decisions(500L, 498L).targetHealthy(true).catchUp(4.25, 30).build(),
                Thresholds.DEFAULTS, T0);
        try (RunWriter w = RunWriter.open(dir)) {
            w.writeVerdict(v);
        }
        assertThat(RunReader.open(dir).verdict()).contains(v);
    }

    private static void assertSameDistribution(Histogram actual, Histogram expected) {
        assertThat(actual.getTotalCount()).isEqualTo(expected.getTotalCount());
        for (double p : new double[] {0, 50, 90, 95, 99, 99.9, 100}) {
            assertThat(actual.getValueAtPercentile(p)).as("p%s", p).isEqualTo(expected.getValueAtPercentile(p));
        }
        assertThat(actual.getMean()).isEqualTo(expected.getMean());
    }

    private static java.util.stream.Stream<String> list(Path dir) {
        try {
            return Files.list(dir).map(p -> p.getFileName().toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
