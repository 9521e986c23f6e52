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
 */
public record ProcessTarget(String name, Path pidFile, List<String> startCommand, URI healthUrl)
        implements TargetConfig {

    public ProcessTarget {
        startCommand = startCommand == null ? null : List.copyOf(startCommand);
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
        problems.addAll(HealthUrls.validate(healthUrl));
        return problems;
    }
}
