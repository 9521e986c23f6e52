package io.stampede.chaos.inject;

import io.vertx.core.json.JsonObject;

/**
 * What an injector reports of its fault: the API's view ({@code stats} of
 * {@code GET /experiments/{id}}, serialised once, as it is) and the typed figures a verdict reads
 * (null where the fault has none).
 *
 * @param json     the API's view of the figures
 * @param messages a message fault's counters in the proxy
 * @param http     a load test's HTTP requests
 * @param accepted a load test's requests answered 202 and their decisions
 */
public record FaultStats(JsonObject json, MessageCounts messages, HttpCounts http, AcceptedCounts accepted) {

    /** The proxy's counters of one message fault. */
    public record MessageCounts(long matched, long delayed, long dropped, long duplicated, long reordered) {}

    /** A load test's requests so far: all, failed, and the 95th percentile once its summary is written (else null). */
    public record HttpCounts(long requests, long ko, Double p95Ms) {}

    /** A load test's requests answered 202: expected = 202s, delivered = with a decision, missing = without one yet. */
    public record AcceptedCounts(long expected, long delivered, long missing, long duplicated, long unexpected, long republished) {}

    public FaultStats {
        json = json == null ? new JsonObject() : json;
    }

    /** Figures only for the API's view. */
    public static FaultStats of(JsonObject json) {
        return new FaultStats(json, null, null, null);
    }

    public static FaultStats empty() {
        return of(new JsonObject());
    }

    /** The API's view when the figures are not there (an injector that failed or did not answer in time). */
    public static FaultStats error(String message) {
        return of(new JsonObject().put("error", message));
    }
}
