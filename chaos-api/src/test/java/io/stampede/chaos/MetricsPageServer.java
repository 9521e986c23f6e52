package io.stampede.chaos;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * A stand-in system under test on a free port: {@code /metrics} answers the Prometheus text the
 * supplier gives (503 while it gives null, as a crashed service's page would), {@code /healthz}
 * answers 200.
 */
final class MetricsPageServer implements AutoCloseable {
    private final HttpServer server;

    MetricsPageServer(Supplier<String> page) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/metrics", ex -> {
            String text = page.get();
            if (text == null) {
                ex.sendResponseHeaders(503, -1);
                ex.close();
                return;
            }
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/healthz", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
    }

    /** {@code http://127.0.0.1:<port>} */
    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
