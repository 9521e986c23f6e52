package io.stampede.proxy;

import io.stampede.proxy.api.MessageRule;
import io.stampede.proxy.api.ProxyFault;
import io.vertx.core.json.JsonObject;

import java.util.SplittableRandom;

/**
 * A message fault as the proxy loop runs it: the compiled filter, the draws and the counters.
 * Loop-confined (counters are read on the loop too, by {@code /stats}).
 *
 * <p>Draws per matching frame, in this order and only when the rate or width is non-zero: drop;
 * then (not dropped) duplicate, jitter, reorder. With a seed the sequence is exact: the i-th
 * matching frame gets the i-th draws whatever the timing.
 */
final class MessageFault {
    final String id;
    final ProxyFault fault;
    final SubjectFilter filter;
    final String client;
    final long delayNanos;
    final long jitterNanos;
    final long reorderNanos;
    final double dropRate;
    final double duplicateRate;
    private final SplittableRandom random;

    long matched;
    long delayed;
    long dropped;
    long duplicated;
    long reordered;
    /** matching frames that should have been held but were sent at once: memory budget reached */
    long unheldOverBudget;

    MessageFault(String id, ProxyFault fault) {
        MessageRule m = fault.message();
        this.id = id;
        this.fault = fault;
        this.filter = SubjectFilter.parse(m.subject());
        this.client = m.client();
        this.delayNanos = fault.delayMs() * 1_000_000L;
        this.jitterNanos = (long) (fault.jitterPct() * delayNanos);
        this.reorderNanos = m.reorderWindowMs() * 1_000_000L;
        this.dropRate = m.dropRate();
        this.duplicateRate = m.duplicateRate();
        this.random = m.seed() != null ? new SplittableRandom(m.seed()) : new SplittableRandom();
    }

    boolean appliesTo(boolean toServer, String clientName) {
        return (toServer ? fault.direction().toServer() : fault.direction().toClient())
                && (client == null || client.equals(clientName));
    }

    boolean drawDrop() {
        return dropRate > 0 && random.nextDouble() < dropRate;
    }

    boolean drawDuplicate() {
        return duplicateRate > 0 && random.nextDouble() < duplicateRate;
    }

    /** This fault's delay for one frame: delay ± jitter, never negative. */
    long drawDelay() {
        if (jitterNanos <= 0) {
            return delayNanos;
        }
        return Math.max(0, delayNanos + (long) ((random.nextDouble() * 2 - 1) * jitterNanos));
    }

    long drawReorder() {
        return reorderNanos > 0 ? (long) (random.nextDouble() * reorderNanos) : 0;
    }

    JsonObject counters() {
        return new JsonObject()
                .put("matched", matched)
                .put("delayed", delayed)
                .put("dropped", dropped)
                .put("duplicated", duplicated)
                .put("reordered", reordered)
                .put("unheld_over_budget", unheldOverBudget);
    }
}
