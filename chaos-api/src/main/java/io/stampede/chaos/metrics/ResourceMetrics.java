package io.stampede.chaos.metrics;

import io.stampede.chaos.servicefailure.ContainerTarget;
import io.stampede.chaos.servicefailure.DockerEngine;
import io.stampede.chaos.servicefailure.ProcessTarget;
import io.stampede.chaos.servicefailure.TargetConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * CPU and memory of every {@code service_failure} target and of the chaos API itself, under
 * cAdvisor's names so dashboards written for cAdvisor work unchanged:
 * {@code container_cpu_usage_seconds_total{name}} and {@code container_memory_usage_bytes{name}},
 * {@code name} being the target's name ({@code gateway}, {@code agent}, {@code chaos-api}).
 * <ul>
 *   <li>container targets: the Engine API's stats ({@code cpu_stats.cpu_usage.total_usage} in ns,
 *       {@code memory_stats.usage}, cgroup figures as cAdvisor reads them);</li>
 *   <li>process targets: {@code /proc/<pid>/stat} utime + stime (clock ticks) and
 *       {@code /proc/<pid>/statm} resident pages, for the pid its pid file names.</li>
 * </ul>
 * {@code stampede_target_resources_up{name}} is 1 when the figures could be read (0: the process or
 * container is not running, or the engine did not answer).
 */
final class ResourceMetrics implements MetricSource {
    static final String CPU = "container_cpu_usage_seconds";
    static final String MEMORY = "container_memory_usage_bytes";
    static final String UP = "stampede_target_resources_up";
    private static final String CPU_HELP = "Cumulative CPU time consumed (user + system), per target";
    private static final String MEMORY_HELP = "Memory in use (containers: cgroup usage; processes: resident set), per target";
    /** USER_HZ: 100 on every Linux ABI the JDK runs on. */
    static final double CLOCK_TICKS = 100;
    static final long PAGE_SIZE = 4096;

    /** name → target; the chaos API's own process is added as {@code chaos-api}. */
    private final Map<String, TargetConfig> targets;
    private final DockerEngine docker;
    private final long selfPid;

    ResourceMetrics(Map<String, TargetConfig> targets, DockerEngine docker, long selfPid) {
        this.targets = new LinkedHashMap<>(targets);
        this.docker = docker;
        this.selfPid = selfPid;
    }

    @Override
    public void sample(Families out) {
        out.declare(true, CPU, CPU_HELP).declare(false, MEMORY, MEMORY_HELP);
        targets.forEach((name, t) -> {
            Usage u = null;
            if (t instanceof ContainerTarget c) {
                u = container(c.container());
            } else if (t instanceof ProcessTarget p) {
                OptionalLong pid = pidFile(p.pidFile());
                // a stale pid file may name someone else: only the target's own figures count
                u = pid.isPresent() && matches(pid.getAsLong(), p.match()) ? process(pid.getAsLong()) : null;
            }
            emit(out, name, u);
        });
        if (!targets.containsKey("chaos-api")) {
            emit(out, "chaos-api", process(selfPid));
        }
    }

    private static void emit(Families out, String name, Usage u) {
        out.gauge(UP, "1 when the target's CPU and memory could be read", u == null ? 0 : 1, "name", name);
        if (u != null) {
            out.counter(CPU, CPU_HELP, u.cpuSeconds, "name", name);
            out.gauge(MEMORY, MEMORY_HELP, u.memoryBytes, "name", name);
        }
    }

    record Usage(double cpuSeconds, double memoryBytes) {}

    private Usage container(String container) {
        try {
            JsonObject s = docker.stats(container);
            if (s == null) {
                return null;
            }
            JsonObject cpu = s.getJsonObject("cpu_stats", new JsonObject()).getJsonObject("cpu_usage", new JsonObject());
            JsonObject mem = s.getJsonObject("memory_stats", new JsonObject());
            Number total = cpu.getNumber("total_usage");
            Number usage = mem.getNumber("usage");
            // a stopped container answers with empty stats
            if (total == null || usage == null) {
                return null;
            }
            return new Usage(total.doubleValue() / 1e9, usage.doubleValue());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static OptionalLong pidFile(Path f) {
        try {
            return OptionalLong.of(Long.parseLong(Files.readString(f).trim().split("\\s+")[0]));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** True when the command line of pid (arguments joined by spaces) holds one of the patterns (none: any). */
    static boolean matches(long pid, java.util.List<String> patterns) {
        if (patterns == null || patterns.isEmpty()) {
            return true;
        }
        try {
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
            return patterns.stream().anyMatch(cmdline::contains);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Figures of one process from /proc; null when it is gone or a zombie. */
    static Usage process(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // fields after the command name, which may hold spaces and parentheses
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (f[0].equals("Z") || f[0].equals("X")) {
                return null;
            }
            // f[0] is field 3 (state): utime is field 14, stime field 15
            double ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            String[] statm = Files.readString(Path.of("/proc/" + pid + "/statm")).trim().split(" ");
            return new Usage(ticks / CLOCK_TICKS, Long.parseLong(statm[1]) * (double) PAGE_SIZE);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
