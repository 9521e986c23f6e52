package io.stampede.chaos.servicefailure;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A local process found through its pid file. {@code startCommand} brings it back after a crash;
 * for the demo stack it is the launcher ({@code stampede start <part>}) so the pid file stays
 * true. A command that does not write the pid file itself is fine too: the injector then writes
 * the pid of the process it started.
 *
 * <p>The pid file is only a hint: a pid is taken for the target only if its command line
 * (arguments joined by spaces) contains one of {@code match}, like the launcher's
 * {@code pid_is_part}. Default ({@link #defaultMatch}): {@code <name>.jar} for the launcher
 * convention {@code [..., "start", <name>]}, else the start command itself joined by spaces.
 *
 * @param healthTimeoutMs how long a crash revert waits for the target to be back (health 200, or
 *                        running without {@code health_url}); 0 = the injector's default
 */
public record ProcessTarget(String name, Path pidFile, List<String> startCommand, URI healthUrl,
        List<String> match, long healthTimeoutMs) implements TargetConfig {

    public ProcessTarget {
        startCommand = startCommand == null ? null : List.copyOf(startCommand);
        match = match == null || match.isEmpty() ? defaultMatch(name, startCommand) : List.copyOf(match);
    }

    /** Default match, default timeout. */
    public ProcessTarget(String name, Path pidFile, List<String> startCommand, URI healthUrl) {
        this(name, pidFile, startCommand, healthUrl, null, 0);
    }

    static List<String> defaultMatch(String name, List<String> startCommand) {
        if (startCommand == null || startCommand.isEmpty()) {
            return List.of();
        }
        int n = startCommand.size();
        if (n >= 3 && "start".equals(startCommand.get(n - 2)) && startCommand.get(n - 1).equals(name)) {
            return List.of(name + ".jar");
        }
        return List.of(String.join(" ", startCommand));
    }

    @Override
    public List<String> validate() {
        List<String> problems = new ArrayList<>();
        if (name == null || name.isBlank()) {
            problems.add("name: required");
        }
        if (pidFile == null) {
            problems.add("pid_file: required");
        } else if (!pidFile.isAbsolute()) {
            problems.add("pid_file: must be an absolute path: " + pidFile);
        }
        if (startCommand == null || startCommand.isEmpty()) {
            problems.add("start_command: required (a non-empty list of arguments)");
        } else if (startCommand.stream().anyMatch(a -> a == null || a.isEmpty())) {
            problems.add("start_command: arguments must be non-empty strings");
        }
        if (match.stream().anyMatch(m -> m == null || m.isBlank())) {
            problems.add("match: patterns must be non-blank strings");
        }
        if (healthTimeoutMs < 0) {
            problems.add("health_timeout_s: must be >= 0");
        }
        problems.addAll(HealthUrls.validate(healthUrl));
        return problems;
    }
}
