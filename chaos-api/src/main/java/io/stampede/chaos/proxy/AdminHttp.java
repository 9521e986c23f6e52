package io.stampede.chaos.proxy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A small synchronous HTTP/1.1 client for the proxy's admin API: one keep-alive connection,
 * each exchange written and read on the calling thread with a deadline. No thread hand-offs
 * (the JDK {@code HttpClient} moves every exchange through its selector and executor threads:
 * about 1 ms of a 1.5 ms admin call on a busy 2-core box).
 *
 * <p>Thread-safe: a caller takes the idle connection (or opens one if another caller has it) and
 * gives it back after the exchange. A reused connection that the server closed in the meantime
 * is retried once on a new one when nothing of the answer had arrived (every admin call is
 * idempotent: PUT, DELETE, GET). A connection idle for longer than {@link #MAX_IDLE_NANOS} is
 * not reused (the JDK server closes idle ones after 30 s).
 */
final class AdminHttp implements AutoCloseable {
    static final long MAX_IDLE_NANOS = 20_000_000_000L;
    private static final int MAX_HEADER = 16 * 1024;
    private static final int MAX_BODY = 16 * 1024 * 1024;

    /** status and body (UTF-8) of one answer */
    public record Response(int status, String body) {}

    private final String host;
    private final int port;
    private final String basePath;
    private final String hostHeader;
    private final long timeoutNanos;
    private final AtomicReference<Conn> idle = new AtomicReference<>();
    private volatile boolean closed;

    /** @param base {@code http://host:port[/prefix]} */
    public AdminHttp(URI base, Duration timeout) {
        if (!"http".equalsIgnoreCase(base.getScheme()) || base.getHost() == null) {
            throw new IllegalArgumentException("admin URL must be http://host:port, got " + base);
        }
        this.host = base.getHost();
        this.port = base.getPort() < 0 ? 80 : base.getPort();
        String p = base.getRawPath() == null ? "" : base.getRawPath();
        this.basePath = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
        this.hostHeader = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        this.timeoutNanos = timeout.toNanos();
    }

    /**
     * One exchange: {@code method} on {@code path} (already encoded, starting with '/') relative to
     * the base URL, with a JSON body or none. Waits at most the timeout in all.
     */
    public Response send(String method, String path, String jsonBody) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        byte[] request = request(method, basePath + path, jsonBody);
        Conn c = idle.getAndSet(null);
        if (c != null && System.nanoTime() - c.lastUsed > MAX_IDLE_NANOS) {
            c.close();
            c = null;
        }
        boolean reused = c != null;
        if (c == null) {
            c = open(deadline);
        }
        Response r;
        try {
            r = exchange(c, request, deadline);
        } catch (StaleConnection e) {
            c.close();
            if (!reused) {
                throw new IOException("admin server closed the connection before answering", e.getCause());
            }
            c = open(deadline); // the server closed the idle connection: once more, on a new one
            try {
                r = exchange(c, request, deadline);
            } catch (StaleConnection again) {
                c.close();
                throw new IOException("admin server closed the connection before answering", again.getCause());
            } catch (IOException | RuntimeException again) {
                c.close();
                throw again;
            }
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        if (c.keepAlive && !closed) {
            c.lastUsed = System.nanoTime();
            if (!idle.compareAndSet(null, c)) {
                c.close(); // another caller's connection is idle already
            }
        } else {
            c.close();
        }
        return r;
    }

    @Override
    public void close() {
        closed = true;
        Conn c = idle.getAndSet(null);
        if (c != null) {
            c.close();
        }
    }

    private byte[] request(String method, String target, String jsonBody) {
        byte[] body = jsonBody == null ? null : jsonBody.getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder(160).append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostHeader).append("\r\n");
        if (body != null) {
            h.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        } else if (method.equals("PUT") || method.equals("POST")) {
            h.append("Content-Length: 0\r\n");
        }
        h.append("\r\n");
        byte[] head = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null) {
            return head;
        }
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    private Conn open(long deadline) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true); // the request goes in one write; the answer must not wait for an ACK
            s.connect(new InetSocketAddress(host, port), remainingMillis(deadline));
            return new Conn(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long ms = (deadline - System.nanoTime()) / 1_000_000;
        if (ms <= 0) {
            throw new SocketTimeoutException("admin call timed out");
        }
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    /** Thrown when the connection ended before the first byte of the answer. */
    private static final class StaleConnection extends IOException {
        StaleConnection(IOException cause) {
            super(cause);
        }
    }

    private static Response exchange(Conn c, byte[] request, long deadline) throws IOException {
        try {
            c.socket.setSoTimeout(remainingMillis(deadline));
            c.out.write(request);
            c.out.flush();
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            throw new StaleConnection(e);
        }
        InputStream in = c.in;
        String status;
        try {
            c.socket.setSoTimeout(remainingMillis(deadline));
            status = line(in, true);
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            throw e instanceof StaleConnection ? e : new StaleConnection(e);
        }
        // "HTTP/1.1 200 OK"
        if (!status.startsWith("HTTP/1.") || status.length() < 12) {
            throw new IOException("not an HTTP answer: " + status);
        }
        int code;
        try {
            code = Integer.parseInt(status.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP answer: " + status, e);
        }
        boolean http10 = status.startsWith("HTTP/1.0");
        long length = -1;
        boolean chunked = false;
        boolean close = http10;
        while (true) {
            String h = line(in, false);
            if (h.isEmpty()) {
                break;
            }
            int colon = h.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close") || (http10 && !value.equalsIgnoreCase("keep-alive"));
                default -> { }
            }
        }
        byte[] body;
        if (code == 204 || code == 304 || (code >= 100 && code < 200)) {
            body = new byte[0];
        } else if (chunked) {
            body = chunks(in);
        } else if (length >= 0) {
            if (length > MAX_BODY) {
                throw new IOException("answer larger than " + MAX_BODY + " bytes");
            }
            body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new EOFException("answer ended after " + body.length + " of " + length + " bytes");
            }
        } else {
            body = in.readNBytes(MAX_BODY); // no length: until the server closes
            close = true;
        }
        c.keepAlive = !close;
        return new Response(code, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] chunks(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            String size = line(in, false);
            int semi = size.indexOf(';');
            int n = Integer.parseInt((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
            if (n == 0) {
                while (!line(in, false).isEmpty()) {
                    // trailers
                }
                return b.toByteArray();
            }
            if (b.size() + n > MAX_BODY) {
                throw new IOException("answer larger than " + MAX_BODY + " bytes");
            }
            byte[] chunk = in.readNBytes(n);
            if (chunk.length < n) {
                throw new EOFException("chunk ended early");
            }
            b.write(chunk);
            line(in, false);
        }
    }

    /** One header line without its CRLF. */
    private static String line(InputStream in, boolean first) throws IOException {
        StringBuilder s = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (first && s.length() == 0) {
                    throw new StaleConnection(new EOFException("connection closed"));
                }
                throw new EOFException("answer ended inside its header");
            }
            if (c == '\n') {
                int n = s.length();
                if (n > 0 && s.charAt(n - 1) == '\r') {
                    s.setLength(n - 1);
                }
                return s.toString();
            }
            if (s.length() >= MAX_HEADER) {
                throw new IOException("header line longer than " + MAX_HEADER + " bytes");
            }
            s.append((char) c);
        }
    }

    private static final class Conn {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        boolean keepAlive;
        long lastUsed = System.nanoTime();

        Conn(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 8192);
            this.out = socket.getOutputStream();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
