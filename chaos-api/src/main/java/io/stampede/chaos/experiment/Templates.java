package io.stampede.chaos.experiment;

import static io.stampede.chaos.experiment.SpecType.BACKPRESSURE;
import static io.stampede.chaos.experiment.SpecType.DUPLICATE_MESSAGES;
import static io.stampede.chaos.experiment.SpecType.LOAD_TEST;
import static io.stampede.chaos.experiment.SpecType.MESSAGE_FAULTS;
import static io.stampede.chaos.experiment.SpecType.NATS_LATENCY;
import static io.stampede.chaos.experiment.SpecType.SERVICE_FAILURE;

import io.stampede.reports.RunType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every example of the reference scenario by a readable name, and its two combined scenarios
 * as timed plans whose steps carry {@code start_after_s}.
 */
public final class Templates {

    /** A single experiment or a plan (several steps). */
    public record Template(String name, String description, JsonObject params, List<JsonObject> steps) {
        public boolean isPlan() {
            return steps != null;
        }

        public String type() {
            return isPlan() ? RunType.PLAN.json() : params.getString("type");
        }

        public JsonObject json() {
            JsonObject o = new JsonObject().put("name", name).put("type", type()).put("description", description);
            if (isPlan()) {
                o.put("params", new JsonObject().put("experiments", new JsonArray(steps.stream().map(JsonObject::copy).toList())));
            } else {
                o.put("params", params.copy());
            }
            return o;
        }
    }

    private static final Map<String, Template> ALL = new LinkedHashMap<>();

    static {
        single("basic_latency", "Quick start: 100 ms NATS latency for 60 s",
                NATS_LATENCY, "{\"delay_ms\":100,\"duration_s\":60}");
        single("mild_latency", "Mild latency: 50 ms ± 20 % on the bus for 2 minutes",
                NATS_LATENCY, "{\"delay_ms\":50,\"duration_s\":120,\"jitter_pct\":0.2}");
        single("severe_latency", "Severe latency: 500 ms ± 30 % on the bus for 3 minutes",
                NATS_LATENCY, "{\"delay_ms\":500,\"duration_s\":180,\"jitter_pct\":0.3}");
        single("agent_crash", "Agent crash: kill the agent, restart it after 30 s",
                SERVICE_FAILURE, "{\"service\":\"agent\",\"failure_type\":\"crash\",\"duration_s\":30}");
        single("gateway_hang", "Gateway hang: freeze the gateway for 45 s",
                SERVICE_FAILURE, "{\"service\":\"gateway\",\"failure_type\":\"hang\",\"duration_s\":45}");
        single("load_10x", "10x load: baseline message rate × 10 for 5 minutes",
                BACKPRESSURE, "{\"rate_multiplier\":10,\"duration_s\":300}");
        single("consumer_crash_50x", "Consumer crash scenario: baseline message rate × 50 for 3 minutes",
                BACKPRESSURE, "{\"rate_multiplier\":50,\"duration_s\":180}");
        single("high_rps", "High RPS: 200 webhooks/s of 4 KiB for 10 minutes",
                LOAD_TEST, "{\"rps\":200,\"duration_s\":600,\"payload_size\":4096}");
        single("duplicates_20pct", "20 % duplicate messages for 4 minutes",
                DUPLICATE_MESSAGES, "{\"duplicate_rate\":0.2,\"duration_s\":240}");
        single("bus_duplicates_10pct", "The proxy delivers 10 % of the system's own deliveries twice for 2 minutes",
                DUPLICATE_MESSAGES, "{\"source\":\"bus\",\"duplicate_rate\":0.1,\"duration_s\":120}");
        // signals.>: the demo's signals (the gateway's publishes, JetStream deliveries to the agent's
        // pull consumer carry the stream subject); never the replies on _INBOX (publish acks, KV answers)
        single("slow_subject", "200 ms on the signals only (signals.>: the gateway's publishes and the deliveries to the agent),"
                        + " the rest of the bus (decisions, acks, KV) untouched, for 2 minutes",
                NATS_LATENCY, "{\"delay_ms\":200,\"subject\":\"signals.>\",\"direction\":\"both\",\"duration_s\":120}");
        single("lossy_deliveries", "Drop 5 % of the signal deliveries to consumers (signals.>) for 2 minutes (JetStream must"
                        + " redeliver); publish acks and KV replies are untouched",
                MESSAGE_FAULTS, "{\"subject\":\"signals.>\",\"direction\":\"to_client\",\"drop_rate\":0.05,\"duration_s\":120}");
        single("reordered_deliveries", "Signal deliveries (signals.>) overtake each other within 50 ms for 2 minutes",
                MESSAGE_FAULTS, "{\"subject\":\"signals.>\",\"direction\":\"to_client\",\"reorder_window_ms\":50,\"duration_s\":120}");
        plan("chaos_engineering_suite", "Latency, then backpressure after 1 minute, then duplicates after another minute",
                step(NATS_LATENCY, "{\"delay_ms\":100,\"duration_s\":300,\"start_after_s\":0}"),
                step(BACKPRESSURE, "{\"rate_multiplier\":5,\"duration_s\":180,\"start_after_s\":60}"),
                step(DUPLICATE_MESSAGES, "{\"duplicate_rate\":0.1,\"duration_s\":120,\"start_after_s\":120}"));
        plan("production_readiness", "30 min of 50 rps load with latency at 5 min, an agent crash at 10 min and 3x backpressure at 15 min",
                step(LOAD_TEST, "{\"rps\":50,\"duration_s\":1800,\"start_after_s\":0}"),
                step(NATS_LATENCY, "{\"delay_ms\":200,\"duration_s\":600,\"start_after_s\":300}"),
                step(SERVICE_FAILURE, "{\"service\":\"agent\",\"failure_type\":\"crash\",\"duration_s\":60,\"start_after_s\":600}"),
                step(BACKPRESSURE, "{\"rate_multiplier\":3,\"duration_s\":300,\"start_after_s\":900}"));
    }

    private static void single(String name, String description, SpecType type, String params) {
        ALL.put(name, new Template(name, description, step(type, params), null));
    }

    private static void plan(String name, String description, JsonObject... steps) {
        ALL.put(name, new Template(name, description, null, List.of(steps)));
    }

    /** A body of {@code type}: its name first, then the parameters. */
    private static JsonObject step(SpecType type, String params) {
        return new JsonObject().put("type", type.json()).mergeIn(new JsonObject(params));
    }

    private Templates() {}

    public static List<Template> all() {
        return List.copyOf(ALL.values());
    }

    public static Optional<Template> byName(String name) {
        return Optional.ofNullable(ALL.get(name));
    }
}
