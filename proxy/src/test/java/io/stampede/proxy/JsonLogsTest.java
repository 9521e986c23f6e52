package io.stampede.proxy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The proxy's own JSON lines carry the keys of the other services' LogstashEncoder. */
class JsonLogsTest {
    @Test
    void oneJsonObjectPerLineWithTheUsualKeys() {
        LoggerContext ctx = new LoggerContext();
        LoggingEvent e = new LoggingEvent("x", ctx.getLogger("io.stampede.proxy.NatsProxy"), Level.WARN,
                "fault {} \"applied\"", new IllegalStateException("boom"), new Object[] {"f1"});
        e.setMDCPropertyMap(Map.of("_chaos_experiment_id", "chaos_1"));
        JsonLogs.Encoder enc = new JsonLogs.Encoder("nats-proxy");
        enc.setContext(ctx);
        String line = new String(enc.encode(e), StandardCharsets.UTF_8);
        assertThat(line).endsWith("\n").doesNotContain("\n\n");
        JsonObject j = new JsonObject(line.trim());
        assertThat(j.getString("message")).isEqualTo("fault f1 \"applied\"");
        assertThat(j.getString("level")).isEqualTo("WARN");
        assertThat(j.getInteger("level_value")).isEqualTo(30000);
        assertThat(j.getString("logger_name")).isEqualTo("io.stampede.proxy.NatsProxy");
        assertThat(j.getString("service")).isEqualTo("nats-proxy");
        assertThat(j.getString("_chaos_experiment_id")).isEqualTo("chaos_1");
        assertThat(j.getString("stack_trace")).contains("IllegalStateException: boom");
        assertThat(j.getString("@timestamp")).endsWith("Z");
        assertThat(j.getString("@version")).isEqualTo("1");
    }
}
