package io.stampede.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.stampede.testkit.Await;
import io.stampede.testkit.NatsServer;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Unpaced mode ({@code rate 0}) as fast as jnats takes messages: the pooled body arrays are reused
 * many times over (far more messages than pool slots), so a body rewritten before jnats copied it
 * out would arrive as a wrong or repeated sequence number. A real subscriber checks every body:
 * each sequence number in {@code [0, sent)} exactly once, its id and size right.
 */
@Timeout(60)
class UnpacedTest {
    static NatsServer nats;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void startNats() {
        nats = NatsServer.start();
    }

    @AfterAll
    static void stopNats() {
        nats.close();
    }

    @ParameterizedTest(name = "{0} B, {1} connection(s)")
    @CsvSource({"128, 1", "1024, 1", "1024, 2"})
    void everyBodyArrivesOnceAndIntact(int size, int connections) throws Exception {
        String subject = "unpaced" + size + "x" + connections;
        BitSet seen = new BitSet();
        AtomicLong received = new AtomicLong();
        AtomicLong repeated = new AtomicLong();
        AtomicLong malformed = new AtomicLong();
        String[] prefix = new String[1];
        try (Connection sub = Nats.connect(nats.url())) {
            Dispatcher d = sub.createDispatcher(m -> {
                try {
                    JsonNode s = JSON.readTree(m.getData());
                    long seq = s.get("seq").asLong();
                    if (m.getData().length != size || prefix[0] == null
                            || SignalIds.parse(prefix[0], s.get("id").asText()) != seq) {
                        malformed.incrementAndGet();
                    }
                    synchronized (seen) {
                        if (seen.get((int) seq)) {
                            repeated.incrementAndGet();
                        }
                        seen.set((int) seq);
                    }
                } catch (Exception e) {
                    malformed.incrementAndGet();
                }
                received.incrementAndGet();
            });
            d.setPendingLimits(-1, -1);
            d.subscribe(subject + ".>");
            sub.flush(Duration.ofSeconds(5));

            LoadGenConfig cfg = LoadGenConfig.builder(nats.url()).subjectPattern(subject + ".{symbol}").payloadSize(size)
                    .baselineRate(0).connections(connections).duration(Duration.ofMillis(1500)).build();
            LoadStats s;
            try (LoadGenerator g = new LoadGenerator(cfg)) {
                prefix[0] = g.runPrefix();
                g.start();
                assertThat(g.awaitScheduleEnd(Duration.ofSeconds(20))).isTrue();
                s = g.stop(Duration.ofSeconds(10));
            }
            long sent = s.total().sent();
            // more messages than pool slots (32 Ki per connection: ring + 16 Ki slack), so every slot was reused
            assertThat(sent).isGreaterThan(36_000L * connections);
            assertThat(s.total().failed()).isZero();
            Await.until(sent + " received", Duration.ofSeconds(40), () -> received.get() >= sent);
            Thread.sleep(200);
            assertThat(received.get()).isEqualTo(sent);
            assertThat(repeated.get()).isZero();
            assertThat(malformed.get()).isZero();
            synchronized (seen) {
                assertThat(seen.cardinality()).isEqualTo(sent);
                assertThat(seen.nextClearBit(0)).isEqualTo(sent);
            }
            assertThat(s.payloadAllocations()).isZero();
        }
    }
}
