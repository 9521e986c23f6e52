package io.stampede.chaos.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the command that runs a Gatling simulation in its own JVM from the simulations module's
 * build output ({@code test-classes} + {@code lib/*.jar}), without Maven.
 *
 * @param simulationsTarget the {@code simulations/target} directory
 * @param javaBinary        the java executable (the chaos API's own by default)
 * @param maxHeap           the child's -Xmx
 */
public record SimulationLauncher(Path simulationsTarget, String javaBinary, String maxHeap) {

    /** Gatling crashes without these on Java 17 (measured, ../shared/NOTES-build.md). */
    public static final List<String> ADD_OPENS = List.of(
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");

    public static SimulationLauncher forTarget(Path simulationsTarget) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return new SimulationLauncher(simulationsTarget, java, "768m");
    }

    /**
     * {@code $STAMPEDE_HOME/simulations/target}, or {@code ./simulations/target} when
     * STAMPEDE_HOME is unset ({@code ./stampede up} runs from the repository root).
     */
    public static SimulationLauncher fromEnvironment(Map<String, String> env) {
        String home = env.getOrDefault("STAMPEDE_HOME", "");
        Path base = home.isBlank() ? Path.of("").toAbsolutePath() : Path.of(home);
        return forTarget(base.resolve("simulations").resolve("target"));
    }

    /** Problems that would make a launch fail, e.g. the simulations module was not built. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(simulationsTarget.resolve("test-classes").resolve("io"))) {
            problems.add("no simulation classes in " + simulationsTarget.resolve("test-classes")
                    + ": build them with `mvn -B -DskipTests package -pl simulations -am`");
        }
        Path lib = simulationsTarget.resolve("lib");
        try (var jars = Files.isDirectory(lib) ? Files.list(lib) : java.util.stream.Stream.<Path>empty()) {
            if (jars.noneMatch(j -> j.getFileName().toString().startsWith("gatling-app"))) {
                problems.add("no Gatling jars in " + lib + ": build with `mvn -B -DskipTests package -pl simulations -am`");
            }
        } catch (IOException e) {
            problems.add("cannot list " + lib + ": " + e.getMessage());
        }
        return problems;
    }

    /**
     * {@code test-classes}, {@code lib/*}, and the directories listed in {@code classpath.txt}: a
     * build that stops before {@code package} (e.g. {@code mvn test}) resolves Stampede modules the
     * simulations depend on (the reports module) to their {@code target/classes}, which
     * copy-dependencies cannot copy into {@code lib/}.
     */
    public String classpath() {
        StringBuilder cp = new StringBuilder().append(simulationsTarget.resolve("test-classes"))
                .append(java.io.File.pathSeparator).append(simulationsTarget.resolve("lib")).append(java.io.File.separator).append('*');
        Path listed = simulationsTarget.resolve("classpath.txt");
        if (Files.isRegularFile(listed)) {
            try {
                for (String entry : Files.readString(listed).strip().split(java.io.File.pathSeparator)) {
                    if (!entry.isBlank() && Files.isDirectory(Path.of(entry))) {
                        cp.append(java.io.File.pathSeparator).append(entry);
                    }
                }
            } catch (IOException | java.nio.file.InvalidPathException e) {
                // lib/ alone, as before
            }
        }
        return cp.toString();
    }

    /** The full command line; system properties carry the simulation's parameters. */
    public List<String> command(String simulationClass, Map<String, String> properties, Path resultsDir) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary);
        cmd.add("-Xmx" + maxHeap);
        cmd.addAll(ADD_OPENS);
        cmd.add("-Dio.netty.tryReflectionSetAccessible=true");
        // Usage analytics call an outside host: off on every launch, not only in gatling.conf.
        cmd.add("-Dgatling.data.enableAnalytics=false");
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add("io.gatling.app.Gatling");
        cmd.add("-s");
        cmd.add(simulationClass);
        cmd.add("-rf");
        cmd.add(resultsDir.toString());
        return cmd;
    }
}
