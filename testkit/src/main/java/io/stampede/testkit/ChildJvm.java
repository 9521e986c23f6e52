package io.stampede.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service started as a separate JVM with the test's own classpath, so a test can SIGKILL it
 * like a real crash. Output goes to a log file named in failure messages.
 */
public final class ChildJvm implements AutoCloseable {
    private final String mainClass;
    private final List<String> args;
    private final Map<String, String> env;
    private final Path logFile;
    private Process process;

    private ChildJvm(String mainClass, List<String> args, Map<String, String> env, Path logFile) {
        this.mainClass = mainClass;
        this.args = args;
        this.env = env;
        this.logFile = logFile;
    }

    public static ChildJvm start(Class<?> mainClass, Map<String, String> env, String... args) {
        try {
            Path log = Files.createTempFile("stampede-" + mainClass.getSimpleName() + "-", ".log");
            ChildJvm jvm = new ChildJvm(mainClass.getName(), List.of(args), Map.copyOf(env), log);
            jvm.launch();
            return jvm;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private void launch() {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().putAll(env);
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    public String log() {
        try {
            return Files.readString(logFile);
        } catch (IOException e) {
            return "<no log: " + e + ">";
        }
    }

    /** SIGKILL and wait: a crash, no shutdown hooks run. */
    public void kill9() {
        process.destroyForcibly();
        waitExit(10);
    }

    /** Start again with the same class, args and environment. */
    public void restart() {
        if (process.isAlive()) {
            kill9();
        }
        launch();
    }

    private void waitExit(int seconds) {
        try {
            process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, then SIGKILL if it does not exit in time. */
    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            waitExit(10);
            if (process.isAlive()) {
                kill9();
            }
        }
    }
}
