package io.stampede.loadgen.internal;

import io.nats.client.impl.Headers;
import io.stampede.loadgen.DuplicateMode;
import java.util.List;

/**
 * The experiments acting on the traffic at one moment, immutable. A new instance is built on
 * every control change (never per message) and referenced from each ring event, so the publisher
 * knows which experiment ids a message is sent on behalf of.
 *
 * @param rate             messages per second (0, or below LoadGenConfig.MIN_RATE: paused); finite, >= 0
 * @param experimentIds    ids the originals carry in {@code Stampede-Experiment}: the active
 *                         multipliers in the order they were added, then the tagged experiments
 *                         (LoadGenerator.tag) in the order they were tagged, each once
 * @param originalCounters counters of those experiments (same order)
 * @param originalHeaders  read-only {@code Stampede-Experiment} header for originals (serialised
 *                         once, here), or null when no experiment acts
 * @param duplicate        the duplicate experiment that wins (highest rate), or null
 */
public record ActiveSet(long version, double rate, List<String> experimentIds, Counters[] originalCounters,
                        Headers originalHeaders, Duplicates duplicate) {

    public ActiveSet {
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate must be a finite number >= 0, got " + rate);
        }
    }

    /** One duplicate experiment as the pacer and publisher need it. */
    public record Duplicates(String experimentId, double rate, long delayNanos, DuplicateMode mode, Counters counters) {
        public Duplicates {
            if (!(rate > 0) || rate > 1) {
                throw new IllegalArgumentException("duplicate rate must be within (0, 1], got " + rate);
            }
            if (delayNanos < 0) {
                throw new IllegalArgumentException("duplicate delay must be >= 0, got " + delayNanos + " ns");
            }
        }
    }

    /**
     * The {@code Stampede-Experiment} header for {@code ids} (comma-separated), or null for none.
     * Built when the active set changes, never per message: read-only, so jnats keeps this
     * instance instead of copying it per message, and serialised here once (jnats caches the bytes).
     */
    public static Headers experimentHeader(List<String> ids) {
        if (ids.isEmpty()) {
            return null;
        }
        Headers h = new Headers();
        h.put(HeaderNames.EXPERIMENT, String.join(",", ids));
        Headers readOnly = new Headers(h, true, null);
        readOnly.getSerialized(); // precompute the header bytes now, on the control thread
        return readOnly;
    }

    /** The {@code Stampede-Experiment} value originals carry now, or null. */
    public String experimentHeaderValue() {
        return originalHeaders == null ? null : originalHeaders.getFirst(HeaderNames.EXPERIMENT);
    }
}
