package io.stampede.demo;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.nats.client.StreamContext;
import io.nats.client.api.MessageInfo;
import io.stampede.demo.agent.AgentMain;
import io.stampede.demo.gateway.GatewayMain;
import io.stampede.testkit.Await;
import io.stampede.testkit.ChildJvm;
import io.stampede.testkit.FreePorts;
import io.stampede.testkit.NatsServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo system as real processes: a nats-server, the gateway and the agent each in their own
 * JVM (so the agent can be SIGKILLed like in production).
 */
public final class DemoStack implements AutoCloseable {
    public final NatsServer nats;
    public final int gatewayPort;
    public final int agentPort;
    public final ChildJvm gateway;
    /** Null for a stack started without the agent. */
    public final ChildJvm agent;
    public final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    private Connection observer;

    /** Runs against the fresh nats-server before any service starts (say, an old stream to migrate). */
    @FunctionalInterface
    public interface BeforeServices {
        void run(Connection nats) throws Exception;
    }

    private DemoStack(Map<String, String> overrides, boolean withAgent, BeforeServices before) {
        nats = NatsServer.start();
        if (before != null) {
            try {
                before.run(observer());
            } catch (Exception e) {
                nats.close();
                throw new IllegalStateException("before-services setup failed", e);
            }
        }
        gatewayPort = FreePorts.next();
        agentPort = FreePorts.next();
        Map<String, String> env = new HashMap<>();
        env.put("NATS_URL", nats.url());
        env.put("GATEWAY_PORT", Integer.toString(gatewayPort));
        env.put("AGENT_PORT", Integer.toString(agentPort));
        env.put("AGENT_ACK_WAIT_MS", "2000");
        env.putAll(overrides);
        gateway = ChildJvm.start(GatewayMain.class, with(env, "STAMPEDE_SERVICE", "gateway"));
        agent = withAgent ? ChildJvm.start(AgentMain.class, with(env, "STAMPEDE_SERVICE", "agent")) : null;
    }

    private static Map<String, String> with(Map<String, String> env, String k, String v) {
        Map<String, String> m = new HashMap<>(env);
        m.put(k, v);
        return m;
    }

    public static DemoStack start(Map<String, String> overrides) {
        return start(overrides, true, null);
    }

    public static DemoStack start(Map<String, String> overrides, boolean withAgent, BeforeServices before) {
        DemoStack s = new DemoStack(overrides, withAgent, before);
        try {
            s.awaitHealthy(s.gatewayPort, s.gateway);
            if (withAgent) {
                s.awaitHealthy(s.agentPort, s.agent);
            }
        } catch (AssertionError e) {
            String logs = "\n--- gateway log ---\n" + s.gateway.log() + "\n--- agent log ---\n" + (withAgent ? s.agent.log() : "-");
            s.close();
            throw new AssertionError(e.getMessage() + logs, e);
        }
        return s;
    }

    public void awaitHealthy(int port, ChildJvm jvm) {
        Await.until("healthz 200 on " + port, Duration.ofSeconds(30), () -> {
            if (!jvm.isAlive()) {
                throw new AssertionError("process exited:\n" + jvm.log());
            }
            return get("http://127.0.0.1:" + port + "/healthz").statusCode() == 200;
        });
    }

    public HttpResponse<String> get(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> postWebhook(String body) {
        return postWebhook(body, Map.of());
    }

    public HttpResponse<String> postWebhook(String body, Map<String, String> headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/webhook"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json");
            headers.forEach(b::header);
            return http.send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sum of all series of one metric on a service's /metrics. */
    public double metric(int port, String name) {
        return Metrics.sum(get("http://127.0.0.1:" + port + "/metrics").body(), name);
    }

    public synchronized Connection observer() {
        if (observer == null) {
            try {
                observer = Nats.connect(nats.url());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return observer;
    }

    /** Number of messages in a stream (0 while it does not exist yet). */
    public long streamCount(String stream) {
        try {
            return observer().jetStreamManagement().getStreamInfo(stream).getStreamState().getMsgCount();
        } catch (JetStreamApiException e) {
            return 0;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A consumer's state (pending, ack pending, ack floor). */
    public io.nats.client.api.ConsumerInfo consumerInfo(String stream, String durable) {
        try {
            return observer().jetStreamManagement().getConsumerInfo(stream, durable);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (JetStreamApiException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every message body of a stream, in order. */
    public List<String> streamBodies(String stream) {
        try {
            StreamContext sc = observer().getStreamContext(stream);
            var state = sc.getStreamInfo().getStreamState();
            List<String> out = new ArrayList<>();
            for (long seq = state.getFirstSequence(); seq <= state.getLastSequence() && state.getMsgCount() > 0; seq++) {
                MessageInfo mi = sc.getMessage(seq);
                out.add(new String(mi.getData(), java.nio.charset.StandardCharsets.UTF_8));
            }
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (JetStreamApiException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (observer != null) {
            try {
                observer.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        gateway.close();
        if (agent != null) {
            agent.close();
        }
        nats.close();
    }
}
