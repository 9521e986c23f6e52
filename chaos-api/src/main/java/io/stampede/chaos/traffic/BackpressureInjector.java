package io.stampede.chaos.traffic;

import io.stampede.chaos.experiment.Backpressure;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.chaos.inject.FaultInjector;
import io.stampede.loadgen.LoadGenerator;
import io.vertx.core.json.JsonObject;

/**
 * {@code backpressure}: multiplies the baseline traffic's rate while it runs. Several multiply
 * (the total is capped by STAMPEDE_MAX_MESSAGE_RATE, checked at POST). The traffic lives in this
 * process, so a crash of the API ends the extra load with it: revert after a restart is a no-op.
 */
public final class BackpressureInjector implements FaultInjector<Backpressure> {
    private final BaselineTraffic traffic;

    public BackpressureInjector(BaselineTraffic traffic) {
        this.traffic = traffic;
    }

    @Override
    public Class<Backpressure> specType() {
        return Backpressure.class;
    }

    @Override
    public String unavailable() {
        return Traffic.unavailable(traffic);
    }

    @Override
    public JsonObject apply(ExperimentContext ctx, Backpressure spec) {
        LoadGenerator g = Traffic.require(traffic);
        traffic.opened(ctx.experimentId());
        g.addMultiplier(ctx.experimentId(), spec.rateMultiplier());
        traffic.timeline("multiplier_added", ctx.experimentId(), new JsonObject()
                .put("rate_multiplier", spec.rateMultiplier()).put("target_rate", g.currentRate()));
        return new JsonObject().put("baseline_run_dir", traffic.runDir().toString());
    }

    @Override
    public void revert(ExperimentContext ctx, Backpressure spec, JsonObject token) {
        LoadGenerator g = traffic == null ? null : traffic.generator();
        if (traffic != null) {
            traffic.closed(ctx.experimentId());
        }
        if (g != null && g.removeMultiplier(ctx.experimentId())) {
            traffic.timeline("multiplier_removed", ctx.experimentId(), new JsonObject().put("target_rate", g.currentRate()));
        }
    }

    @Override
    public JsonObject stats(ExperimentContext ctx) {
        return traffic == null ? new JsonObject() : traffic.stats(ctx.experimentId());
    }

    @Override
    public void close() {
        if (traffic != null) {
            traffic.close();
        }
    }
}
