package io.stampede.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Log lines are JSON objects and MDC entries are top-level keys, so `grep chaos_backpressure_…` works. */
class JsonLoggingTest {
    @Test
    void mdcFieldsAreTopLevelJsonKeys() throws Exception {
        Logger log = LoggerFactory.getLogger("stampede.test.json");
        try (var a = MDC.putCloseable("_chaos_experiment_id", "chaos_backpressure_123456");
             var b = MDC.putCloseable("_chaos_type", "backpressure")) {
            log.info("multiplier applied");
        }
        log.info("after the experiment");
        Path file = Path.of("target/test-log.jsonl");
        List<String> lines = Files.readAllLines(file);
        JsonObject tagged = lines.stream().map(JsonObject::new)
                .filter(o -> "multiplier applied".equals(o.getString("message"))).reduce((x, y) -> y).orElseThrow();
        assertThat(tagged.getString("_chaos_experiment_id")).isEqualTo("chaos_backpressure_123456");
        assertThat(tagged.getString("_chaos_type")).isEqualTo("backpressure");
        assertThat(tagged.getString("level")).isEqualTo("INFO");
        assertThat(tagged.getString("@timestamp")).isNotBlank();
        JsonObject untagged = lines.stream().map(JsonObject::new)
                .filter(o -> "after the experiment".equals(o.getString("message"))).reduce((x, y) -> y).orElseThrow();
        assertThat(untagged.containsKey("_chaos_experiment_id")).isFalse();
    }
}
