package io.stampede.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stampede.reports.Thresholds;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one JSON ↔ spec mapping: the API's params exactly as before, and back again after a restart. */
class SpecCodecTest {
    private static final Limits LIMITS = new Limits(Set.of("gateway", "agent"), List.of("http://127.0.0.1:1/webhook"),
            "http://127.0.0.1:1/webhook", 5000, 100, 100_000, 0.001, 100, 2);
    private static final SpecCodec CODEC = new SpecCodec(LIMITS);

    /** Body → params as the landed version answered them (text, key order included). */
    private static final List<String[]> ANSWERED = List.of(
            new String[] {"{\"type\":\"nats_latency\",\"delay_ms\":100,\"duration_s\":600,\"jitter_pct\":0.2,\"direction\":\"both\","
                    + "\"subject\":\"signals.>\",\"abort_if\":{\"error_rate_pct\":5,\"window_s\":10},\"criteria\":{\"max_lost\":2,\"p95_ms\":1500}}",
                    "{\"duration_s\":600,\"criteria\":{\"max_lost\":2,\"p95_ms\":1500},\"delay_ms\":100,\"jitter_pct\":0.2,"
                    + "\"direction\":\"both\",\"subject\":\"signals.>\"}"},
            new String[] {"{\"type\":\"nats_latency\",\"delay_ms\":5,\"duration_s\":600}",
                    "{\"duration_s\":600,\"delay_ms\":5,\"jitter_pct\":0,\"direction\":\"to_server\"}"},
            new String[] {"{\"type\":\"message_faults\",\"subject\":\"decisions.>\",\"direction\":\"to_client\",\"client\":\"stampede-demo-agent\","
                    + "\"drop_rate\":0.1,\"duplicate_rate\":0.05,\"delay_ms\":10,\"jitter_pct\":0.1,\"reorder_window_ms\":20,\"duration_s\":600}",
                    "{\"duration_s\":600,\"subject\":\"decisions.>\",\"direction\":\"to_client\",\"drop_rate\":0.1,\"duplicate_rate\":0.05,"
                    + "\"delay_ms\":10,\"jitter_pct\":0.1,\"reorder_window_ms\":20,\"client\":\"stampede-demo-agent\"}"},
            new String[] {"{\"type\":\"service_failure\",\"service\":\"agent\",\"failure_type\":\"hang\",\"duration_s\":600,"
                    + "\"abort_if\":{\"target_down_s\":{\"agent\":30,\"nats\":10}}}",
                    "{\"duration_s\":600,\"service\":\"agent\",\"failure_type\":\"hang\"}"},
            new String[] {"{\"type\":\"backpressure\",\"rate_multiplier\":2.5,\"duration_s\":60,\"start_after_s\":3600}",
                    "{\"duration_s\":60,\"rate_multiplier\":2.5}"},
            new String[] {"{\"type\":\"backpressure\",\"rate_multiplier\":3,\"duration_s\":300}",
                    "{\"duration_s\":300,\"rate_multiplier\":3}"},
            new String[] {"{\"type\":\"load_test\",\"rps\":20,\"duration_s\":600,\"payload_size\":2048}",
                    "{\"duration_s\":600,\"rps\":20,\"payload_size\":2048,\"target_url\":\"http://127.0.0.1:1/webhook\"}"},
            new String[] {"{\"type\":\"duplicate_messages\",\"duplicate_rate\":0.2,\"duration_s\":600,\"duplicate_delay_ms\":100,\"mode\":\"stream\"}",
                    "{\"duration_s\":600,\"duplicate_rate\":0.2,\"duplicate_delay_ms\":100,\"mode\":\"stream\",\"source\":\"baseline\"}"},
            new String[] {"{\"type\":\"duplicate_messages\",\"source\":\"bus\",\"duplicate_rate\":0.1,\"subject\":\"signals.>\",\"duration_s\":600}",
                    "{\"duration_s\":600,\"duplicate_rate\":0.1,\"source\":\"bus\",\"subject\":\"signals.>\",\"direction\":\"to_client\"}"},
            new String[] {"{\"type\":\"service_failure\",\"service\":\"gateway\",\"failure_type\":\"crash\",\"duration_s\":600}",
                    "{\"duration_s\":600,\"service\":\"gateway\",\"failure_type\":\"crash\"}"});

    @Test
    void paramsAreWrittenAsTheLandedVersionAnsweredThem() {
        for (String[] pair : ANSWERED) {
            SpecCodec.Result r = CODEC.parse(new JsonObject(pair[0]));
            assertThat(r.problems()).as(pair[0]).isEmpty();
            assertThat(r.parsed().params().encode()).as(pair[0]).isEqualTo(pair[1]);
        }
    }

    @Test
    void whatToJsonWritesDecodesToTheSameSpec() {
        List<JsonObject> bodies = new java.util.ArrayList<>(ANSWERED.stream().map(p -> new JsonObject(p[0])).toList());
        for (Templates.Template t : Templates.all()) {
            if (t.isPlan()) {
                t.steps().forEach(s -> bodies.add(s.copy()));
            } else {
                bodies.add(t.params().copy());
            }
        }
        for (JsonObject body : bodies) {
            SpecCodec.Parsed p = CODEC.parse(body).parsed();
            assertThat(p).as(body.encode()).isNotNull();
            JsonObject abortIf = p.abortIf() == null ? null : SpecCodec.toJson(p.abortIf());
            SpecCodec.Parsed back = SpecCodec.decode(p.spec().type(), SpecCodec.toJson(p.spec(), p.criteria()), abortIf);
            assertThat(back.spec()).as(body.encode()).isEqualTo(p.spec());
            assertThat(back.abortIf()).as(body.encode()).isEqualTo(p.abortIf());
            assertThat(back.criteria() == null ? null : back.criteria().thresholds()).as(body.encode())
                    .isEqualTo(p.criteria() == null ? null : p.criteria().thresholds());
            assertThat(back.params()).isEqualTo(p.params());
        }
    }

    @Test
    void criteriaAreParsedOnceIntoThresholds() {
        SpecCodec.Parsed p = CODEC.parse(new JsonObject(ANSWERED.get(0)[0])).parsed();
        assertThat(p.criteria().thresholds()).isEqualTo(new Thresholds(2, Thresholds.DEFAULT_MAX_DUPLICATED,
                Thresholds.DEFAULT_MAX_UNEXPECTED, Thresholds.DEFAULT_MAX_ERROR_PCT, Thresholds.DEFAULT_MAX_CATCH_UP_S, 1500,
                Thresholds.DEFAULT_MAX_KO_PCT));
    }

    @Test
    void aJournaledSpecIsNotJudgedAgainByTodaysConfiguration() {
        // admitted when 'db' was configured and 10 000 rps allowed; neither is any more
        JsonObject params = new JsonObject().put("duration_s", 60).put("service", "db").put("failure_type", "crash");
        assertThat(CODEC.parse(params.copy().put("type", "service_failure")).ok()).isFalse();
        assertThat(SpecCodec.decode("service_failure", params, new JsonObject().put("target_down_s", new JsonObject().put("db", 5))).spec())
                .isEqualTo(new ServiceFailure("db", ServiceFailure.FailureType.CRASH, 60));
        JsonObject load = new JsonObject().put("duration_s", 60).put("rps", 10_000).put("payload_size", 1024)
                .put("target_url", "http://gateway.example:8001/webhook");
        assertThat(((LoadTest) SpecCodec.decode("load_test", load, null).spec()).rps()).isEqualTo(10_000);
        // what never parsed still does not
        assertThatThrownBy(() -> SpecCodec.decode("service_failure", params.copy().put("failure_type", "melt"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("failure_type");
    }
}
