package io.stampede.demo.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.ConsumeOptions;
import io.nats.client.impl.Headers;
import io.stampede.demo.DemoConfig;
import io.stampede.demo.ExperimentLog;
import io.stampede.demo.NatsLink;
import io.stampede.demo.Streams;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's processing loop: a durable JetStream pull consumer on {@code signals.>}, one
 * signal at a time on its own thread.
 *
 * <p>Per signal: skip it if its business id was already decided (KV bucket), otherwise publish
 * the decision to {@code decisions.<symbol>} with {@code Nats-Msg-Id} = id and wait for the
 * stream's ack, then record the id, then ack the signal. A crash between the decision's publish
 * and the id's record leads to a redelivery after the ack wait; the DECISIONS stream's duplicate
 * window ({@code DECISIONS_DUPLICATE_WINDOW_MS}, by default {@code PROCESSED_TTL_S}: a day) drops
 * that second publish, so the id is still decided once as long as the agent is back within the
 * window.
 */
final class SignalConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SignalConsumer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 32;

    private final DemoConfig cfg;
    private final DecisionPolicy policy;
    private final Counter received;
    private final Counter decisions;
    private final Counter errors;
    private final Counter duplicates;
    private final Timer processing;
    private final AtomicLong lastProcessedAtMs = new AtomicLong();
    private volatile boolean running = true;
    private volatile Thread thread;
    private volatile String state = "starting";
    private static final int DECIDED = 0, DUPLICATE = 1, REJECTED = 2, FAILED = 3;
    private final ExperimentLog experiments = new ExperimentLog(log, "agent", java.util.List.of("decided", "duplicate", "rejected", "failed"));

    SignalConsumer(DemoConfig cfg, MeterRegistry registry) {
        this.cfg = cfg;
        this.policy = new DecisionPolicy(cfg.maxNotional());
        this.received = Counter.builder("mcp.signals.received").description("Signals delivered to the agent, redeliveries included").register(registry);
        this.decisions = Counter.builder("mcp.decisions.generated").description("Decisions published (one per distinct signal id)").register(registry);
        this.errors = Counter.builder("mcp.errors").description("Signals that failed processing").register(registry);
        this.duplicates = Counter.builder("mcp.duplicates.detected").description("Signals ignored because their id was already decided").register(registry);
        this.processing = Timer.builder("mcp.processing.duration")
                .description("Time from delivery to ack of one signal")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    /** Called once NATS is connected: streams, bucket, durable consumer, then the loop. */
    void setUp(NatsLink link) throws IOException, JetStreamApiException {
        if (cfg.decisionsDuplicateWindow().compareTo(cfg.processedTtl()) < 0) {
            log.warn("DECISIONS duplicate window {} is shorter than PROCESSED_TTL_S {}: an agent down longer than the window "
                    + "after publishing a decision but before recording its id decides that id twice", cfg.decisionsDuplicateWindow(), cfg.processedTtl());
        }
        Connection conn = link.connection();
        var jsm = conn.jetStreamManagement();
        Streams.ensureSignals(jsm, cfg);
        Streams.ensureDecisions(jsm, cfg);
        var kvm = conn.keyValueManagement();
        if (!kvm.getBucketNames().contains(cfg.processedBucket())) {
            try {
                kvm.create(KeyValueConfiguration.builder()
                        .name(cfg.processedBucket())
                        .ttl(cfg.processedTtl())
                        .maxHistoryPerKey(1)
                        .storageType(StorageType.File)
                        .build());
            } catch (JetStreamApiException raced) {
                log.debug("bucket created concurrently: {}", raced.toString());
            }
        }
        ProcessedIds processed = new ProcessedIds(conn.keyValue(cfg.processedBucket()));
        ConsumerContext consumer = conn.getStreamContext(cfg.signalsStream()).createOrUpdateConsumer(
                ConsumerConfiguration.builder()
                        .durable(cfg.agentDurable())
                        .filterSubject(cfg.signalsSubjectPrefix() + ".>")
                        .ackPolicy(AckPolicy.Explicit)
                        .deliverPolicy(DeliverPolicy.All)
                        .ackWait(cfg.agentAckWait())
                        .maxAckPending(1000)
                        .build());
        JetStream js = conn.jetStream();
        Thread t = new Thread(() -> loop(consumer, js, processed, link::reconnects), "agent-signals");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private void loop(ConsumerContext consumer, JetStream js, ProcessedIds processed, java.util.function.LongSupplier reconnects) {
        while (running) {
            long generation = reconnects.getAsLong();
            // A server restart forgets pending pull requests; a fresh iterator after each
            // reconnect resumes at once instead of waiting for heartbeat detection.
            try (IterableConsumer it = consumer.iterate(ConsumeOptions.builder().batchSize(BATCH).expiresIn(5_000).build())) {
                state = "consuming";
                while (running && generation == reconnects.getAsLong()) {
                    Message m = it.nextMessage(Duration.ofMillis(500));
                    if (m != null) {
                        handle(m, js, processed);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                state = "retrying";
                log.warn("consumer loop failed, restarting in 500 ms: {}", e.toString());
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void handle(Message m, JetStream js, ProcessedIds processed) {
        long start = System.nanoTime();
        received.increment();
        String id = null;
        String experiment = m.getHeaders() == null ? null : m.getHeaders().getFirst(ExperimentLog.HEADER);
        try {
            JsonNode signal = JSON.readTree(m.getData());
            if (signal == null || !signal.isObject()) {
                throw new IllegalArgumentException("body is not a JSON object");
            }
            id = idOf(signal, m.getHeaders());
            if (id == null) {
                throw new IllegalArgumentException("signal has no id (body id or Nats-Msg-Id)");
            }
            if (processed.contains(id)) {
                duplicates.increment();
                experiments.record(experiment, DUPLICATE);
                log.debug("duplicate signal {} ignored", id);
                m.ack();
                return;
            }
            DecisionPolicy.Decision d = policy.decide(signal);
            String symbol = signal.get("symbol").asText();
            ObjectNode body = JSON.createObjectNode()
                    .put("id", id)
                    .put("symbol", symbol)
                    .put("side", signal.get("side").asText().toLowerCase(java.util.Locale.ROOT))
                    .put("action", d.action())
                    .put("reason", d.reason())
                    .put("price", signal.get("price").asDouble())
                    .put("quantity", signal.get("quantity").asDouble())
                    .put("notional", d.notional())
                    .put("decided_at", Instant.now().toString());
            copy(signal, body, "sent_at");
            copy(signal, body, "seq");
            copy(signal, body, "timestamp");
            Headers headers = new Headers();
            if (experiment != null) {
                headers.add(ExperimentLog.HEADER, experiment);
            }
            PublishAck ack = js.publish(cfg.decisionsSubjectPrefix() + "." + symbol, headers, JSON.writeValueAsBytes(body),
                    PublishOptions.builder().messageId(id).expectedStream(cfg.decisionsStream()).build());
            processed.remember(id, Long.toString(ack.getSeqno()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            if (ack.isDuplicate()) {
                // decided before a crash, recorded only now
                duplicates.increment();
                experiments.record(experiment, DUPLICATE);
            } else {
                decisions.increment();
                experiments.record(experiment, DECIDED);
            }
            m.ack();
            lastProcessedAtMs.set(System.currentTimeMillis());
        } catch (JsonProcessingException | IllegalArgumentException bad) {
            // A poison message would be redelivered forever: count it and terminate it.
            errors.increment();
            experiments.record(experiment, REJECTED);
            log.warn("signal {} rejected: {}", id, bad.getMessage());
            m.term();
        } catch (IOException | JetStreamApiException | RuntimeException transientFailure) {
            errors.increment();
            experiments.record(experiment, FAILED);
            log.warn("signal {} failed, will be redelivered: {}", id, transientFailure.toString());
            m.nakWithDelay(Duration.ofMillis(500));
        } finally {
            processing.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private static void copy(JsonNode from, ObjectNode to, String field) {
        JsonNode v = from.get(field);
        if (v != null && !v.isNull()) {
            to.set(field, v);
        }
    }

    static String idOf(JsonNode signal, Headers headers) {
        JsonNode id = signal.get("id");
        if (id != null && (id.isTextual() || id.isIntegralNumber()) && !id.asText().isEmpty()) {
            return id.asText();
        }
        if (headers != null) {
            String h = headers.getFirst("Nats-Msg-Id");
            if (h != null && !h.isEmpty()) {
                return h;
            }
        }
        return null;
    }

    String state() {
        return state;
    }

    long lastProcessedAtMs() {
        return lastProcessedAtMs.get();
    }

    @Override
    public void close() {
        running = false;
        experiments.close();
        Thread t = thread;
        if (t != null) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
