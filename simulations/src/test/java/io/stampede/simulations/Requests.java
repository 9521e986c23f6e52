package io.stampede.simulations;

import io.stampede.system.IdPlace;
import io.stampede.system.InvalidSystemFile;
import io.stampede.system.SystemFile;
import io.stampede.system.Template;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What each request looks like: the demo's signal webhook (no system file), or a system file's
 * {@code http} section ({@code -Dsystem=FILE}: method, headers, body template, where the id goes,
 * which statuses count as accepted). Ids are {@code <prefix>-<10-digit seq>} either way, so the
 * chaos API's integrity check matches outcomes to requests by id.
 */
final class Requests {
    final String method;
    final Map<String, String> headers;
    /** The header that carries the id, or null when the id is in the body. */
    final String idHeader;
    final List<Integer> accepted;
    private final SignalBodies demo;
    private final String template;
    private final List<String> symbols;
    private final String prefix;
    private final int padTo;

    private Requests(String method, Map<String, String> headers, String idHeader, List<Integer> accepted, SignalBodies demo,
                     String template, List<String> symbols, String prefix, int padTo) {
        this.method = method;
        this.headers = headers;
        this.idHeader = idHeader;
        this.accepted = accepted;
        this.demo = demo;
        this.template = template;
        this.symbols = symbols;
        this.prefix = prefix;
        this.padTo = padTo;
    }

    /** The demo's webhook: JSON signals, accepted = 202 (the gateway took the signal). */
    static Requests demo(String prefix, int payloadSize) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Accept", "application/json");
        return new Requests("POST", h, null, List.of(202), new SignalBodies(prefix, payloadSize), null, List.of(), prefix, payloadSize);
    }

    /** A system file's http section; its traffic symbols fill {@code {symbol}}. */
    static Requests of(SystemFile sys, String prefix, int payloadSize) {
        SystemFile.Http h = sys.http();
        IdPlace id = h.id();
        return new Requests(h.method(), h.headers(), id != null && !id.json() ? id.key() : null, h.accepted(), null, h.body(),
                sys.traffic() == null ? List.of("default") : sys.traffic().symbols(), prefix, payloadSize);
    }

    /** -Dsystem=FILE read and validated; the problems in the exception's message. */
    static SystemFile load(Path file) {
        try {
            SystemFile f = SystemFile.load(file, System.getenv());
            if (f.http() == null) {
                throw new IllegalArgumentException("system file " + file + " has no http section: nothing to send requests to");
            }
            return f;
        } catch (InvalidSystemFile e) {
            throw new IllegalArgumentException("system file " + e.getMessage(), e);
        }
    }

    String id(long seq) {
        return SignalBodies.id(prefix, seq);
    }

    /** The request body of user {@code seq} (empty when the http section has no body). */
    String body(long seq, Instant now) {
        if (demo != null) {
            return demo.body(seq, now);
        }
        if (template == null) {
            return "";
        }
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, now);
        String symbol = symbols.get((int) (seq % symbols.size()));
        return Template.render(template, id(seq), seq, symbol, (seq / symbols.size()) % 2 == 0, micros, padTo);
    }

    boolean hasHeader(String name) {
        return headers.keySet().stream().anyMatch(k -> k.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)));
    }
}
