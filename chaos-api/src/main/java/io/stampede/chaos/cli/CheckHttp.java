package io.stampede.chaos.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The HTTP client of one check run (monitor, scrape endpoints, health URLs, the front door). */
final class CheckHttp {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    // HTTP/1.1: the JDK client's h2c upgrade was seen to wait far past its timeouts (see MetricsPages);
    // no redirects: a line reports what the URL in the file itself answers
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();

    HttpResponse<String> get(URI u) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(u).timeout(TIMEOUT).GET().build());
    }

    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
