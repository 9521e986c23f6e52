package io.stampede.chaos.experiment;

import java.util.Map;

/**
 * Stop conditions of an experiment. Either may be absent.
 *
 * @param errorRatePct abort when errors / requests over the last {@code windowS} exceed this
 * @param windowS      the error-rate window (seconds, before time scale)
 * @param targetDownS  abort when a named target stays down this long (seconds, before time scale)
 */
public record AbortIf(Double errorRatePct, int windowS, Map<String, Integer> targetDownS) {
    public AbortIf {
        targetDownS = targetDownS == null ? Map.of() : Map.copyOf(targetDownS);
    }

    public boolean isEmpty() {
        return errorRatePct == null && targetDownS.isEmpty();
    }
}
