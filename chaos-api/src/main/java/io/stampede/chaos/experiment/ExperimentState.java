package io.stampede.chaos.experiment;

import java.util.Locale;

/** scheduled → running → completed | stopped | failed | aborted. */
public enum ExperimentState {
    SCHEDULED, RUNNING, COMPLETED, STOPPED, FAILED, ABORTED;

    public boolean isFinal() {
        return this != SCHEDULED && this != RUNNING;
    }

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ExperimentState parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
