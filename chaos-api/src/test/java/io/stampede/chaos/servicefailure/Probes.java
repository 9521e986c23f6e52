package io.stampede.chaos.servicefailure;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** What a client of the target sees: answering, refusing connections, or accepting and never answering. */
final class Probes {
    enum Seen { ANSWERS, REFUSED, FROZEN, OTHER }

    private Probes() {}

    static Seen get(int port, String path, int readTimeoutMs) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            if (s.getLocalPort() == port) {
                // TCP self-connect: nothing listens and the kernel picked the same ephemeral port
                return Seen.REFUSED;
            }
            s.setSoTimeout(readTimeoutMs);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] buf = new byte[12];
            int n = in.readNBytes(buf, 0, buf.length);
            String head = new String(buf, 0, n, StandardCharsets.US_ASCII);
            return head.startsWith("HTTP/1.") && head.contains(" 200") ? Seen.ANSWERS : Seen.OTHER;
        } catch (ConnectException e) {
            return Seen.REFUSED;
        } catch (SocketTimeoutException e) {
            return Seen.FROZEN;
        } catch (IOException e) {
            return Seen.OTHER;
        }
    }
}
