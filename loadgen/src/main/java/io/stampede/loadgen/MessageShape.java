package io.stampede.loadgen;

import io.stampede.system.IdPlace;
import io.stampede.system.SystemFile;
import io.stampede.system.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What each message looks like beyond its subject: the body template, where the id goes, fixed
 * headers (a system file's {@code traffic.body}, {@code traffic.id}, {@code traffic.headers}).
 *
 * @param body     body template (io.stampede.system.Template), null: the demo's trading signal
 * @param idHeader the header that carries the id, or null when the id is in the body
 * @param headers  fixed headers of every message (originals and duplicates)
 */
public record MessageShape(String body, String idHeader, Map<String, String> headers) {
    /** The demo's trading signal, id in its {@code id} field, no extra headers. */
    public static final MessageShape DEMO = new MessageShape(null, null, Map.of());

    public MessageShape {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** The shape a system file's traffic section describes. */
    public static MessageShape of(SystemFile.Traffic t) {
        return new MessageShape(t.body(), t.id().kind() == IdPlace.Kind.HEADER ? t.id().key() : null, t.headers());
    }

    /** Headers are set on every message: per-message header objects in core mode (see loadgen/README.md). */
    public boolean hasHeaders() {
        return idHeader != null || !headers.isEmpty();
    }

    List<String> validate() {
        List<String> p = new ArrayList<>();
        if (body != null) {
            p.addAll(Template.problems("body", body));
            if (body.isEmpty()) {
                p.add("body must not be empty");
            }
        }
        return p;
    }
}
