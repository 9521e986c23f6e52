package io.stampede.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SystemFileTest {
    private static final Path DEMO = Path.of("..", "deploy", "systems", "demo.yaml");
    private static final Map<String, String> ENV = Map.of("STAMPEDE_HOME", "/opt/stampede", "ORDERS_TOKEN", "s3cret");

    /** A small valid file of another shape than the demo's: header ids, a non-JSON outcome. */
    static final String ORDERS = """
            name: orders
            nats: {url: "nats://127.0.0.1:4222", token: "${ORDERS_TOKEN}"}
            traffic:
              rate: 50
              subject: "orders.in.{symbol}"
              symbols: [eu, us]
              mode: core
              headers: {Authorization: "Bearer abc", X-Tenant: t1}
              body: 'order {seq} for {symbol} at {sent_at}'
              id: "header:Order-Id"
            outcomes:
              subject: "orders.done"
              id: "header:Order-Id"
              rules: [{regex: "^done .*"}]
            metrics:
              scrape: ["http://127.0.0.1:9100/metrics"]
              processed: [orders_processed_total]
            """;

    @Test
    void theDemoFileIsValidAndSaysWhatTheDemoDoes() throws Exception {
        SystemFile f = SystemFile.load(DEMO, ENV);
        assertThat(f.name()).isEqualTo("demo");
        assertThat(f.nats().url()).isEqualTo("nats://127.0.0.1:4222");
        assertThat(f.traffic().subject()).isEqualTo("signals.{symbol}");
        assertThat(f.traffic().symbols()).hasSize(8);
        assertThat(f.traffic().mode()).isEqualTo(SystemFile.Mode.JETSTREAM);
        assertThat(f.traffic().id()).isEqualTo(new IdPlace(IdPlace.Kind.JSON, "id"));
        assertThat(f.traffic().size()).isEqualTo(256);
        assertThat(f.outcomes().subject()).isEqualTo("decisions.>");
        assertThat(f.outcomes().rules()).singleElement().satisfies(r -> assertThat(r.in()).contains("execute_buy"));
        assertThat(f.backlog()).isEqualTo(new SystemFile.Backlog("SIGNALS", "agent", "agent"));
        assertThat(f.metrics().errors()).containsExactly("gateway_validation_errors_total", "mcp_errors_total");
        assertThat(f.targets()).containsKeys("gateway", "agent");
        assertThat(f.targets().get("agent").toString()).contains("http://127.0.0.1:8002/healthz");
        SystemFile moved = SystemFile.load(DEMO, Map.of("GATEWAY_PORT", "18001", "NATS_HOST", "nats"));
        assertThat(moved.nats().url()).isEqualTo("nats://nats:4222");
        assertThat(moved.http().url().toString()).isEqualTo("http://127.0.0.1:18001/webhook");
        assertThat(f.http().url().toString()).isEqualTo("http://127.0.0.1:8001/webhook");
        assertThat(f.http().accepted()).containsExactly(202);
    }

    @Test
    void theJarCarriesTheSameDemoFile() throws Exception {
        assertThat(SystemFile.demo(ENV).describe()).isEqualTo(SystemFile.load(DEMO, ENV).describe().entrySet().stream()
                .collect(java.util.LinkedHashMap::new, (m, e) -> m.put(e.getKey(), e.getKey().equals("source") ? "demo.yaml" : e.getValue()),
                        java.util.Map::putAll));
    }

    @Test
    void anotherShapeParsesAndSecretsAreMaskedInTheDescription() throws Exception {
        SystemFile f = SystemFile.parse(ORDERS, null, ENV);
        assertThat(f.traffic().id().kind()).isEqualTo(IdPlace.Kind.HEADER);
        assertThat(f.nats().token()).isEqualTo("s3cret");
        assertThat(f.backlog()).isNull();
        assertThat(f.targets()).isNull();
        assertThat(f.http()).isNull();
        Map<String, Object> d = f.describe();
        assertThat(d.toString()).doesNotContain("s3cret").doesNotContain("Bearer abc").contains("X-Tenant=t1");
    }

    @Test
    void targetsAndHeadersKeepTheFilesOrder() throws Exception {
        String f = ORDERS.replace("headers: {Authorization: \"Bearer abc\", X-Tenant: t1}",
                "headers: {X-Zone: z, Authorization: \"Bearer abc\", X-Tenant: t1, Accept: a, X-Mid: m, B-First: b}") + """
                targets:
                  zeta: {type: container, container: z}
                  alpha: {type: container, container: a}
                  mid: {type: container, container: m}
                  beta: {type: container, container: b}
                http:
                  url: "http://127.0.0.1:8001/orders"
                  headers: {X-Zone: z, Content-Type: application/json, Accept: a, X-Mid: m}
                  accepted: [202]
                """;
        SystemFile s = SystemFile.parse(f, null, ENV);
        assertThat(s.traffic().headers().keySet()).containsExactly("X-Zone", "Authorization", "X-Tenant", "Accept", "X-Mid", "B-First");
        assertThat(s.targets().keySet()).containsExactly("zeta", "alpha", "mid", "beta");
        assertThat(s.http().headers().keySet()).containsExactly("X-Zone", "Content-Type", "Accept", "X-Mid");
        assertThatThrownBy(() -> s.targets().remove("zeta")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> s.traffic().headers().put("X", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void everyProblemIsListedAtOnceWithItsKeyPath() {
        String bad = """
                nats: {url: "http://nowhere"}
                traffic: {rate: -1, subject: "a.*", id: "body:id", mode: fast, colour: red}
                outcomes: {id: "json:"}
                backlog: {stream: "A.B", consumer: c, target: ghost}
                """;
        assertThatThrownBy(() -> SystemFile.parse(bad, null, ENV)).isInstanceOfSatisfying(InvalidSystemFile.class, e ->
                assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("nats.url: expected nats://"))
                        .anySatisfy(p -> assertThat(p).startsWith("traffic.rate: expected a number"))
                        .anySatisfy(p -> assertThat(p).startsWith("traffic.subject: 'a.*' is not a NATS subject to publish to"))
                        .anySatisfy(p -> assertThat(p).isEqualTo("traffic.id: expected json:<path> or header:<name>, got 'body:id'"))
                        .anySatisfy(p -> assertThat(p).startsWith("traffic.mode: expected jetstream or core"))
                        .anySatisfy(p -> assertThat(p).startsWith("traffic.colour: unknown key"))
                        .anySatisfy(p -> assertThat(p).startsWith("outcomes: give subject"))
                        .anySatisfy(p -> assertThat(p).startsWith("outcomes.id: expected json:<path>"))
                        .anySatisfy(p -> assertThat(p).startsWith("backlog.stream: 'A.B' is not a JetStream stream name"))
                        .anySatisfy(p -> assertThat(p).startsWith("backlog.target: 'ghost' is not one of targets")));
    }

    static Stream<Arguments> oneBadValueEach() {
        return Stream.of(
                Arguments.of("url: \"nats://127.0.0.1:4222\"", "url: \"4222\"", "nats.url"),
                Arguments.of("rate: 50", "rate: fast", "traffic.rate"),
                Arguments.of("mode: core", "mode: sometimes", "traffic.mode"),
                Arguments.of("id: \"header:Order-Id\"\noutcomes", "id: \"header:Order Id\"\noutcomes", "traffic.id"),
                Arguments.of("subject: \"orders.in.{symbol}\"", "subject: \"orders..in\"", "traffic.subject"),
                Arguments.of("symbols: [eu, us]", "symbols: [eu, \"u.s\"]", "traffic.symbols"),
                Arguments.of("body: 'order {seq}", "body: 'order {sequence}", "traffic.body"),
                Arguments.of("X-Tenant: t1", "X Tenant: t1", "traffic.headers.X Tenant"),
                Arguments.of("subject: \"orders.done\"", "subject: \"orders.>.done\"", "outcomes.subject"),
                Arguments.of("rules: [{regex: \"^done .*\"}]", "rules: [{regex: \"^done (\"}]", "outcomes.rules[0].regex"),
                Arguments.of("rules: [{regex: \"^done .*\"}]", "rules: [{path: action}]", "outcomes.rules[0]"),
                Arguments.of("scrape: [\"http://127.0.0.1:9100/metrics\"]", "scrape: [\"127.0.0.1:9100\"]", "metrics.scrape[0]"),
                Arguments.of("processed: [orders_processed_total]", "processed: [orders-processed]", "metrics.processed"),
                Arguments.of("token: \"${ORDERS_TOKEN}\"", "token: \"${NOT_SET_ANYWHERE}\"", "nats.token"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource
    void oneBadValueEach(String good, String bad, String key) {
        assertThat(ORDERS).contains(good);
        assertThatThrownBy(() -> SystemFile.parse(ORDERS.replace(good, bad), null, ENV))
                .isInstanceOfSatisfying(InvalidSystemFile.class, e ->
                        assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p).startsWith(key + ": ")));
    }

    @Test
    void aJsonIdMustBeWhereTheBodyPutsIt() {
        String f = ORDERS.replace("body: 'order {seq} for {symbol} at {sent_at}'", "body: '{\"order\":{\"ref\":\"{id}\"},\"n\":{seq}}'");
        assertThatThrownBy(() -> SystemFile.parse(f.replace("id: \"header:Order-Id\"\noutcomes", "id: \"json:order.id\"\noutcomes"), null, ENV))
                .isInstanceOfSatisfying(InvalidSystemFile.class, e ->
                        assertThat(e.problems()).containsExactly("traffic.id: json:order.id does not hold {id} in traffic.body"));
        assertThat(catchNothing(() -> SystemFile.parse(f.replace("id: \"header:Order-Id\"\noutcomes", "id: \"json:order.ref\"\noutcomes"),
                null, ENV))).isNotNull();
    }

    @Test
    void requiredSectionsAndUnreadableFiles() throws Exception {
        assertThatThrownBy(() -> SystemFile.parse("name: x\n", null, ENV)).isInstanceOfSatisfying(InvalidSystemFile.class, e ->
                assertThat(e.problems()).containsExactly("nats: required", "traffic: required", "outcomes: required"));
        assertThatThrownBy(() -> SystemFile.parse("[1, 2]", null, ENV)).isInstanceOf(InvalidSystemFile.class);
        assertThatThrownBy(() -> SystemFile.parse("nats: {url: [", null, ENV)).isInstanceOfSatisfying(InvalidSystemFile.class, e ->
                assertThat(e.problems().get(0)).startsWith("not YAML or JSON"));
        Path missing = Files.createTempDirectory("sys").resolve("nope.yaml");
        assertThatThrownBy(() -> SystemFile.load(missing, ENV)).isInstanceOfSatisfying(InvalidSystemFile.class, e ->
                assertThat(e.problems().get(0)).startsWith("cannot read the file"));
    }

    @Test
    void jsonIsAcceptedToo() throws Exception {
        SystemFile f = SystemFile.parse("""
                {"nats": {"url": "nats://127.0.0.1:4222"},
                 "traffic": {"rate": 10, "subject": "in", "body": "{\\"k\\":\\"{id}\\"}", "id": "json:k"},
                 "outcomes": {"stream": "OUT", "id": "json:k"}}
                """, null, ENV);
        assertThat(f.outcomes().stream()).isEqualTo("OUT");
        assertThat(f.traffic().symbols()).containsExactly("default");
    }

    private static Object catchNothing(ThrowingSupplier s) {
        try {
            return s.get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    interface ThrowingSupplier {
        Object get() throws Exception;
    }
}
