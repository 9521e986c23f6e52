package io.stampede.reports;

import java.util.Map;
import java.util.Objects;

/**
 * One line of {@code timeline.jsonl}: something that happened to an experiment or the run.
 *
 * @param tsMs         epoch ms
 * @param event        what happened: {@code scheduled}, {@code started}, {@code applied}, {@code reverting},
 *                     {@code reverted}, {@code revert_failed}, {@code ended}, {@code target_down},
 *                     {@code target_up}, {@code guardrail}, ... (README lists the known ones)
 * @param experimentId the experiment it is about, or null for the run itself
 * @param data         event details (JSON values); never null
 */
public record TimelineEvent(long tsMs, String event, String experimentId, Map<String, Object> data) {
    public TimelineEvent {
        Objects.requireNonNull(event, "event");
        data = Codec.normalizeMap(data);
    }
}
