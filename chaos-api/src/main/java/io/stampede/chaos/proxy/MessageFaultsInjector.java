package io.stampede.chaos.proxy;

import io.stampede.chaos.inject.FaultStats;
import io.stampede.chaos.experiment.MessageFaults;
import io.stampede.chaos.experiment.SpecType;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.chaos.inject.FaultInjector;
import io.stampede.proxy.api.MessageRule;
import io.stampede.proxy.api.ProxyFault;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;

/**
 * {@code message_faults}: a message fault in the NATS proxy (drop, duplicate, delay, reorder the
 * messages whose subject matches), keyed by the experiment id like {@link NatsLatencyInjector}.
 * Its {@code stats} carry the proxy's counters {@code matched}, {@code delayed}, {@code dropped},
 * {@code duplicated}, {@code reordered} as top-level keys (final values after revert).
 *
 * <p>Revert token: {@code {"admin_url": ..., "fault_id": ...}}.
 */
public final class MessageFaultsInjector implements FaultInjector<MessageFaults> {
    private static final Logger log = LoggerFactory.getLogger(MessageFaultsInjector.class);

    private final ProxyAdminClient proxy;

    public MessageFaultsInjector(URI adminUrl) {
        this.proxy = new ProxyAdminClient(adminUrl);
    }

    @Override
    public Class<MessageFaults> specType() {
        return MessageFaults.class;
    }

    static ProxyFault fault(MessageFaults spec, java.time.Instant expiresAt) {
        ProxyFault.Direction d = switch (spec.direction()) {
            case TO_SERVER -> ProxyFault.Direction.TO_SERVER;
            case TO_CLIENT -> ProxyFault.Direction.TO_CLIENT;
            case BOTH -> ProxyFault.Direction.BOTH;
        };
        return new ProxyFault(spec.delayMs(), spec.jitterPct(), d, 0, false, expiresAt,
                new MessageRule(spec.subject(), spec.client(), spec.dropRate(), spec.duplicateRate(), spec.reorderWindowMs(), null));
    }

    @Override
    public JsonObject apply(ExperimentContext ctx, MessageFaults spec) throws IOException, InterruptedException {
        ProxyFault fault = fault(spec, NatsLatencyInjector.expiresAt(ctx, spec.durationS()));
        JsonObject token = proxy.put(ctx.experimentId(), fault);
        log.info("message_faults applied through proxy {}: {}", proxy.adminUrl(), fault.toJson().encode());
        return token;
    }

    @Override
    public void revert(ExperimentContext ctx, MessageFaults spec, JsonObject token) throws IOException, InterruptedException {
        JsonObject r = proxy.delete(ctx.experimentId(), token);
        log.info("message_faults reverted on proxy {}: {}", r.getString("admin_url"), r.encode());
    }

    @Override
    public FaultStats stats(ExperimentContext ctx) {
        return proxy.faultStats(ctx.experimentId());
    }
}
