package io.stampede.chaos.servicefailure;

import java.net.HttpURLConnection;
import java.net.URI;
import java.util.List;

/** Blocking health probes; callers run them on worker threads, never on an event loop. */
final class HealthUrls {
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

    /** True when a GET answers 200 within {@code timeoutMs}. */
    static boolean answers200(URI url, int timeoutMs) {
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
            if (answers200(url, 500)) {
                return (System.nanoTime() - sinceNanos) / 1_000_000L;
            }
            Thread.sleep(10);
        }
        return -1;
    }
}
