package io.stampede.chaos.traffic;

import io.stampede.loadgen.LoadControls;

/** What the two traffic injectors share about an absent or not yet connected baseline. */
final class Traffic {
    static final String OFF = "baseline traffic is off: start the chaos API with STAMPEDE_BASELINE=on "
            + "(./stampede up does) to publish baseline messages for backpressure and duplicate_messages to act on";

    private Traffic() {}

    static String unavailable(BaselineTraffic traffic) {
        if (traffic == null) {
            return OFF;
        }
        return traffic.controls() == null ? traffic.problem() : null;
    }

    static LoadControls require(BaselineTraffic traffic) {
        String why = unavailable(traffic);
        if (why != null) {
            throw new IllegalStateException(why);
        }
        return traffic.controls();
    }
}
