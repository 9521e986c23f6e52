package io.stampede.proxy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.spi.ContextAwareBase;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * The proxy's logging, set up in code: one JSON object per line on stdout with the keys of the
 * other services' {@code LogstashEncoder} ({@code @timestamp}, {@code @version}, {@code message},
 * {@code logger_name}, {@code thread_name}, {@code level}, {@code level_value}, MDC entries,
 * {@code stack_trace}, {@code service}). No XML configuration and no Jackson databind are loaded:
 * about 1 000 classes fewer, which is a good part of the proxy's resident memory. A
 * {@code logback-test.xml} or {@code logback.xml} on the class path (tests, the chaos API, which
 * has this jar for the fault model) wins.
 */
public final class JsonLogs extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ClassLoader cl = JsonLogs.class.getClassLoader();
        if (cl.getResource("logback-test.xml") != null || cl.getResource("logback.xml") != null) {
            // tests, or a process that has its own configuration (the chaos API has this jar on
            // its class path for the fault model): theirs wins
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Encoder encoder = new Encoder(System.getenv().getOrDefault("STAMPEDE_SERVICE", "nats-proxy"));
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("JSON");
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getenv().getOrDefault("LOG_LEVEL", "INFO"), Level.INFO));
        root.addAppender(console);
        context.getLogger("io.netty").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** One event, one JSON line. */
    static final class Encoder extends EncoderBase<ILoggingEvent> {
        private static final byte[] NONE = new byte[0];
        private final String service;

        Encoder(String service) {
            this.service = service;
        }

        @Override
        public byte[] headerBytes() {
            return NONE;
        }

        @Override
        public byte[] encode(ILoggingEvent e) {
            JsonObject j = new JsonObject()
                    .put("@timestamp", Instant.ofEpochMilli(e.getTimeStamp()).toString())
                    .put("@version", "1")
                    .put("message", e.getFormattedMessage())
                    .put("logger_name", e.getLoggerName())
                    .put("thread_name", e.getThreadName())
                    .put("level", e.getLevel().toString())
                    .put("level_value", e.getLevel().toInt());
            Map<String, String> mdc = e.getMDCPropertyMap();
            if (mdc != null) {
                mdc.forEach(j::put);
            }
            IThrowableProxy t = e.getThrowableProxy();
            if (t != null) {
                j.put("stack_trace", ThrowableProxyUtil.asString(t));
            }
            j.put("service", service);
            return (j.encode() + "\n").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] footerBytes() {
            return NONE;
        }
    }
}
