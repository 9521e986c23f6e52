package io.stampede.chaos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.stampede.system.IdPlace;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a probe id is, if anywhere, in outcomes that did not carry it at {@code outcomes.id}: the
 * most likely fix of a wrong id place is the place where the id really is.
 */
final class ProbeIdSearch {
    private ProbeIdSearch() {}

    /** A sentence naming where the id was found (and the outcomes.id to write), or null. */
    static String whereElse(List<ArrivedMessage> others, Set<String> ids) {
        for (ArrivedMessage a : others) {
            if (a.headers() != null) {
                for (String k : a.headers().keySet()) {
                    for (String v : a.headers().get(k)) {
                        if (containsAny(v, ids)) {
                            return "The probe id was found in header " + k + (v.length() < 64 && ids.contains(v)
                                    ? ": use outcomes.id: \"header:" + k + "\"" : "");
                        }
                    }
                }
            }
            String body = a.body();
            if (containsAny(body, ids)) {
                String path = jsonPath(a.json(), ids, "");
                return path != null ? "The probe id was found in the body at json:" + path + ": use outcomes.id: \"json:" + path + "\""
                        : "The probe id was found in the body" + (a.json() == null ? " (not JSON" : " (not as a JSON value")
                        + ", so outcomes.id cannot name it there: the system should copy it into a header or a JSON field)";
            }
        }
        return null;
    }

    private static boolean containsAny(String s, Set<String> ids) {
        for (String id : ids) {
            if (s.contains(id)) {
                return true;
            }
        }
        return false;
    }

    /** The dotted path of a string value that is one of {@code ids}, or null; only paths outcomes.id can name. */
    private static String jsonPath(JsonNode n, Set<String> ids, String prefix) {
        if (n == null || !n.isObject()) {
            return null;
        }
        Iterator<Map.Entry<String, JsonNode>> it = n.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (IdPlace.parseOrNull("json:" + path) == null) {
                continue;
            }
            if (e.getValue().isTextual() && ids.contains(e.getValue().asText())) {
                return path;
            }
            String deeper = jsonPath(e.getValue(), ids, path);
            if (deeper != null) {
                return deeper;
            }
        }
        return null;
    }
}
