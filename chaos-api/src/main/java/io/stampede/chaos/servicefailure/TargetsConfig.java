package io.stampede.chaos.servicefailure;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configured {@code service_failure} targets, read once from JSON (see chaos-api/TARGETS.md).
 *
 * <pre>{"targets": {
 *   "gateway": {"type": "container", "container": "stampede-gateway-1", "health_url": "http://127.0.0.1:8001/healthz"},
 *   "agent":   {"type": "process", "pid_file": "/srv/agent.pid", "start_command": ["/srv/agent", "start"],
 *               "health_url": "http://127.0.0.1:8002/healthz"}}}</pre>
 *
 * For a process, {@code pid_file} defaults to {@code $STAMPEDE_HOME/var/run/<name>.pid} and
 * {@code start_command} to {@code [$STAMPEDE_LAUNCHER or $STAMPEDE_HOME/stampede, start, <name>]},
 * the launcher's convention. Strings may use {@code ${VAR}} from the environment.
 *
 * @param targets  by name, in file order
 * @param problems every problem found; the targets are unusable unless this is empty
 */
public record TargetsConfig(Map<String, TargetConfig> targets, List<String> problems) {
    public static final String FILE_ENV = "STAMPEDE_TARGETS_FILE";
    public static final String HOME_ENV = "STAMPEDE_HOME";
    public static final String LAUNCHER_ENV = "STAMPEDE_LAUNCHER";
    public static final URI DEFAULT_GATEWAY_HEALTH = URI.create("http://127.0.0.1:8001/healthz");
    public static final URI DEFAULT_AGENT_HEALTH = URI.create("http://127.0.0.1:8002/healthz");

    private static final Set<String> CONTAINER_KEYS = Set.of("type", "container", "health_url", "health_timeout_s");
    private static final Set<String> PROCESS_KEYS = Set.of("type", "pid_file", "start_command", "health_url", "match",
            "health_timeout_s");
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");

    public TargetsConfig {
        targets = Collections.unmodifiableMap(new LinkedHashMap<>(targets));
        problems = List.copyOf(problems);
    }

    public boolean valid() {
        return problems.isEmpty();
    }

    public TargetConfig get(String name) {
        return targets.get(name);
    }

    /** The file named by {@code STAMPEDE_TARGETS_FILE}, else {@link #defaults}. */
    public static TargetsConfig load(Map<String, String> env) {
        String file = env.get(FILE_ENV);
        if (file == null || file.isBlank()) {
            return defaults(env);
        }
        try {
            return parse(Files.readString(Path.of(file)), env);
        } catch (IOException e) {
            return new TargetsConfig(Map.of(), List.of(FILE_ENV + ": cannot read " + file + ": " + e.getMessage()));
        }
    }

    /** The demo stack: gateway and agent as launcher-managed local processes. */
    public static TargetsConfig defaults(Map<String, String> env) {
        Map<String, TargetConfig> t = new LinkedHashMap<>();
        t.put("gateway", launcherProcess("gateway", envUri(env, "STAMPEDE_GATEWAY_URL", DEFAULT_GATEWAY_HEALTH), env));
        t.put("agent", launcherProcess("agent", envUri(env, "STAMPEDE_AGENT_URL", DEFAULT_AGENT_HEALTH), env));
        return new TargetsConfig(t, List.of());
    }

    public static ProcessTarget launcherProcess(String name, URI health, Map<String, String> env) {
        return new ProcessTarget(name, defaultPidFile(name, env), defaultStartCommand(name, env), health);
    }

    static Path stampedeHome(Map<String, String> env) {
        String home = env.get(HOME_ENV);
        return Path.of(home == null || home.isBlank() ? System.getProperty("user.dir") : home).toAbsolutePath();
    }

    private static URI envUri(Map<String, String> env, String key, URI def) {
        String v = env.get(key);
        return v == null || v.isBlank() ? def : URI.create(v.trim());
    }

    /** The launcher's pid file: {@code $STAMPEDE_VAR_DIR/run/<name>.pid} (default {@code $STAMPEDE_HOME/var}). */
    static Path defaultPidFile(String name, Map<String, String> env) {
        String var = env.get("STAMPEDE_VAR_DIR");
        Path varDir = var == null || var.isBlank() ? stampedeHome(env).resolve("var") : Path.of(var).toAbsolutePath();
        return varDir.resolve("run").resolve(name + ".pid");
    }

    static List<String> defaultStartCommand(String name, Map<String, String> env) {
        String launcher = env.get(LAUNCHER_ENV);
        if (launcher == null || launcher.isBlank()) {
            launcher = stampedeHome(env).resolve("stampede").toString();
        }
        return List.of(launcher, "start", name);
    }

    /** A system file's {@code targets} section (SystemFile#targets), in its order. */
    public static TargetsConfig ofSystemFile(Map<String, Object> targets, Map<String, String> env) {
        return parse(new JsonObject().put("targets", new JsonObject(targets)), env);
    }

    public static TargetsConfig parse(String json, Map<String, String> env) {
        JsonObject doc;
        try {
            doc = new JsonObject(json);
        } catch (DecodeException | ClassCastException e) {
            return new TargetsConfig(Map.of(), List.of("not a JSON object: " + e.getMessage()));
        }
        return parse(doc, env);
    }

    public static TargetsConfig parse(JsonObject doc, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        Map<String, TargetConfig> targets = new LinkedHashMap<>();
        Object root = doc.getValue("targets");
        if (!(root instanceof JsonObject all)) {
            return new TargetsConfig(Map.of(), List.of("targets: required, an object of name -> target"));
        }
        if (all.isEmpty()) {
            problems.add("targets: at least one target is required");
        }
        for (String name : all.fieldNames()) {
            String at = "targets." + name;
            if (!name.matches("[a-z0-9][a-z0-9_-]*")) {
                problems.add(at + ": name must match [a-z0-9][a-z0-9_-]*");
            }
            if (!(all.getValue(name) instanceof JsonObject t)) {
                problems.add(at + ": must be an object");
                continue;
            }
            String type = t.getValue("type") instanceof String s ? s : null;
            TargetConfig target;
            if ("container".equals(type)) {
                unknownKeys(t, CONTAINER_KEYS, at, problems);
                target = new ContainerTarget(name, string(t, "container", at, env, problems),
                        uri(t, at, env, problems), timeoutMs(t, at, problems));
            } else if ("process".equals(type)) {
                unknownKeys(t, PROCESS_KEYS, at, problems);
                String pid = string(t, "pid_file", at, env, problems);
                List<String> cmd = t.containsKey("start_command")
                        ? command(t, at, env, problems) : defaultStartCommand(name, env);
                target = new ProcessTarget(name, pid == null ? defaultPidFile(name, env) : Path.of(pid), cmd,
                        uri(t, at, env, problems), match(t, at, env, problems), timeoutMs(t, at, problems));
            } else {
                problems.add(at + ".type: must be \"container\" or \"process\", got " + t.getValue("type"));
                continue;
            }
            for (String p : target.validate()) {
                problems.add(at + "." + p);
            }
            targets.put(name, target);
        }
        return new TargetsConfig(targets, problems);
    }

    private static void unknownKeys(JsonObject t, Set<String> known, String at, List<String> problems) {
        for (String k : t.fieldNames()) {
            if (!known.contains(k)) {
                problems.add(at + "." + k + ": unknown key (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String string(JsonObject t, String key, String at, Map<String, String> env, List<String> problems) {
        Object v = t.getValue(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            problems.add(at + "." + key + ": must be a string");
            return null;
        }
        return expand(s, env, at + "." + key, problems);
    }

    private static URI uri(JsonObject t, String at, Map<String, String> env, List<String> problems) {
        String s = string(t, "health_url", at, env, problems);
        if (s == null) {
            return null;
        }
        try {
            return new URI(s);
        } catch (Exception e) {
            problems.add(at + ".health_url: not a URL: " + s);
            return null;
        }
    }

    /** {@code match}: a string or a list of strings, each a substring of the target's command line. */
    private static List<String> match(JsonObject t, String at, Map<String, String> env, List<String> problems) {
        Object v = t.getValue("match");
        if (v == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        if (v instanceof String s) {
            out.add(expand(s, env, at + ".match", problems));
        } else if (v instanceof JsonArray arr && !arr.isEmpty()) {
            for (Object o : arr) {
                if (o instanceof String s) {
                    out.add(expand(s, env, at + ".match", problems));
                } else {
                    problems.add(at + ".match: every pattern must be a string, got " + o);
                }
            }
        } else {
            problems.add(at + ".match: must be a string or a non-empty list of strings");
        }
        return out;
    }

    private static long timeoutMs(JsonObject t, String at, List<String> problems) {
        Object v = t.getValue("health_timeout_s");
        if (v == null) {
            return 0;
        }
        if (!(v instanceof Number n) || !(n.doubleValue() > 0) || n.doubleValue() > 3600) {
            problems.add(at + ".health_timeout_s: must be a number of seconds in (0, 3600], got " + v);
            return 0;
        }
        return Math.round(n.doubleValue() * 1000);
    }

    private static List<String> command(JsonObject t, String at, Map<String, String> env, List<String> problems) {
        if (!(t.getValue("start_command") instanceof JsonArray arr)) {
            problems.add(at + ".start_command: must be a list of strings");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object o : arr) {
            if (o instanceof String s) {
                out.add(expand(s, env, at + ".start_command", problems));
            } else {
                problems.add(at + ".start_command: every argument must be a string, got " + o);
            }
        }
        return out;
    }

    static String expand(String s, Map<String, String> env, String at, List<String> problems) {
        Matcher m = VAR.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String var = m.group(1) != null ? m.group(1) : m.group(2);
            String val = env.get(var);
            if (val == null && HOME_ENV.equals(var)) {
                val = stampedeHome(env).toString();
            }
            if (val == null) {
                problems.add(at + ": environment variable " + var + " is not set");
                val = "";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(val));
        }
        m.appendTail(out);
        return out.toString();
    }
}
