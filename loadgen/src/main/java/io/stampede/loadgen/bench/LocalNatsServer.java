package io.stampede.loadgen.bench;

import io.stampede.natsbinary.NatsServerBinary;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A throwaway nats-server for the benchmark (found by {@link NatsServerBinary}, like testkit's NatsServer). */
final class LocalNatsServer implements AutoCloseable {
    private final Process process;
    private final int port;

    private LocalNatsServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static LocalNatsServer start() throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String bin = NatsServerBinary.require("install it, set NATS_SERVER_BIN, or pass --nats-url");
        Path log = Files.createTempFile("stampede-bench-nats-", ".log");
        Process p = new ProcessBuilder(bin, "-a", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("nats-server exited, see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new LocalNatsServer(p, port);
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IOException("nats-server did not listen on " + port);
    }

    String url() {
        return "nats://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
