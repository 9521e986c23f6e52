package io.stampede.chaos.traffic;

import io.stampede.chaos.experiment.DuplicateMessages;
import io.stampede.chaos.inject.ExperimentContext;
import io.stampede.chaos.inject.FaultInjector;
import io.stampede.loadgen.DuplicateMode;
import io.stampede.loadgen.LoadGenerator;
import io.vertx.core.json.JsonObject;

/**
 * {@code duplicate_messages}: re-publishes a fraction of the baseline traffic while it runs
 * ({@code app}: same business id, new {@code Nats-Msg-Id}, like an upstream retry;
 * {@code stream}: same {@code Nats-Msg-Id}, for the stream's duplicate window). While several
 * run, the highest rate acts. The verdict is the verifier's {@code duplicated} count: ids the
 * system processed more than once.
 */
public final class DuplicateMessagesInjector implements FaultInjector<DuplicateMessages> {
    private final BaselineTraffic traffic;

    public DuplicateMessagesInjector(BaselineTraffic traffic) {
        this.traffic = traffic;
    }

    @Override
    public Class<DuplicateMessages> specType() {
        return DuplicateMessages.class;
    }

    @Override
    public String unavailable() {
        return Traffic.unavailable(traffic);
    }

    @Override
    public JsonObject apply(ExperimentContext ctx, DuplicateMessages spec) {
        LoadGenerator g = Traffic.require(traffic);
        traffic.opened(ctx.experimentId());
        DuplicateMode mode = DuplicateMode.valueOf(spec.mode().name());
        g.addDuplicates(ctx.experimentId(), spec.duplicateRate(), spec.duplicateDelayMs(), mode);
        traffic.timeline("duplicates_added", ctx.experimentId(), new JsonObject()
                .put("duplicate_rate", spec.duplicateRate()).put("duplicate_delay_ms", spec.duplicateDelayMs())
                .put("mode", spec.mode().name().toLowerCase(java.util.Locale.ROOT)));
        return new JsonObject().put("baseline_run_dir", traffic.runDir().toString());
    }

    @Override
    public void revert(ExperimentContext ctx, DuplicateMessages spec, JsonObject token) {
        LoadGenerator g = traffic == null ? null : traffic.generator();
        if (traffic != null) {
            traffic.closed(ctx.experimentId());
        }
        if (g != null && g.removeDuplicates(ctx.experimentId())) {
            traffic.timeline("duplicates_removed", ctx.experimentId(), new JsonObject());
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
