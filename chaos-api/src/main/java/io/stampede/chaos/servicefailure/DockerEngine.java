package io.stampede.chaos.servicefailure;

import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The few Docker Engine API calls {@code service_failure} needs, over the engine's unix socket
 * with a minimal HTTP/1.1 client (one connection per request, {@code Connection: close}).
 * The API version is the one the engine announces on {@code /_ping}, never a hard-coded newer one.
 * Blocking: call from worker threads.
 */
public final class DockerEngine {
    public static final Path DEFAULT_SOCKET = Path.of("/var/run/docker.sock");

    /** Not-running, already-paused and similar refusals of the engine. */
    public static final class EngineException extends IOException {
        public final int status;

        EngineException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    record Response(int status, String apiVersion, String body) {}

    /** Closes a channel whose exchange takes too long: blocking channel reads have no timeout. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "docker-engine-watchdog");
        t.setDaemon(true);
        return t;
    });
    static final long TIMEOUT_MS = 30_000;

    private final Path socket;
    private volatile String apiVersion;

    public DockerEngine(Path socket) {
        this.socket = socket;
    }

    public static DockerEngine fromEnv(java.util.Map<String, String> env) {
        String host = env.get("DOCKER_HOST");
        if (host != null && host.startsWith("unix://")) {
            return new DockerEngine(Path.of(host.substring("unix://".length())));
        }
        return new DockerEngine(DEFAULT_SOCKET);
    }

    /** The API version the engine serves, e.g. {@code 1.41}; asked once. */
    public String apiVersion() throws IOException {
        String v = apiVersion;
        if (v == null) {
            Response r = exchange("GET", "/_ping");
            if (r.status != 200 || r.apiVersion == null) {
                throw new EngineException(r.status, "docker engine at " + socket + " did not answer /_ping: " + r.body);
            }
            apiVersion = v = r.apiVersion;
        }
        return v;
    }

    /** {@code GET /containers/{id}/json}; null when no such container. */
    public JsonObject inspect(String container) throws IOException {
        Response r = call("GET", "/containers/" + enc(container) + "/json");
        if (r.status == 404) {
            return null;
        }
        check(r, "inspect " + container);
        return new JsonObject(r.body);
    }

    public void kill(String container) throws IOException {
        check(call("POST", "/containers/" + enc(container) + "/kill?signal=SIGKILL"), "kill " + container);
    }

    /** 304 (already started) counts as success. */
    public void start(String container) throws IOException {
        Response r = call("POST", "/containers/" + enc(container) + "/start");
        if (r.status != 304) {
            check(r, "start " + container);
        }
    }

    public void pause(String container) throws IOException {
        check(call("POST", "/containers/" + enc(container) + "/pause"), "pause " + container);
    }

    public void unpause(String container) throws IOException {
        check(call("POST", "/containers/" + enc(container) + "/unpause"), "unpause " + container);
    }

    /**
     * {@code GET /containers/{id}/stats?stream=false&one-shot=true}: one sample of the container's
     * cgroup figures (CPU nanoseconds, memory bytes), for /metrics; null when no such container.
     */
    public JsonObject stats(String container) throws IOException {
        Response r = call("GET", "/containers/" + enc(container) + "/stats?stream=false&one-shot=true");
        if (r.status == 404) {
            return null;
        }
        check(r, "stats " + container);
        return new JsonObject(r.body);
    }

    private Response call(String method, String path) throws IOException {
        return exchange(method, "/v" + apiVersion() + path);
    }

    private static void check(Response r, String what) throws EngineException {
        if (r.status / 100 != 2) {
            String msg = r.body;
            try {
                msg = new JsonObject(r.body).getString("message", r.body);
            } catch (RuntimeException ignored) {
                // not JSON: keep the raw body
            }
            throw new EngineException(r.status, "docker " + what + ": " + r.status + " " + msg.trim());
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private Response exchange(String method, String path) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // the exchange fails with ClosedChannelException, which is the point
                }
            }, TIMEOUT_MS, TimeUnit.MILLISECONDS);
            try {
                return exchange(ch, method, path);
            } catch (IOException e) {
                if (!ch.isOpen()) {
                    throw new IOException("docker engine did not answer " + method + " " + path + " within "
                            + TIMEOUT_MS + " ms", e);
                }
                throw e;
            } finally {
                watchdog.cancel(false);
            }
        }
    }

    private Response exchange(SocketChannel ch, String method, String path) throws IOException {
        ch.connect(UnixDomainSocketAddress.of(socket));
        String req = method + " " + path + " HTTP/1.1\r\nHost: docker\r\nUser-Agent: stampede-chaos-api\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n";
        ByteBuffer out = ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII));
        while (out.hasRemaining()) {
            ch.write(out);
        }
        return read(new BufferedInputStream(Channels.newInputStream(ch)));
    }

    private static Response read(InputStream in) throws IOException {
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("bad HTTP status line from docker engine: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        long length = -1;
        boolean chunked = false;
        String api = null;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            switch (key) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "api-version" -> api = value;
                default -> { }
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (status == 204 || status == 304) {
            // no body by definition
        } else if (chunked) {
            for (long n = Long.parseLong(line(in).split(";")[0].trim(), 16); n > 0;
                    n = Long.parseLong(line(in).split(";")[0].trim(), 16)) {
                body.write(in.readNBytes((int) n));
                line(in);
            }
        } else if (length >= 0) {
            body.write(in.readNBytes((int) length));
        } else {
            in.transferTo(body);
        }
        return new Response(status, api, body.toString(StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                if (sb.length() == 0) {
                    throw new IOException("docker engine closed the connection");
                }
                break;
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
