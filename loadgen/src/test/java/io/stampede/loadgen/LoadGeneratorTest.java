package io.stampede.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Message;
import io.stampede.reports.CounterRecord;
import io.stampede.reports.RunFiles;
import io.stampede.reports.RunInfo;
import io.stampede.reports.RunReader;
import io.stampede.reports.Series;
import io.stampede.reports.Summary;
import io.stampede.testkit.Await;
import io.stampede.testkit.NatsServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class LoadGeneratorTest {
    static NatsServer nats;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void startNats() {
        nats = NatsServer.start();
    }

    @AfterAll
    static void stopNats() {
        nats.close();
    }

    private LoadGenConfig.Builder base(String subject) {
        return LoadGenConfig.builder(nats.url()).subjectPattern(subject + ".{symbol}").payloadSize(256);
    }

    @Test
    void sendsExactlyRateTimesDurationAsValidPaddedSignals(@TempDir Path dir) throws Exception {
        try (Outcomes out = new Outcomes(nats.url(), "exact.>", 50);
             LoadGenerator g = new LoadGenerator(base("exact").baselineRate(2000).duration(Duration.ofSeconds(2))
                     .runDir(dir).build()).start()) {
            assertThat(g.awaitScheduleEnd(Duration.ofSeconds(10))).isTrue();
            LoadStats s = g.stop(Duration.ZERO);
            assertThat(s.total().scheduled()).isEqualTo(4000);
            assertThat(s.total().sent()).isEqualTo(4000);
            assertThat(s.total().failed()).isZero();
            Await.until("4000 messages received", Duration.ofSeconds(5), () -> out.count.get() == 4000);
            assertThat(s.total().lateness().count()).isEqualTo(4000);

            Message m = out.kept.peek();
            assertThat(m.getData()).hasSize(256);
            JsonNode signal = JSON.readTree(m.getData());
            assertThat(signal.get("id").asText()).startsWith(g.runPrefix() + "-");
            assertThat(SignalIds.parse(g.runPrefix(), signal.get("id").asText())).isEqualTo(signal.get("seq").asLong());
            assertThat(signal.get("symbol").asText()).matches("[A-Za-z0-9_-]{1,32}");
            assertThat(m.getSubject()).isEqualTo("exact." + signal.get("symbol").asText());
            assertThat(signal.get("side").asText()).isIn("buy", "sell");
            assertThat(signal.get("price").asDouble()).isPositive();
            assertThat(signal.get("quantity").asDouble()).isPositive();
            long sentAtMicros = signal.get("sent_at").asLong();
            assertThat(Math.abs(sentAtMicros / 1000 - System.currentTimeMillis())).isLessThan(30_000);
            assertThat(m.getHeaders() == null || m.getHeaders().getFirst("Stampede-Experiment") == null).isTrue();
            assertThat(s.payloadAllocations()).isZero();

            // the run directory, read back through the reports module's reader
            RunReader r = RunReader.open(dir);
            RunInfo run = r.run().orElseThrow();
            assertThat(run.type()).isEqualTo("loadgen");
            assertThat(run.producer()).isEqualTo("loadgen");
            assertThat(run.params()).containsEntry("run_prefix", g.runPrefix()).containsEntry("payload_size", 256L);
            assertThat(run.endedAtMs()).isNotNull();
            CounterRecord last = r.counters().stream().filter(c -> c.source().equals("loadgen")).reduce((a, b) -> b).orElseThrow();
            assertThat(last.values()).containsEntry("sent", 4000L).containsEntry("scheduled", 4000L).containsEntry("failed", 0L);
            Series lateness = r.series(RunFiles.SERIES_LATENESS).orElseThrow();
            assertThat(lateness.merged().getTotalCount()).isEqualTo(4000);
            Summary summary = r.summary().orElseThrow();
            assertThat(summary.completed()).isTrue();
            assertThat(summary.counters()).contains(last);
            assertThat(summary.latency()).anySatisfy(l -> {
                assertThat(l.series()).isEqualTo("lateness");
                assertThat(l.tag()).isNull();
                assertThat(l.count()).isEqualTo(4000);
            });
            assertThat(r.problems()).isEmpty();
        }
    }

    /**
     * Round trip through the real component: a run with a multiplier and a verifier (outcomes
     * echoed by a responder) writes through RunWriter; RunReader sees both series, the tagged
     * intervals, one counter schema per source, and a summary whose counters are the last records.
     */
    @Test
    void runDirectoryIsReadBackByRunReader(@TempDir Path dir) throws Exception {
        try (io.nats.client.Connection echo = io.nats.client.Nats.connect(nats.url())) {
            echo.createDispatcher(m -> echo.publish("rtdecisions.x", m.getData())).subscribe("rt.>");
            echo.flush(Duration.ofSeconds(5));
            LoadGenConfig cfg = base("rt").baselineRate(500).duration(Duration.ofSeconds(2)).runDir(dir)
                    .verifier(VerifierConfig.defaults().withSubject("rtdecisions.>").withGrace(Duration.ofSeconds(2))).build();
            LoadStats s;
            try (LoadGenerator g = new LoadGenerator(cfg)) {
                g.addMultiplier("chaos_backpressure_rt", 2);
                g.start();
                assertThat(g.awaitScheduleEnd(Duration.ofSeconds(10))).isTrue();
                s = g.stop(Duration.ofSeconds(5));
            }
            assertThat(s.total().sent()).isEqualTo(2000);

            RunReader r = RunReader.open(dir);
            assertThat(r.seriesNames()).containsExactly("e2e", "lateness");
            Series lateness = r.series("lateness").orElseThrow();
            assertThat(lateness.merged().getTotalCount()).isEqualTo(2000);
            assertThat(lateness.merged("chaos_backpressure_rt").getTotalCount()).isEqualTo(2000);
            assertThat(lateness.intervals(null)).hasSizeGreaterThanOrEqualTo(2);
            assertThat(r.series("e2e").orElseThrow().merged().getTotalCount()).isEqualTo(s.verifier().delivered());

            List<CounterRecord> counters = r.counters();
            CounterRecord whole = lastOf(counters, "loadgen", null);
            assertThat(whole.values()).containsEntry("sent", 2000L).containsEntry("duplicates", 0L)
                    .containsKeys("rate_per_s", "target_rate_per_s", "lateness_p99_us");
            assertThat(whole.values().get("target_rate_per_s").doubleValue()).isEqualTo(1000.0);
            assertThat(lastOf(counters, "loadgen", "chaos_backpressure_rt").values()).containsEntry("sent", 2000L);
            CounterRecord verifier = lastOf(counters, "verifier", null);
            assertThat(verifier.values()).containsEntry("expected", 2000L).containsEntry("delivered", 2000L)
                    .containsEntry("lost_now", 0L).containsEntry("duplicated", 0L).containsEntry("dropped", 0L);
            // one schema: the same names as the stats' own map
            assertThat(whole.values().keySet()).containsAll(s.total().counterValues().keySet());
            assertThat(verifier.values().keySet()).isEqualTo(s.verifier().counterValues().keySet());

            Summary summary = r.summary().orElseThrow();
            assertThat(summary.counters()).containsExactlyInAnyOrder(whole, lastOf(counters, "loadgen", "chaos_backpressure_rt"), verifier);
            assertThat(summary.latency()).extracting(l -> l.series() + ":" + l.tag())
                    .containsExactlyInAnyOrder("lateness:null", "lateness:chaos_backpressure_rt", "e2e:null");
            assertThat(r.run().orElseThrow().id()).isEqualTo(dir.getFileName().toString());
            assertThat(r.problems()).isEmpty();
        }
    }

    private static CounterRecord lastOf(List<CounterRecord> records, String source, String experimentId) {
        return records.stream().filter(c -> c.source().equals(source) && java.util.Objects.equals(c.experimentId(), experimentId))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no " + source + "/" + experimentId + " record"));
    }

    /**
     * Issue 12: originals carry the ids of every experiment tagged at their turn in the schedule.
     * A real subscriber maps each sequence number to its header; the header changes exactly at
     * the controls' changes (one boundary each, within the ring's look-ahead of the call), each
     * experiment's counters equal the messages that carried its id.
     */
    @Test
    void tagsFollowTheActiveSetExactly() throws Exception {
        int rate = 2000;
        java.util.concurrent.ConcurrentHashMap<Long, String> headerOf = new java.util.concurrent.ConcurrentHashMap<>();
        try (io.nats.client.Connection sub = io.nats.client.Nats.connect(nats.url())) {
            io.nats.client.Dispatcher d = sub.createDispatcher(m -> {
                try {
                    long seq = JSON.readTree(m.getData()).get("seq").asLong();
                    String h = m.getHeaders() == null ? null : m.getHeaders().getFirst("Stampede-Experiment");
                    headerOf.put(seq, h == null ? "" : h);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            d.setPendingLimits(-1, -1);
            d.subscribe("tags.>");
            sub.flush(Duration.ofSeconds(5));
            try (LoadGenerator g = new LoadGenerator(base("tags").baselineRate(rate).build()).start()) {
                Thread.sleep(300);
                List<String> expected = new java.util.ArrayList<>(List.of(""));
                List<long[]> windows = new java.util.ArrayList<>(); // [scheduled before the change, after it]
                windows.add(change(g, () -> g.tag("chaos_service_failure_1")));
                expected.add("chaos_service_failure_1");
                windows.add(change(g, () -> g.tag("chaos_nats_latency_2")));
                expected.add("chaos_service_failure_1,chaos_nats_latency_2");
                windows.add(change(g, () -> g.addMultiplier("chaos_backpressure_3", 1.0)));
                expected.add("chaos_backpressure_3,chaos_service_failure_1,chaos_nats_latency_2");
                assertThat(g.experimentIds()).containsExactly("chaos_backpressure_3", "chaos_service_failure_1", "chaos_nats_latency_2");
                windows.add(change(g, () -> g.tag("chaos_backpressure_3"))); // already in the header: no change
                windows.remove(windows.size() - 1);
                windows.add(change(g, () -> assertThat(g.untag("chaos_service_failure_1")).isTrue()));
                expected.add("chaos_backpressure_3,chaos_nats_latency_2");
                windows.add(change(g, () -> g.removeMultiplier("chaos_backpressure_3"))); // still tagged
                expected.add("chaos_nats_latency_2,chaos_backpressure_3");
                windows.add(change(g, () -> g.untag("chaos_nats_latency_2")));
                expected.add("chaos_backpressure_3");
                windows.add(change(g, () -> g.untag("chaos_backpressure_3")));
                expected.add("");
                assertThat(g.untag("chaos_nats_latency_2")).isFalse();
                assertThat(g.experimentIds()).isEmpty();
                LoadStats s = g.stop(Duration.ZERO);
                long total = s.total().sent();
                Await.until("all received", Duration.ofSeconds(5), () -> headerOf.size() == total);

                // the header over the sequence numbers: one constant segment per active set, in order
                List<String> segments = new java.util.ArrayList<>();
                List<Long> boundaries = new java.util.ArrayList<>();
                for (long seq = 0; seq < total; seq++) {
                    String h = headerOf.get(seq);
                    if (segments.isEmpty() || !segments.get(segments.size() - 1).equals(h)) {
                        segments.add(h);
                        boundaries.add(seq);
                    }
                }
                assertThat(segments).containsExactlyElementsOf(expected);
                long lookahead = (long) Math.ceil(io.stampede.loadgen.internal.PacerLoop.LOOKAHEAD_NANOS * 1e-9 * rate) + 2;
                for (int i = 0; i < windows.size(); i++) {
                    long at = boundaries.get(i + 1);
                    assertThat(at).as("change %d applies to the first message not yet in the ring", i)
                            .isBetween(windows.get(i)[0], windows.get(i)[1] + lookahead);
                }
                // each experiment's counters count exactly the messages that carried its id
                for (String id : List.of("chaos_service_failure_1", "chaos_nats_latency_2", "chaos_backpressure_3")) {
                    long carried = headerOf.values().stream().filter(h -> List.of(h.split(",")).contains(id)).count();
                    assertThat(s.experiments().get(id).sent()).as(id).isEqualTo(carried).isPositive();
                }
                assertThat(s.payloadAllocations()).isZero();
            }
        }
    }

    /**
     * The hot path stays allocation-free with tags active (issue 12): no fresh payload array, the
     * pacer thread allocates nothing, and the publisher thread, whose bytes are jnats' own
     * per-publish objects (its message and a protocol-line builder sized with the header and data
     * lengths), allocates with three ids in the header no more than with one plus that builder's
     * growth: the header is one pre-serialised instance per active set, never built per message.
     * Measured after a warm-up, so the JIT's escape analysis is the same in every phase.
     */
    @Test
    void tagsAllocateNothingPerMessage() throws Exception {
        try (LoadGenerator g = new LoadGenerator(base("alloc").baselineRate(5000).build()).start()) {
            g.tag("chaos_service_failure_1");
            Thread.sleep(1500); // warm-up
            long[][] m = new long[4][];
            for (int round = 0; round < 2; round++) { // the second round is judged: the JIT settled in the first
                m[0] = bytesPerMessage(g, Duration.ofMillis(800));
                g.tag("chaos_nats_latency_2");
                g.addMultiplier("chaos_backpressure_3", 1.0);
                m[1] = bytesPerMessage(g, Duration.ofMillis(800));
                g.untag("chaos_nats_latency_2");
                g.removeMultiplier("chaos_backpressure_3");
                m[2] = bytesPerMessage(g, Duration.ofMillis(800));
            }
            System.out.printf("bytes per message / pacer bytes in the window: 1 id %s, 3 ids %s, 1 id %s%n",
                    java.util.Arrays.toString(m[0]), java.util.Arrays.toString(m[1]), java.util.Arrays.toString(m[2]));
            LoadStats s = g.stop(Duration.ZERO);
            assertThat(s.payloadAllocations()).isZero();
            assertThat(s.experiments().get("chaos_nats_latency_2").sent()).isPositive();
            assertThat(new long[] {m[0][1], m[1][1], m[2][1]}).as("pacer bytes").containsOnly(0L);
            // jnats itself allocates more per publish for a longer header (NatsMessage.calculate sizes its
            // protocol-line builder with the header and data lengths): measured with the same headers
            long jnatsGrowth = rawJnatsBytesPerPublish(List.of("chaos_backpressure_3", "chaos_service_failure_1", "chaos_nats_latency_2"))
                    - rawJnatsBytesPerPublish(List.of("chaos_service_failure_1"));
            System.out.printf("plain jnats publish, 3 ids vs 1 id: +%d B per publish%n", jnatsGrowth);
            assertThat(m[1][0]).as("publisher bytes/message, 3 ids vs 1 id (%d, %d), plain jnats' own growth %d",
                            m[0][0], m[2][0], jnatsGrowth)
                    .isLessThanOrEqualTo(Math.max(m[0][0], m[2][0]) + jnatsGrowth + 8);
        }
    }

    /** Runs a control change; returns {scheduled before it, scheduled after it}, then lets 300 ms pass. */
    private static long[] change(LoadGenerator g, Runnable control) throws InterruptedException {
        long before = g.stats().total().scheduled();
        control.run();
        long after = g.stats().total().scheduled();
        Thread.sleep(300);
        return new long[] {before, after};
    }

    /**
     * After 300 ms for a change to settle: {publisher thread bytes per original, pacer thread
     * bytes} during {@code window}.
     */
    private static long[] bytesPerMessage(LoadGenerator g, Duration window) throws InterruptedException {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        mx.setThreadAllocatedMemoryEnabled(true);
        long[] threads = {threadId("stampede-publisher-0"), threadId("stampede-pacer")};
        Thread.sleep(300);
        long sent0 = g.stats().total().sent();
        long[] b0 = mx.getThreadAllocatedBytes(threads);
        Thread.sleep(window.toMillis());
        long[] b1 = mx.getThreadAllocatedBytes(threads);
        long sent = Math.max(1, g.stats().total().sent() - sent0);
        return new long[] {(b1[0] - b0[0]) / sent, b1[1] - b0[1]};
    }

    /** Bytes this thread allocates per plain jnats publish of a 256 B body with the same pre-built header (warmed up). */
    private static long rawJnatsBytesPerPublish(List<String> ids) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        io.nats.client.impl.Headers h = io.stampede.loadgen.internal.ActiveSet.experimentHeader(ids);
        byte[] body = new byte[256];
        try (io.nats.client.Connection c = io.nats.client.Nats.connect(nats.url())) {
            long perPublish = 0;
            for (int round = 0; round < 3; round++) {
                long b0 = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 20_000; i++) {
                    c.publish("raw.AAPL", h, body);
                }
                perPublish = (mx.getCurrentThreadAllocatedBytes() - b0) / 20_000;
                c.flush(Duration.ofSeconds(5));
            }
            return perPublish;
        }
    }

    private static long threadId(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no thread " + name)).getId();
    }

    @Test
    void twoConnectionsShareTheScheduleExactly() throws Exception {
        try (Outcomes out = new Outcomes(nats.url(), "two.>", 0);
             LoadGenerator g = new LoadGenerator(base("two").baselineRate(3000).duration(Duration.ofSeconds(1))
                     .connections(2).build()).start()) {
            assertThat(g.awaitScheduleEnd(Duration.ofSeconds(10))).isTrue();
            LoadStats s = g.stop(Duration.ZERO);
            assertThat(s.total().sent()).isEqualTo(3000);
            Await.until("3000 received", Duration.ofSeconds(5), () -> out.count.get() == 3000);
        }
    }

    @Test
    void multiplierChangesTheRateMidRunAndTagsItsMessages() throws Exception {
        try (Outcomes out = new Outcomes(nats.url(), "mult.>", 0);
             LoadGenerator g = new LoadGenerator(base("mult").baselineRate(1000).build()).start()) {
            Thread.sleep(500);
            long tAdd = System.nanoTime();
            g.addMultiplier("chaos_backpressure_1", 4);
            assertThat(g.currentRate()).isEqualTo(4000);
            long before = g.stats().total().sent();
            long t0 = System.nanoTime();
            Thread.sleep(1000);
            long after = g.stats().total().sent();
            double rate = (after - before) * 1e9 / (System.nanoTime() - t0);
            assertThat(rate).isCloseTo(4000, within(400.0));
            g.removeMultiplier("chaos_backpressure_1");
            double activeSeconds = (System.nanoTime() - tAdd) / 1e9;
            before = g.stats().total().sent();
            t0 = System.nanoTime();
            Thread.sleep(1000);
            rate = (g.stats().total().sent() - before) * 1e9 / (System.nanoTime() - t0);
            assertThat(rate).isCloseTo(1000, within(150.0));
            LoadStats s = g.stop(Duration.ZERO);
            TrafficStats e = s.experiments().get("chaos_backpressure_1");
            assertThat((double) e.sent()).isCloseTo(4000 * activeSeconds, within(400 * activeSeconds));
            Await.until("all received", Duration.ofSeconds(5), () -> out.count.get() == s.total().sent());
            assertThat(out.header("orig:chaos_backpressure_1")).isEqualTo(e.sent());
            assertThat(out.header("orig:null")).isEqualTo(s.total().sent() - e.sent());
        }
    }

    @Test
    void duplicatesAreAnExactFractionAndCarryTheBusinessIdWithoutNatsMsgId() throws Exception {
        try (Outcomes out = new Outcomes(nats.url(), "dup.>", 100_000);
             LoadGenerator g = new LoadGenerator(base("dup").baselineRate(2000).duration(Duration.ofSeconds(2)).build())) {
            g.addDuplicates("chaos_duplicate_messages_1", 0.2, 50, DuplicateMode.APP);
            g.addDuplicates("chaos_duplicate_messages_2", 0.05, 0, DuplicateMode.APP); // lower rate: not acting
            g.start();
            assertThat(g.awaitScheduleEnd(Duration.ofSeconds(10))).isTrue();
            LoadStats s = g.stop(Duration.ZERO);
            assertThat(s.total().sent()).isEqualTo(4000);
            assertThat(s.total().duplicatesSent()).isEqualTo(800);
            assertThat(s.experiments().get("chaos_duplicate_messages_1").duplicatesSent()).isEqualTo(800);
            assertThat(s.experiments().get("chaos_duplicate_messages_2").duplicatesSent()).isZero();
            Await.until("4800 received", Duration.ofSeconds(5), () -> out.count.get() == 4800);
            assertThat(out.header("dup:chaos_duplicate_messages_1")).isEqualTo(800);
            Message dup = out.kept.stream().filter(m -> m.getHeaders() != null && m.getHeaders().getFirst("Stampede-Duplicate") != null)
                    .findFirst().orElseThrow();
            String id = JSON.readTree(dup.getData()).get("id").asText();
            assertThat(dup.getHeaders().getFirst("Stampede-Msg-Id")).isEqualTo(id);
            assertThat(dup.getHeaders().getFirst("Nats-Msg-Id")).isNull();
            long originals = out.kept.stream().filter(m -> {
                try {
                    return JSON.readTree(m.getData()).get("id").asText().equals(id);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).count();
            assertThat(originals).isEqualTo(2); // the original and its duplicate, same body id
        }
    }

    @Test
    void streamModeDuplicatesAreDroppedByTheStreamAndCountedFromTheAcks() throws Exception {
        try (io.nats.client.Connection c = io.nats.client.Nats.connect(nats.url())) {
            c.jetStreamManagement().addStream(io.nats.client.api.StreamConfiguration.builder().name("SDUP").subjects("sdup.>")
                    .storageType(io.nats.client.api.StorageType.Memory).duplicateWindow(Duration.ofMinutes(2)).build());
            try (LoadGenerator g = new LoadGenerator(base("sdup").baselineRate(500).duration(Duration.ofSeconds(1))
                    .mode(PublishMode.JETSTREAM).build())) {
                g.addDuplicates("chaos_duplicate_messages_s", 0.5, 0, DuplicateMode.STREAM);
                g.start();
                assertThat(g.awaitScheduleEnd(Duration.ofSeconds(10))).isTrue();
                LoadStats s = g.stop(Duration.ZERO);
                assertThat(s.total().sent()).isEqualTo(500);
                assertThat(s.total().duplicatesSent()).isEqualTo(250);
                assertThat(s.total().acked()).isEqualTo(750);
                assertThat(s.total().ackDuplicates()).isEqualTo(250);
                assertThat(s.experiments().get("chaos_duplicate_messages_s").ackDuplicates()).isEqualTo(250);
                assertThat(s.total().failed()).isZero();
                assertThat(c.jetStreamManagement().getStreamInfo("SDUP").getStreamState().getMsgCount()).isEqualTo(500);
            }
        }
    }

    @Test
    void serverRestartIsCountedAndTheScheduleResumes() throws Exception {
        try (NatsServer own = NatsServer.start();
             LoadGenerator g = new LoadGenerator(LoadGenConfig.builder(own.url()).baselineRate(2000).build()).start()) {
            Await.until("sending", Duration.ofSeconds(5), () -> g.stats().total().sent() > 1000);
            own.stop();
            Thread.sleep(1500);
            own.restart();
            long atRestart = g.stats().total().sent();
            Await.until("sending again", Duration.ofSeconds(10), () -> g.stats().total().sent() > atRestart + 2000);
            LoadStats s = g.stop(Duration.ZERO);
            TrafficStats t = s.total();
            // every scheduled message is accounted for: handed over (some of them buffered) or failed
            assertThat(t.sent() + t.failed()).isEqualTo(t.scheduled());
            assertThat(t.buffered() + t.failed()).isPositive();
        }
    }
}
