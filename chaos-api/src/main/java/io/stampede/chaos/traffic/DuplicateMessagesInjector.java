package io.stampede.chaos.traffic;

import io.stampede.chaos.experiment.DuplicateMessages;
import io.stampede.loadgen.DuplicateMode;
import io.stampede.loadgen.LoadControls;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * {@code duplicate_messages}: re-publishes a fraction of the baseline traffic while it runs
 * ({@code app}: same business id, new {@code Nats-Msg-Id}, like an upstream retry;
 * {@code stream}: same {@code Nats-Msg-Id}, for the stream's duplicate window). While several
 * run, the highest rate acts. The verdict is the verifier's {@code duplicated} count: ids the
 * system processed more than once.
 */
public final class DuplicateMessagesInjector extends TrafficInjector<DuplicateMessages> {

    public DuplicateMessagesInjector(BaselineTraffic traffic) {
        super(traffic);
    }

    @Override
    public Class<DuplicateMessages> specType() {
        return DuplicateMessages.class;
    }

    @Override
    String event() {
        return "duplicates";
    }

    @Override
    JsonObject add(LoadControls g, String experimentId, DuplicateMessages spec) {
        g.addDuplicates(experimentId, spec.duplicateRate(), spec.duplicateDelayMs(), DuplicateMode.valueOf(spec.mode().name()));
        return new JsonObject().put("duplicate_rate", spec.duplicateRate()).put("duplicate_delay_ms", spec.duplicateDelayMs())
                .put("mode", spec.mode().name().toLowerCase(Locale.ROOT));
    }

    @Override
    boolean remove(LoadControls g, String experimentId) {
        return g.removeDuplicates(experimentId);
    }
}
