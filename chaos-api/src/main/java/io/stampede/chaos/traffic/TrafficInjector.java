package io.stampede.chaos.traffic;

import io.stampede.chaos.inject.FaultStats;
import io.stampede.chaos.experiment.ExperimentSpec;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.chaos.inject.FaultInjector;
import io.stampede.loadgen.LoadControls;
import io.vertx.core.json.JsonObject;

/**
 * An injector acting on the baseline traffic: availability, the experiment's window over the
 * baseline's originals, its timeline and stats are the same for every such type; subclasses
 * only say how to add and remove their control. The traffic lives in this process, so a crash of
 * the API ends the extra load with it: revert after a restart finds nothing and is a no-op.
 */
public abstract class TrafficInjector<S extends ExperimentSpec> implements FaultInjector<S> {
    private final BaselineTraffic traffic;

    TrafficInjector(BaselineTraffic traffic) {
        this.traffic = traffic;
    }

    /** The baseline traffic this injector acts on, or null when it is switched off. */
    public BaselineTraffic traffic() {
        return traffic;
    }

    /** Adds this experiment's control; returns what goes to the baseline's timeline. */
    abstract JsonObject add(LoadControls g, String experimentId, S spec);

    /** Removes it; true when it was there. */
    abstract boolean remove(LoadControls g, String experimentId);

    abstract String event();

    @Override
    public String unavailable() {
        return Traffic.unavailable(traffic);
    }

    @Override
    public JsonObject apply(ExperimentContext ctx, S spec) {
        LoadControls g = Traffic.require(traffic);
        traffic.opened(ctx.experimentId());
        traffic.timeline(event() + "_added", ctx.experimentId(), add(g, ctx.experimentId(), spec));
        return new JsonObject().put("baseline_run_dir", traffic.runDir().toString());
    }

    @Override
    public void revert(ExperimentContext ctx, S spec, JsonObject token) {
        if (traffic == null) {
            return;
        }
        traffic.closed(ctx.experimentId());
        LoadControls g = traffic.controls();
        if (g != null && remove(g, ctx.experimentId())) {
            traffic.timeline(event() + "_removed", ctx.experimentId(), new JsonObject().put("target_rate", g.currentRate()));
        }
    }

    @Override
    public FaultStats stats(ExperimentContext ctx) {
        return FaultStats.of(traffic == null ? new JsonObject() : traffic.stats(ctx.experimentId()));
    }

    @Override
    public void close() {
        if (traffic != null) {
            traffic.close();
        }
    }
}
