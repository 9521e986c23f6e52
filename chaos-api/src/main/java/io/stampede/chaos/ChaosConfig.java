package io.stampede.chaos;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The chaos API's configuration, read once from environment variables with named defaults.
 * Every key is documented in the README's "Configuration" section.
 *
 * @param host        bind address (loopback by default)
 * @param port        HTTP port, 0 for an ephemeral one
 * @param natsUrl     the NATS server of the system under test (health-checked as target "nats")
 * @param targets     service name → health URL; only these can be acted on
 * @param home        project root (runs and journal live under {@code home/var})
 */
public record ChaosConfig(String host, int port, String natsUrl, Map<String, URI> targets, Path home) {

    public static final int DEFAULT_PORT = 8008;

    public ChaosConfig {
        targets = Map.copyOf(new LinkedHashMap<>(targets));
    }

    public static ChaosConfig fromEnv(Map<String, String> env) {
        String gateway = env.getOrDefault("STAMPEDE_GATEWAY_URL", "http://127.0.0.1:8001/healthz");
        String agent = env.getOrDefault("STAMPEDE_AGENT_URL", "http://127.0.0.1:8002/healthz");
        Map<String, URI> targets = new LinkedHashMap<>();
        targets.put("gateway", URI.create(gateway));
        targets.put("agent", URI.create(agent));
        return new ChaosConfig(
                env.getOrDefault("STAMPEDE_HOST", "127.0.0.1"),
                parsePort(env.getOrDefault("STAMPEDE_PORT", Integer.toString(DEFAULT_PORT))),
                env.getOrDefault("STAMPEDE_NATS_URL", "nats://127.0.0.1:4222"),
                targets,
                Path.of(env.getOrDefault("STAMPEDE_HOME", ".")).toAbsolutePath().normalize());
    }

    private static int parsePort(String v) {
        try {
            int p = Integer.parseInt(v.trim());
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("STAMPEDE_PORT must be a port number 0..65535, got '" + v + "'");
        }
    }
}
