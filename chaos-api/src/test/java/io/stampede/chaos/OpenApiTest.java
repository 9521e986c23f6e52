package io.stampede.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every route in /openapi.yaml answers, and answers only with statuses the document lists. */
class OpenApiTest {
    @Test
    void everyDocumentedRouteAnswersAsDescribed() throws Exception {
        try (ApiFixture fx = ApiFixture.start(1.0)) {
            ApiClient.Response doc = fx.client.get("/openapi.yaml");
            assertThat(doc.status()).isEqualTo(200);
            JsonNode api = new ObjectMapper(new YAMLFactory()).readTree(doc.body());
            assertThat(api.get("openapi").asText()).startsWith("3.");
            String id = fx.client.postJson("/experiments", "{\"type\":\"backpressure\",\"rate_multiplier\":2,\"duration_s\":60}")
                    .json().getString("experiment_id");
            List<String> checked = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> paths = api.get("paths").fields(); paths.hasNext(); ) {
                Map.Entry<String, JsonNode> path = paths.next();
                for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                    Map.Entry<String, JsonNode> op = ops.next();
                    if (op.getKey().equals("parameters")) {
                        continue;
                    }
                    List<String> documented = new ArrayList<>();
                    op.getValue().get("responses").fieldNames().forEachRemaining(documented::add);
                    for (String concrete : List.of(path.getKey().replace("{id}", id), path.getKey().replace("{id}", "chaos_nope_1"))) {
                        String method = op.getKey().toUpperCase();
                        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fx.api.port() + concrete));
                        String body = method.equals("POST") ? "{\"type\":\"nats_latency\",\"delay_ms\":1,\"duration_s\":5}" : null;
                        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
                        ApiClient.Response r = fx.client.send(b);
                        assertThat(documented).as(method + " " + concrete + " answered " + r.status()).contains(Integer.toString(r.status()));
                        JsonNode content = op.getValue().get("responses").get(Integer.toString(r.status())).path("content");
                        if (content.has("application/json") || op.getValue().get("responses").get(Integer.toString(r.status())).has("$ref")) {
                            assertThat(r.contentType()).startsWith("application/json");
                        }
                        checked.add(method + " " + concrete + " " + r.status());
                        if (!path.getKey().contains("{id}")) {
                            break;
                        }
                    }
                }
            }
            assertThat(checked).hasSizeGreaterThanOrEqualTo(10);
            assertThat(String.join("\n", checked)).contains("GET /experiments/chaos_nope_1 404", "POST /experiments 201",
                    "DELETE /experiments/" + id + " 200", "GET /openapi.yaml 200", "GET /templates 200");
        }
    }
}
