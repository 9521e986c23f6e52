package io.stampede.chaos.http;

import static io.stampede.chaos.http.RouteTable.Route.delete;
import static io.stampede.chaos.http.RouteTable.Route.get;
import static io.stampede.chaos.http.RouteTable.Route.post;
import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.chaos.ApiFixture;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The route table is the one declaration: it names the vert.x paths and the request timer's route tags. */
class RouteTableTest {
    private static final Handler<RoutingContext> NONE = ctx -> { };

    @Test
    void pathsAreDeclaredInTheOpenApiFormAndTagRequestsByTheRouteTheyMatch() {
        RouteTable t = new RouteTable(List.of(get("/experiments", NONE), post("/experiments", NONE),
                get("/experiments/{id}", NONE), delete("/experiments/{id}", NONE), get("/experiments/{id}/report", NONE),
                get("/plans/{id}", NONE), get("/plans/{id}/report", NONE), get("/runs/*", NONE)));
        assertThat(get("/experiments/{id}/report", NONE).vertxPath()).isEqualTo("/experiments/:id/report");
        assertThat(post("/experiments", NONE).access()).isEqualTo(RouteTable.Access.TOKEN);
        assertThat(get("/experiments", NONE).access()).isEqualTo(RouteTable.Access.OPEN);
        assertThat(t.tag("/experiments")).isEqualTo("/experiments");
        assertThat(t.tag("/experiments/chaos_nats_latency_1")).isEqualTo("/experiments/{id}");
        assertThat(t.tag("/experiments/chaos_nats_latency_1/report")).isEqualTo("/experiments/{id}/report");
        assertThat(t.tag("/plans/plan_3")).isEqualTo("/plans/{id}");
        assertThat(t.tag("/plans/plan_3/report")).isEqualTo("/plans/{id}/report");
        assertThat(t.tag("/runs/chaos_x_1/timeline.jsonl")).isEqualTo("/runs/*");
        assertThat(t.tag("/experiments/a/b")).isEqualTo("other");
        assertThat(t.tag("/nope")).isEqualTo("other");
        assertThat(t.tag(null)).isEqualTo("other");
        assertThat(t.paths()).containsExactlyInAnyOrder("/experiments", "/experiments/{id}", "/experiments/{id}/report",
                "/plans/{id}", "/plans/{id}/report", "/runs/*");
    }

    @Test
    void theServedTableTagsTheRequestTimer() {
        try (ApiFixture fx = ApiFixture.start(1.0)) {
            assertThat(fx.client.get("/experiments/chaos_nope_1").status()).isEqualTo(404);
            assertThat(fx.client.get("/plans/plan_nope/report").status()).isEqualTo(404);
            assertThat(fx.client.get("/made/up").status()).isEqualTo(404);
            String metrics = fx.client.get("/metrics").body();
            assertThat(metrics).contains("route=\"/experiments/{id}\"", "route=\"/plans/{id}/report\"", "route=\"other\"")
                    .doesNotContain("/made/up");
        }
    }
}
