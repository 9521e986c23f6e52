package io.stampede.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.stampede.proxy.api.MessageRule;
import io.stampede.proxy.api.ProxyFault;
import io.stampede.testkit.NatsServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Which subject a JetStream delivery to a <b>pull</b> consumer carries on its way through the proxy
 * (proxy/README.md "Message faults"): the message's own stream subject ({@code MSG signals.AAPL
 * <sid> $JS.ACK...}), not the pull request's inbox. A to_client fault on {@code signals.>} matches
 * every delivery; one on {@code _INBOX.>} matches none of them (only the pull statuses, e.g. the
 * 408/404 of a fetch that ran out of messages, which carry no stream subject).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PullConsumerSubjectsTest {
    @Test
    void pullDeliveriesCarryTheStreamSubjectNotTheInbox() throws Exception {
        int n = 120;
        try (NatsServer nats = NatsServer.start();
             NatsProxy proxy = NatsProxy.start(ProxyConfig.ephemeral(nats.port()));
             Connection direct = Nats.connect(nats.url());
             Connection consumer = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + proxy.listenPort())
                     .connectionName("agent").build())) {
            direct.jetStreamManagement().addStream(StreamConfiguration.builder().name("SIGNALS").subjects("signals.>")
                    .storageType(StorageType.Memory).build());
            JetStream js = direct.jetStream();
            for (int i = 0; i < n; i++) {
                js.publish("signals.AAPL", ("s" + i).getBytes(StandardCharsets.US_ASCII));
            }
            ProxyFault.Direction toClient = ProxyFault.Direction.TO_CLIENT;
            proxy.putFault("stream", new ProxyFault(1, 0, toClient, 0, false, null, new MessageRule("signals.>", null, 0, 0, 0, null)));
            proxy.putFault("inbox", new ProxyFault(1, 0, toClient, 0, false, null, new MessageRule("_INBOX.>", null, 0, 0, 0, null)));
            JetStreamSubscription s = consumer.jetStream().subscribe("signals.>", PullSubscribeOptions.builder()
                    .configuration(ConsumerConfiguration.builder().durable("agent").ackPolicy(AckPolicy.Explicit).build()).build());
            int got = 0;
            int fetches = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (got < n && System.nanoTime() < deadline) {
                fetches++;
                for (Message m : s.fetch(25, Duration.ofMillis(500))) {
                    assertThat(m.getSubject()).isEqualTo("signals.AAPL");
                    got++;
                    m.ack();
                }
            }
            assertThat(got).isEqualTo(n);
            long stream = proxy.fault("stream").getJsonObject("counters").getLong("matched");
            long inbox = proxy.fault("inbox").getJsonObject("counters").getLong("matched");
            System.out.printf("pull consumer through the proxy: %d deliveries in %d fetches; matched signals.> %d, _INBOX.> %d%n",
                    got, fetches, stream, inbox);
            assertThat(stream).as("signals.> to_client matches every delivery of the pull consumer").isEqualTo(n);
            assertThat(inbox).as("_INBOX.> matches no delivery (at most a status per fetch)").isLessThanOrEqualTo(fetches);
        }
    }
}
