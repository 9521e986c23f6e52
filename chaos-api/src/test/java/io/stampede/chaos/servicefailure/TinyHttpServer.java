package io.stampede.chaos.servicefailure;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A local-process target for tests: GET /healthz → 200, writes its pid file, and with
 * {@code --child} keeps a {@code sleep} child so process-tree handling is exercised.
 * Args: port pidFile [--child]
 */
public final class TinyHttpServer {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path pidFile = Path.of(args[1]);
        if (args.length > 2 && args[2].equals("--child")) {
            new ProcessBuilder("sleep", "600").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server.createContext("/healthz", ex -> {
            byte[] body = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
        System.out.println("listening on " + port);
    }
}
