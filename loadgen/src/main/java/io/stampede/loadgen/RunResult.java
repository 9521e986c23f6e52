package io.stampede.loadgen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The final figures of a run, one process or many agents: what {@code loadgen run --json} prints
 * as the last line of stdout ({@link #toMap()}). Lateness in µs, from the run's exact (merged)
 * histogram.
 *
 * @param agents   one entry per agent instance (empty for a single-process run)
 * @param degraded an agent stopped reporting: its last reported figures are in the totals, and
 *                 whatever it did after is unknown
 * @param missing  names of the agents that stopped reporting
 * @param verifier the delivery verifier's final figures (one process, or the coordinator's over
 *                 every agent's originals), or null without {@code --verify}
 */
public record RunResult(long sent, long duplicates, long acked, long failed, LatencySummary lateness, double achievedRate,
                        List<Agent> agents, boolean degraded, List<String> missing, VerifierStats verifier) {

    public RunResult {
        agents = List.copyOf(agents);
        missing = List.copyOf(missing);
    }

    /** One agent's share: {@code id} is its micro-service instance id. */
    public record Agent(String id, String name, long sent, long duplicates, long acked, long failed, LatencySummary lateness,
                        boolean missing) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("name", name);
            m.put("sent", sent);
            m.put("duplicates", duplicates);
            m.put("acked", acked);
            m.put("failed", failed);
            m.put("lateness", lateness.toMap());
            m.put("missing", missing);
            return m;
        }
    }

    /** A single-process run's result. */
    public static RunResult of(LoadStats s) {
        TrafficStats t = s.total();
        double achieved = s.elapsedSeconds() > 0 ? (t.sent() + t.duplicatesSent()) / s.elapsedSeconds() : 0;
        return new RunResult(t.sent(), t.duplicatesSent(), t.acked(), t.failed(), t.lateness(), achieved, List.of(), false,
                List.of(), s.verifier());
    }

    /**
     * {@code {"sent", "duplicates", "acked", "failed", "lateness": {"count", "p50", "p99", "p999", "max"},
     * "achieved_per_s", "degraded", "missing": [name], "agents": [{"id", "name", "sent", "duplicates",
     * "acked", "failed", "lateness", "missing"}], "verifier": VerifierStats.toMap() or null}}
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sent", sent);
        m.put("duplicates", duplicates);
        m.put("acked", acked);
        m.put("failed", failed);
        m.put("lateness", lateness.toMap());
        m.put("achieved_per_s", achievedRate);
        m.put("degraded", degraded);
        m.put("missing", missing);
        List<Object> a = new ArrayList<>();
        for (Agent x : agents) {
            a.add(x.toMap());
        }
        m.put("agents", a);
        m.put("verifier", verifier == null ? null : verifier.toMap());
        return m;
    }
}
