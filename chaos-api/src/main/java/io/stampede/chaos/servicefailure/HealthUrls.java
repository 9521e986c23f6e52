package io.stampede.chaos.servicefailure;

import java.net.HttpURLConnection;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Blocking health probes; callers run them on worker threads, never on an event loop. A probe
 * runs on a daemon thread of its own and the caller waits for it with {@link Future#get}, so an
 * interrupt of the caller ends the wait at once even while a frozen target holds the socket
 * (a blocking socket read ignores interrupts).
 */
final class HealthUrls {
    static final int PROBE_TIMEOUT_MS = 500;
    private static final ExecutorService PROBES = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "service-failure-health-probe");
        t.setDaemon(true);
        return t;
    });

    private HealthUrls() {}

    static List<String> validate(URI url) {
        if (url == null) {
            return List.of();
        }
        if (!"http".equals(url.getScheme()) || url.getHost() == null) {
            return List.of("health_url: must be an absolute http:// URL: " + url);
        }
        return List.of();
    }

    /** True when a GET answers 200 within {@code timeoutMs}; interruptible. */
    static boolean answers200(URI url, int timeoutMs) throws InterruptedException {
        Future<Boolean> probe = PROBES.submit(() -> probeOnce(url, timeoutMs));
        try {
            return probe.get(2L * timeoutMs + 100, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } finally {
            probe.cancel(true);
        }
    }

    /** One GET on the calling thread (not interruptible while the socket blocks). */
    static boolean probeOnce(URI url, int timeoutMs) {
        try {
            HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection();
            c.setConnectTimeout(timeoutMs);
            c.setReadTimeout(timeoutMs);
            c.setUseCaches(false);
            // A frozen target accepts the connection; a pooled socket would hide a restart.
            c.setRequestProperty("Connection", "close");
            try {
                int code = c.getResponseCode();
                c.getInputStream().close();
                return code == 200;
            } finally {
                c.disconnect();
            }
        } catch (Exception e) {
            return false;
        }
    }

    /** Polls until the URL answers 200; returns elapsed ms since {@code sinceNanos}, or -1 on timeout. */
    static long awaitHealthy(URI url, long sinceNanos, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (System.nanoTime() < deadline) {
            if (answers200(url, PROBE_TIMEOUT_MS)) {
                return (System.nanoTime() - sinceNanos) / 1_000_000L;
            }
            Thread.sleep(10);
        }
        return -1;
    }
}
