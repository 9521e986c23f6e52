package io.stampede.chaos.lifecycle;

import io.stampede.chaos.ChaosConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads counters from the system under test's Prometheus pages (guardrails, SUT samples): each
 * page once per round, within a deadline. A page that does not answer, or a metric it lacks, is
 * NaN — a gap, never a zero.
 */
final class MetricsPages {
    // HTTP/1.1: the JDK client's h2c upgrade against these servers was seen to wait far past its
    // request timeout, so the deadline is also enforced here on the future
    private final HttpClient http;
    private final Duration timeout;

    MetricsPages(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /** Each ref's value (the sum over its label sets), NaN where unavailable; one request per page. */
    Map<ChaosConfig.MetricRef, Double> read(List<ChaosConfig.MetricRef> refs) {
        Map<URI, String> pages = new LinkedHashMap<>();
        Map<ChaosConfig.MetricRef, Double> values = new LinkedHashMap<>();
        for (ChaosConfig.MetricRef ref : refs) {
            String page = pages.computeIfAbsent(ref.url(), this::fetch);
            values.put(ref, page.isEmpty() ? Double.NaN : PrometheusText.sum(page, ref.metric()));
        }
        return values;
    }

    /** The page's body, or "" when it did not answer 200 in time. */
    private String fetch(URI url) {
        try {
            var call = http.sendAsync(HttpRequest.newBuilder(url).timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
            try {
                HttpResponse<String> r = call.get(timeout.toMillis() + 200, TimeUnit.MILLISECONDS);
                return r.statusCode() == 200 ? r.body() : "";
            } catch (TimeoutException slow) {
                call.cancel(true);
                return "";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } catch (Exception e) {
            return "";
        }
    }
}
