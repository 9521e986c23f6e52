package io.stampede.loadgen.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/agents/: the Kubernetes manifest (never applied here: no cluster, no kubectl) and the
 * compose file parsed as YAML and checked against each other and the image's Dockerfile. The
 * compose file itself runs for real in deploy/test/agents-compose-test.sh.
 */
class DeployAgentsFilesTest {
    private static final Path DIR = Path.of("..", "deploy", "agents").toAbsolutePath().normalize();
    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void theK8sManifestHasAConfigMapADeploymentAndACronJobThatFitTogether() throws Exception {
        Map<String, JsonNode> byKind = new LinkedHashMap<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(DIR.resolve("k8s/agents.yaml").toFile())) {
            while (docs.hasNext()) {
                JsonNode d = docs.next();
                assertThat(d.path("metadata").path("name").asText()).as("metadata.name of %s", d.path("kind")).isNotBlank();
                assertThat(byKind.put(d.path("kind").asText(), d)).as("one %s", d.path("kind")).isNull();
            }
        }
        assertThat(byKind).containsOnlyKeys("ConfigMap", "Deployment", "CronJob");
        assertThat(byKind.get("ConfigMap").path("apiVersion").asText()).isEqualTo("v1");
        assertThat(byKind.get("Deployment").path("apiVersion").asText()).isEqualTo("apps/v1");
        assertThat(byKind.get("CronJob").path("apiVersion").asText()).isEqualTo("batch/v1");

        JsonNode config = byKind.get("ConfigMap");
        String configName = config.path("metadata").path("name").asText();
        assertThat(config.path("data").path("NATS_URL").asText()).startsWith("nats://").contains(",");

        // the Deployment: selector = pod labels, the agent command, its name from the pod, NATS_URL from the ConfigMap
        JsonNode dep = byKind.get("Deployment").path("spec");
        assertThat(dep.path("replicas").isInt()).isTrue();
        JsonNode podLabels = dep.path("template").path("metadata").path("labels");
        dep.path("selector").path("matchLabels").fields().forEachRemaining(
                e -> assertThat(podLabels.path(e.getKey()).asText()).as("pod label %s", e.getKey()).isEqualTo(e.getValue().asText()));
        JsonNode agent = only(dep.path("template").path("spec").path("containers"));
        assertThat(agent.path("image").asText()).isEqualTo(composeDefault("agent", "image"));
        assertThat(agent.has("command")).as("the image's entrypoint is used").isFalse();
        assertThat(texts(agent.path("args"))).containsExactly("agent");
        assertThat(agent.path("envFrom").findValuesAsText("name")).contains(configName);
        JsonNode agentName = only(agent.path("env"));
        assertThat(agentName.path("name").asText()).isEqualTo("AGENT_NAME");
        assertThat(agentName.path("valueFrom").path("fieldRef").path("fieldPath").asText()).isEqualTo("metadata.name");
        assertThat(agent.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();

        // the coordinator: a suspended CronJob as a Job template, `run --agents N ... --json` through the entrypoint
        JsonNode cron = byKind.get("CronJob").path("spec");
        assertThat(cron.path("suspend").asBoolean()).isTrue();
        JsonNode pod = cron.path("jobTemplate").path("spec").path("template").path("spec");
        assertThat(pod.path("restartPolicy").asText()).isEqualTo("Never");
        JsonNode coord = only(pod.path("containers"));
        assertThat(coord.path("image").asText()).isEqualTo(agent.path("image").asText());
        assertThat(coord.has("command")).as("no shell in the image: no sh -c").isFalse();
        List<String> args = texts(coord.path("args"));
        assertThat(args).startsWith("run").contains("--agents", "--json").doesNotContain("--nats-url");
        assertThat(coord.path("envFrom").findValuesAsText("name")).contains(configName);
    }

    @Test
    void theComposeFileWorksWithCompose129AndTheImageItNames() throws Exception {
        JsonNode compose = YAML.readTree(DIR.resolve("compose.yaml").toFile());
        assertThat(compose.has("name")).as("top-level name: docker-compose 1.29 rejects it").isFalse();
        JsonNode services = compose.path("services");
        assertThat(services.fieldNames()).toIterable().containsExactlyInAnyOrder("nats", "agent", "coordinator");
        assertThat(texts(services.path("nats").path("profiles"))).containsExactly("agents");
        assertThat(texts(services.path("agent").path("profiles"))).containsExactly("agents");
        // `up --profile agents` must not start a run
        assertThat(texts(services.path("coordinator").path("profiles"))).doesNotContain("agents");
        assertThat(services.path("agent").path("deploy").path("replicas").asText()).isEqualTo("${AGENTS:-3}");
        assertThat(texts(services.path("agent").path("command"))).containsExactly("agent");
        assertThat(texts(services.path("coordinator").path("command"))).startsWith("run").contains("--agents", "${AGENTS:-3}");
        assertThat(services.path("coordinator").has("entrypoint")).as("no shell in the image").isFalse();
        assertThat(composeDefault("coordinator", "image")).isEqualTo(composeDefault("agent", "image"));
        assertThat(composeDefault("nats", "image")).isEqualTo("stampede/nats:dev");

        // both images are made by build-images.sh; the loadgen one from this Dockerfile, entrypoint = the jar
        String build = Files.readString(DIR.resolve("../docker/build-images.sh"));
        assertThat(build).contains("ALL=(nats prometheus gateway agent proxy chaos-api loadgen)", "deploy/agents/Dockerfile");
        String dockerfile = Files.readString(DIR.resolve("Dockerfile"));
        assertThat(dockerfile).contains("ENTRYPOINT [\"java\", \"-jar\", \"/opt/stampede/loadgen.jar\"]")
                .containsPattern("(?m)^USER [0-9]+:[0-9]+$"); // numeric: Kubernetes' runAsNonRoot can check it
    }

    private static String composeDefault(String service, String key) throws Exception {
        String v = YAML.readTree(DIR.resolve("compose.yaml").toFile()).path("services").path(service).path(key).asText();
        Matcher m = Pattern.compile("^\\$\\{[A-Z_]+:-(.+)}$").matcher(v);
        return m.matches() ? m.group(1) : v;
    }

    private static JsonNode only(JsonNode array) {
        assertThat(array.isArray() && array.size() == 1).as("one element: %s", array).isTrue();
        return array.get(0);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
