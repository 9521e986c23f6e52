package io.stampede.testkit;

import io.stampede.natsbinary.NatsServerBinary;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real nats-server process with JetStream, on a free loopback port, data in a temp dir.
 * Use in try-with-resources. {@link #restart()} keeps port and data (JetStream state survives).
 * {@link NatsCluster} starts several as one cluster (core NATS, routes between them).
 */
public final class NatsServer implements AutoCloseable {
    private final int port;
    private final Path dataDir;
    private final Path logFile;
    private final boolean ownsDataDir;
    private final boolean jetStream;
    private final List<String> extraArgs;
    private Process process;

    private NatsServer(int port, Path dataDir, boolean ownsDataDir, boolean jetStream, List<String> extraArgs) {
        this.port = port;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.jetStream = jetStream;
        this.extraArgs = List.copyOf(extraArgs);
        this.logFile = dataDir.resolve("nats-server.log");
    }

    public static NatsServer start() {
        return start(true, List.of());
    }

    /** Without JetStream if {@code jetStream} is false; {@code extraArgs} appended to the command line. */
    static NatsServer start(boolean jetStream, List<String> extraArgs) {
        try {
            NatsServer s = new NatsServer(FreePorts.next(), Files.createTempDirectory("stampede-nats-"), true, jetStream, extraArgs);
            s.launch();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The nats-server binary: $NATS_SERVER_BIN, else PATH, else Debian's /usr/sbin ({@link NatsServerBinary}). */
    public static String binary() {
        return NatsServerBinary.require("install it (apt-get install nats-server) or set NATS_SERVER_BIN");
    }

    private void launch() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binary(), "-a", "127.0.0.1", "-p", Integer.toString(port)));
        if (jetStream) {
            cmd.addAll(List.of("-js", "-sd", dataDir.resolve("js").toString()));
        }
        cmd.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        process = pb.start();
        try {
            Await.until("nats-server on " + port, Duration.ofSeconds(15),
                    () -> {
                        if (!process.isAlive()) {
                            throw new AssertionError("nats-server exited: see " + logFile);
                        }
                        return FreePorts.isListening(port);
                    });
        } catch (AssertionError e) {
            process.destroyForcibly();
            throw e;
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    /** The server's log (stdout and stderr), named in failure messages. */
    public Path logFile() {
        return logFile;
    }

    public long pid() {
        return process.pid();
    }

    /** Stop (SIGTERM, then SIGKILL) without deleting data. */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Await.until("port " + port + " released", Duration.ofSeconds(10), () -> !FreePorts.isListening(port));
    }

    public void restart() {
        stop();
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stop();
        if (ownsDataDir) {
            deleteTree(dataDir);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: temp dirs
        }
    }
}
