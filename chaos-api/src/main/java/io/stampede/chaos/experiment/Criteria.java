package io.stampede.chaos.experiment;

import io.stampede.reports.Thresholds;
import io.vertx.core.json.JsonObject;

/**
 * A POST's {@code criteria}: the threshold overrides as written (echoed in {@code params.criteria}
 * and journaled) and the thresholds they give, parsed once when the body was read.
 */
public record Criteria(JsonObject overrides, Thresholds thresholds) {
    public Criteria {
        overrides = overrides.copy();
    }

    @Override
    public JsonObject overrides() {
        return overrides.copy();
    }
}
