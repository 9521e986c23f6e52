package io.stampede.chaos.proxy;

import io.stampede.chaos.inject.FaultStats;
import io.stampede.chaos.experiment.NatsLatency;
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
import java.time.Duration;
import java.time.Instant;

/**
 * {@code nats_latency}: a fault in the NATS proxy process ({@code ProxyMain}), keyed by the
 * experiment id, through the proxy's admin API. The proxy runs apart from the chaos API, so a
 * crash of the chaos API never stops NATS traffic; the fault stays until revert DELETEs it, or
 * until its {@code expires_at} (experiment duration plus {@link #EXPIRY_GRACE}) if the chaos API
 * never comes back. Without a {@code subject} the proxy delays bytes (nothing is reordered);
 * with one it delays the matching messages only (order per subject kept; see proxy/README.md).
 *
 * <p>Revert token: {@code {"admin_url": ..., "fault_id": ...}}.
 */
public final class NatsLatencyInjector implements FaultInjector<NatsLatency> {
    private static final Logger log = LoggerFactory.getLogger(NatsLatencyInjector.class);
    /** How long past its planned end a fault survives if nobody reverts it. */
    public static final Duration EXPIRY_GRACE = Duration.ofSeconds(60);

    private final ProxyAdminClient proxy;

    /** @param adminUrl the proxy admin base URL, e.g. {@code http://127.0.0.1:4224} */
    public NatsLatencyInjector(URI adminUrl) {
        this.proxy = new ProxyAdminClient(adminUrl);
    }

    @Override
    public Class<NatsLatency> specType() {
        return NatsLatency.class;
    }

    @Override
    public JsonObject apply(ExperimentContext ctx, NatsLatency spec) throws IOException, InterruptedException {
        String id = ctx.experimentId();
        ProxyFault fault = new ProxyFault(spec.delayMs(), spec.jitterPct(), direction(spec.direction()), 0, false,
                expiresAt(ctx, spec.durationS()),
                spec.subject() == null ? null : new MessageRule(spec.subject(), null, 0, 0, 0, null));
        JsonObject token = proxy.put(id, fault);
        log.info("nats_latency applied through proxy {}: {}", proxy.adminUrl(), fault.toJson().encode());
        return token;
    }

    @Override
    public void revert(ExperimentContext ctx, NatsLatency spec, JsonObject token) throws IOException, InterruptedException {
        JsonObject r = proxy.delete(ctx.experimentId(), token);
        log.info("nats_latency reverted on proxy {} (fault {} was {})",
                r.getString("admin_url"), r.getString("id"), r.getBoolean("removed") ? "present" : "already gone");
    }

    /** Last known proxy figures for this experiment's fault; refreshed in the background. */
    @Override
    public FaultStats stats(ExperimentContext ctx) {
        return proxy.faultStats(ctx.experimentId());
    }

    static Instant expiresAt(ExperimentContext ctx, int durationS) {
        return Instant.now().plusMillis(ctx.scaled(durationS).toMillis() + EXPIRY_GRACE.toMillis());
    }

    static ProxyFault.Direction direction(NatsLatency.Direction d) {
        return d == NatsLatency.Direction.BOTH ? ProxyFault.Direction.BOTH : ProxyFault.Direction.TO_SERVER;
    }

}
