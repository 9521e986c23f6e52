package io.stampede.chaos.traffic;

import io.stampede.chaos.experiment.Backpressure;
import io.stampede.loadgen.LoadControls;
import io.vertx.core.json.JsonObject;

/**
 * {@code backpressure}: multiplies the baseline traffic's rate while it runs. Several multiply
 * (the total is capped by STAMPEDE_MAX_MESSAGE_RATE, checked at POST).
 */
public final class BackpressureInjector extends TrafficInjector<Backpressure> {

    public BackpressureInjector(BaselineTraffic traffic) {
        super(traffic);
    }

    @Override
    public Class<Backpressure> specType() {
        return Backpressure.class;
    }

    @Override
    String event() {
        return "multiplier";
    }

    @Override
    JsonObject add(LoadControls g, String experimentId, Backpressure spec) {
        g.addMultiplier(experimentId, spec.rateMultiplier());
        return new JsonObject().put("rate_multiplier", spec.rateMultiplier()).put("target_rate", g.currentRate());
    }

    @Override
    boolean remove(LoadControls g, String experimentId) {
        return g.removeMultiplier(experimentId);
    }
}
