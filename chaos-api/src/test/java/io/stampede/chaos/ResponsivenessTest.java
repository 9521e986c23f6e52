package io.stampede.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The API answers while injectors work: an apply and a revert that each take seconds (a JVM or a
 * container getting healthy) and an injector whose live stats hang never make a GET wait.
 */
class ResponsivenessTest {
    static final long SLOW_MS = 3_000;
    static final long BUDGET_MS = 250;

    /** Polls the read endpoints until stopped; records each call's latency. */
    static final class Poller implements AutoCloseable {
        final ConcurrentLinkedQueue<String> slow = new ConcurrentLinkedQueue<>();
        /** Every call's latency, ms. */
        final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;
        volatile long calls;
        volatile long worstMs;

        Poller(ApiClient client, List<String> paths) {
            this(client, paths, BUDGET_MS);
        }

        Poller(ApiClient client, List<String> paths, long budgetMs) {
            thread = new Thread(() -> {
                while (running.get()) {
                    for (String p : paths) {
                        long t0 = System.nanoTime();
                        int status = client.get(p).status();
                        long ms = (System.nanoTime() - t0) / 1_000_000;
                        calls++;
                        latencies.add(ms);
                        worstMs = Math.max(worstMs, ms);
                        if (ms > budgetMs || status != 200) {
                            slow.add(p + " took " + ms + " ms, status " + status);
                        }
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "poller");
            thread.start();
        }

        /** The q-quantile of the latencies so far (0 ≤ q ≤ 1), ms. */
        long quantileMs(double q) {
            List<Long> sorted = latencies.stream().sorted().toList();
            return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, Math.floor(q * sorted.size())));
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5_000);
        }
    }

    @Test
    void readsStayFastDuringSlowApplyRevertAndStats() throws Exception {
        Path data = ApiFixture.tempDir();
        Path rec = data.resolve("recording");
        ChaosConfig cfg = ApiFixture.config(data, 1.0);
        try (ApiFixture fx = ApiFixture.start(cfg, RecordingInjectorFactory.slow(rec, SLOW_MS, SLOW_MS, 10_000), rec)) {
            fx.client.get("/healthz"); // warm up the client and the server's first-request paths
            String id = fx.client.postJson("/experiments",
                    "{\"type\":\"service_failure\",\"service\":\"agent\",\"failure_type\":\"crash\",\"duration_s\":600}")
                    .json().getString("experiment_id");
            Poller poller = new Poller(fx.client, List.of("/healthz", "/experiments", "/experiments/" + id, "/metrics"));
            try (poller) {
                Await.until("applied after the slow apply", Duration.ofSeconds(15),
                        () -> RecordingInjector.applied(rec).contains(id));
                long t0 = System.nanoTime();
                ApiClient.Response stopped = fx.client.delete("/experiments/" + id);
                long deleteMs = (System.nanoTime() - t0) / 1_000_000;
                assertThat(stopped.status()).isEqualTo(200);
                assertThat(stopped.json().getString("fault")).isEqualTo("reverted");
                assertThat(deleteMs).as("DELETE answers once the slow revert is done").isGreaterThanOrEqualTo(SLOW_MS - 100);
                // the stats hang 10 s: the body comes without them, in time
                assertThat(stopped.json().getJsonObject("stats").getString("error")).contains("not available");
            }
            assertThat(poller.calls).as("polled throughout").isGreaterThan(40);
            assertThat(poller.slow).as("reads slower than " + BUDGET_MS + " ms (worst " + poller.worstMs + " ms)").isEmpty();
        }
    }
}
