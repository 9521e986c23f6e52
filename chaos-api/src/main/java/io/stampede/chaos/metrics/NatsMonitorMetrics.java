package io.stampede.chaos.metrics;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * nats-server's monitoring endpoints as series (no NATS exporter is packaged here):
 * {@code /varz} → {@code nats_varz_*} (connections, messages and bytes in and out, slow consumers,
 * memory, CPU), {@code /jsz?streams=true&consumers=true} → {@code nats_jetstream_*} totals,
 * {@code nats_stream_*{stream}} and {@code nats_consumer_*{stream,consumer}} (the consumer lag is
 * {@code nats_consumer_num_pending}: messages not yet delivered; {@code nats_consumer_num_ack_pending}:
 * delivered, not acked). {@code nats_up} is 1 when both endpoints answered.
 */
final class NatsMonitorMetrics implements MetricSource {
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    NatsMonitorMetrics(URI base) {
        this.base = base;
    }

    @Override
    public void sample(Families out) {
        JsonObject varz = get("/varz");
        JsonObject jsz = get("/jsz?streams=true&consumers=true");
        out.gauge("nats_up", "1 when nats-server's monitoring endpoints /varz and /jsz answered", varz != null && jsz != null ? 1 : 0);
        if (varz != null) {
            varz(out, varz);
        }
        if (jsz != null) {
            jsz(out, jsz);
        }
    }

    private static void varz(Families out, JsonObject v) {
        out.gauge("nats_varz_connections", "Client connections now", num(v, "connections"));
        out.gauge("nats_varz_subscriptions", "Subscriptions now", num(v, "subscriptions"));
        out.gauge("nats_varz_mem_bytes", "nats-server resident memory", num(v, "mem"));
        out.gauge("nats_varz_cpu_percent", "nats-server CPU use, percent of one core", num(v, "cpu"));
        out.counter("nats_varz_connections_accepted", "Connections accepted since start", num(v, "total_connections"));
        out.counter("nats_varz_in_msgs", "Messages received from clients", num(v, "in_msgs"));
        out.counter("nats_varz_out_msgs", "Messages sent to clients", num(v, "out_msgs"));
        out.counter("nats_varz_in_bytes", "Bytes received from clients", num(v, "in_bytes"));
        out.counter("nats_varz_out_bytes", "Bytes sent to clients", num(v, "out_bytes"));
        out.counter("nats_varz_slow_consumers", "Slow consumers detected since start", num(v, "slow_consumers"));
    }

    private static void jsz(Families out, JsonObject j) {
        out.gauge("nats_jetstream_streams", "JetStream streams", num(j, "streams"));
        out.gauge("nats_jetstream_consumers", "JetStream consumers", num(j, "consumers"));
        out.gauge("nats_jetstream_messages", "Messages stored in every stream", num(j, "messages"));
        out.gauge("nats_jetstream_bytes", "Bytes stored in every stream", num(j, "bytes"));
        out.declare(false, "nats_consumer_num_pending", "Messages of the stream not yet delivered to the consumer (its lag)");
        JsonArray accounts = j.getJsonArray("account_details", new JsonArray());
        for (int a = 0; a < accounts.size(); a++) {
            JsonArray streams = accounts.getJsonObject(a).getJsonArray("stream_detail", new JsonArray());
            for (int s = 0; s < streams.size(); s++) {
                JsonObject st = streams.getJsonObject(s);
                String stream = st.getString("name", "");
                JsonObject state = st.getJsonObject("state", new JsonObject());
                out.gauge("nats_stream_messages", "Messages in the stream", num(state, "messages"), "stream", stream);
                out.gauge("nats_stream_bytes", "Bytes in the stream", num(state, "bytes"), "stream", stream);
                out.gauge("nats_stream_last_seq", "Last sequence number of the stream", num(state, "last_seq"), "stream", stream);
                JsonArray consumers = st.getJsonArray("consumer_detail", new JsonArray());
                for (int c = 0; c < consumers.size(); c++) {
                    JsonObject co = consumers.getJsonObject(c);
                    String name = co.getString("name", "");
                    out.gauge("nats_consumer_num_pending", "Messages of the stream not yet delivered to the consumer (its lag)",
                            num(co, "num_pending"), "stream", stream, "consumer", name);
                    out.gauge("nats_consumer_num_ack_pending", "Messages delivered to the consumer and not acked yet",
                            num(co, "num_ack_pending"), "stream", stream, "consumer", name);
                    out.gauge("nats_consumer_num_redelivered", "Messages redelivered to the consumer",
                            num(co, "num_redelivered"), "stream", stream, "consumer", name);
                    out.gauge("nats_consumer_num_waiting", "Pull requests waiting",
                            num(co, "num_waiting"), "stream", stream, "consumer", name);
                }
            }
        }
    }

    private static double num(JsonObject o, String key) {
        Object v = o.getValue(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private JsonObject get(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? new JsonObject(r.body()) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
