package io.stampede.chaos.proxy;

import io.stampede.chaos.inject.FaultStats;
import io.stampede.chaos.experiment.DuplicateMessages;
import io.stampede.chaos.experiment.SpecType;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.chaos.inject.FaultInjector;
import io.stampede.proxy.api.MessageRule;
import io.stampede.proxy.api.ProxyFault;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;

/**
 * {@code duplicate_messages} by its {@code source}: {@code baseline} goes to the baseline traffic's
 * injector (today's behaviour); {@code bus} puts a message fault in the proxy that delivers that
 * fraction of the system's own deliveries on {@code subject} twice, the same frame (to_client).
 * The token records the source ({@code "source":"bus"}), so revert after a crash takes the same way.
 */
public final class DuplicateMessagesRouter implements FaultInjector<DuplicateMessages> {
    private static final Logger log = LoggerFactory.getLogger(DuplicateMessagesRouter.class);

    private final FaultInjector<DuplicateMessages> baseline;
    private final ProxyAdminClient proxy;

    public DuplicateMessagesRouter(FaultInjector<DuplicateMessages> baseline, URI proxyAdminUrl) {
        this.baseline = baseline;
        this.proxy = new ProxyAdminClient(proxyAdminUrl);
    }

    @Override
    public Class<DuplicateMessages> specType() {
        return DuplicateMessages.class;
    }

    @Override
    public String unavailable(DuplicateMessages spec) {
        return spec.source() == DuplicateMessages.Source.BUS ? null : baseline.unavailable();
    }

    @Override
    public String unavailable() {
        return baseline.unavailable();
    }

    static ProxyFault busFault(DuplicateMessages spec, java.time.Instant expiresAt) {
        return new ProxyFault(0, 0, ProxyFault.Direction.TO_CLIENT, 0, false, expiresAt,
                new MessageRule(spec.subject() == null ? ">" : spec.subject(), null, 0, spec.duplicateRate(), 0, null));
    }

    @Override
    public JsonObject apply(ExperimentContext ctx, DuplicateMessages spec) throws Exception {
        if (spec.source() != DuplicateMessages.Source.BUS) {
            return baseline.apply(ctx, spec);
        }
        ProxyFault fault = busFault(spec, NatsLatencyInjector.expiresAt(ctx, spec.durationS()));
        JsonObject token = proxy.put(ctx.experimentId(), fault).put("source", "bus");
        log.info("duplicate_messages (bus) applied through proxy {}: {}", proxy.adminUrl(), fault.toJson().encode());
        return token;
    }

    @Override
    public void revert(ExperimentContext ctx, DuplicateMessages spec, JsonObject token) throws Exception {
        boolean bus = token != null ? "bus".equals(token.getString("source")) : spec.source() == DuplicateMessages.Source.BUS;
        if (!bus) {
            baseline.revert(ctx, spec, token);
            return;
        }
        JsonObject r = proxy.delete(ctx.experimentId(), token);
        log.info("duplicate_messages (bus) reverted on proxy {}: {}", r.getString("admin_url"), r.encode());
    }

    @Override
    public FaultStats stats(ExperimentContext ctx) {
        FaultStats p = proxy.faultStats(ctx.experimentId());
        return p.json().containsKey("fault") || p.json().containsKey("counters_final") ? p : baseline.stats(ctx);
    }

    @Override
    public void close() {
        baseline.close();
    }
}
