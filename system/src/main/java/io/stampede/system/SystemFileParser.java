package io.stampede.system;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The system file's one reader: tree → records, every problem with its key path. */
final class SystemFileParser {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\\}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final Pattern SUBJECT_TOKEN = Pattern.compile("[^\\s.*>]+|\\*|>");
    private static final double MAX_RATE = 10_000_000;

    private final List<String> problems = new ArrayList<>();
    private final Map<String, String> env;

    private SystemFileParser(Map<String, String> env) {
        this.env = env;
    }

    static SystemFile load(Path file, Map<String, String> env) throws InvalidSystemFile {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new InvalidSystemFile(file.toString(), List.of("cannot read the file: " + e.getMessage()));
        }
        return parse(text, file.toAbsolutePath().normalize(), env);
    }

    static SystemFile parse(String text, Path source, Map<String, String> env) throws InvalidSystemFile {
        String where = source == null ? "system file" : source.toString();
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidSystemFile(where, List.of("not YAML or JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")")));
        }
        if (root == null || !root.isObject()) {
            throw new InvalidSystemFile(where, List.of("the file must be a map with nats, traffic and outcomes"));
        }
        SystemFileParser p = new SystemFileParser(env);
        SystemFile f = p.file(root, source);
        if (!p.problems.isEmpty()) {
            throw new InvalidSystemFile(where, p.problems);
        }
        return f;
    }

    private SystemFile file(JsonNode root, Path source) {
        known(root, "", Set.of("name", "nats", "traffic", "outcomes", "backlog", "metrics", "targets", "http"));
        String name = str(root, "name", "name", false);
        if (name == null) {
            name = source == null ? "system" : source.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", "");
        }
        SystemFile.Nats nats = nats(section(root, "nats", true));
        SystemFile.Http http = http(section(root, "http", false));
        SystemFile.Traffic traffic = traffic(section(root, "traffic", true), http);
        SystemFile.Outcomes outcomes = outcomes(section(root, "outcomes", true));
        SystemFile.Metrics metrics = metrics(section(root, "metrics", false));
        Map<String, Object> targets = targets(root.get("targets"));
        SystemFile.Backlog backlog = backlog(section(root, "backlog", false), targets);
        return new SystemFile(name, nats, traffic, outcomes, backlog, metrics, targets, http, source);
    }

    private SystemFile.Nats nats(JsonNode n) {
        if (n == null) {
            return null;
        }
        known(n, "nats.", Set.of("url", "monitor_url", "servers", "token", "creds", "tls"));
        String url = natsUrl(n, "url", "nats.url", true);
        String monitor = httpUrl(n, "monitor_url", "nats.monitor_url");
        List<SystemFile.Server> servers = new ArrayList<>();
        JsonNode s = n.get("servers");
        if (s != null && !s.isNull()) {
            if (!s.isArray()) {
                problem("nats.servers", "expected a list of {name, url, monitor_url}");
            } else {
                for (int i = 0; i < s.size(); i++) {
                    String k = "nats.servers[" + i + "]";
                    JsonNode e = s.get(i);
                    if (!e.isObject()) {
                        problem(k, "expected a map with name, url, monitor_url");
                        continue;
                    }
                    known(e, k + ".", Set.of("name", "url", "monitor_url"));
                    String sn = str(e, "name", k + ".name", true);
                    if (sn != null && !NAME.matcher(sn).matches()) {
                        problem(k + ".name", "expected [a-z0-9][a-z0-9_-]*, got '" + sn + "'");
                    }
                    servers.add(new SystemFile.Server(sn, natsUrl(e, "url", k + ".url", true), httpUrl(e, "monitor_url", k + ".monitor_url")));
                }
            }
        }
        String token = str(n, "token", "nats.token", false);
        String creds = file(n, "creds", "nats.creds");
        SystemFile.Tls tls = null;
        JsonNode t = n.get("tls");
        if (t != null && !t.isNull()) {
            if (!t.isObject()) {
                problem("nats.tls", "expected a map with ca, cert, key");
            } else {
                known(t, "nats.tls.", Set.of("ca", "cert", "key"));
                tls = new SystemFile.Tls(file(t, "ca", "nats.tls.ca"), file(t, "cert", "nats.tls.cert"), file(t, "key", "nats.tls.key"));
                if ((tls.cert() == null) != (tls.key() == null)) {
                    problem("nats.tls", "cert and key go together");
                }
            }
        }
        int auth = (token != null ? 1 : 0) + (creds != null ? 1 : 0);
        if (auth > 1) {
            problem("nats", "token and creds are alternatives: give one");
        }
        return new SystemFile.Nats(url, monitor, servers, token, creds, tls);
    }

    private SystemFile.Traffic traffic(JsonNode n, SystemFile.Http http) {
        if (n == null) {
            return null;
        }
        known(n, "traffic.", Set.of("rate", "via", "subject", "symbols", "mode", "headers", "body", "id", "size"));
        Double rate = number(n, "rate", "traffic.rate", true, 0.001, MAX_RATE);
        SystemFile.Via via = choice(n, "via", "traffic.via", SystemFile.Via.class, SystemFile.Via.NATS);
        List<String> symbols = strings(n, "symbols", "traffic.symbols");
        String subject = str(n, "subject", "traffic.subject", via == SystemFile.Via.NATS);
        if (subject != null) {
            subjectProblems("traffic.subject", subject.replace("{symbol}", "S"), false);
            if (subject.contains("{symbol}") && symbols.isEmpty()) {
                problem("traffic.symbols", "the subject uses {symbol}: list at least one symbol");
            }
        }
        if (symbols.isEmpty()) {
            symbols = List.of("default");
        }
        for (String s : symbols) {
            if (!s.matches("[A-Za-z0-9_-]{1,32}")) {
                problem("traffic.symbols", "'" + s + "' must match [A-Za-z0-9_-]{1,32}");
            }
        }
        SystemFile.Mode mode = choice(n, "mode", "traffic.mode", SystemFile.Mode.class, SystemFile.Mode.JETSTREAM);
        Map<String, String> headers = headers(n, "traffic.headers");
        String body = str(n, "body", "traffic.body", false);
        IdPlace id = idPlace(n, "id", "traffic.id", true);
        Integer size = null;
        Double sz = number(n, "size", "traffic.size", false, 16, 1 << 20);
        if (sz != null) {
            size = (int) Math.round(sz);
        }
        if (body != null) {
            problems.addAll(Template.problems("traffic.body", body));
            if (size != null && !Template.uses(body, "pad")) {
                problem("traffic.size", "only a body with {pad} can be sized");
            }
            if (id != null && id.json()) {
                jsonIdProblems("traffic", body, id);
            }
        } else if (id != null && !(id.json() && id.key().equals("id"))) {
            problem("traffic.body", "without a body the demo's signal is sent, whose id is at json:id; give a body with {id} for " + id);
        }
        if (via == SystemFile.Via.HTTP && http == null) {
            problem("traffic.via", "http needs the http section (its url is where each message goes)");
        }
        return new SystemFile.Traffic(rate == null ? 0 : rate, via, subject, symbols, mode, headers, body, id, size);
    }

    /** The body with sample values must be JSON holding the id at the path. */
    private void jsonIdProblems(String section, String body, IdPlace id) {
        if (!Template.uses(body, "id")) {
            problem(section + ".body", "must contain {id} (" + section + ".id is " + id + ")");
            return;
        }
        JsonNode sample;
        try {
            sample = JSON.readTree(Template.render(body, "r00000-0000000001", 1, "SYM", true, 1_764_180_000_000_000L, 0));
        } catch (JsonProcessingException e) {
            problem(section + ".body", "is not JSON once filled in (" + e.getOriginalMessage() + "), but " + section + ".id is " + id);
            return;
        }
        JsonNode at = sample;
        for (String seg : id.segments()) {
            at = at == null ? null : at.get(seg);
        }
        if (at == null || !"r00000-0000000001".equals(at.asText())) {
            problem(section + ".id", id + " does not hold {id} in " + section + ".body");
        }
    }

    private SystemFile.Outcomes outcomes(JsonNode n) {
        if (n == null) {
            return null;
        }
        known(n, "outcomes.", Set.of("subject", "stream", "id", "sent_at", "rules"));
        String subject = str(n, "subject", "outcomes.subject", false);
        String stream = str(n, "stream", "outcomes.stream", false);
        if (subject == null && stream == null) {
            problem("outcomes", "give subject (a core subscription) or stream (the persisted outcomes)");
        } else if (subject != null && stream != null) {
            problem("outcomes", "subject and stream are alternatives: give one");
        }
        if (subject != null) {
            subjectProblems("outcomes.subject", subject, true);
        }
        if (stream != null) {
            streamName("outcomes.stream", stream);
        }
        IdPlace id = idPlace(n, "id", "outcomes.id", true);
        IdPlace sentAt = idPlace(n, "sent_at", "outcomes.sent_at", false);
        if (sentAt != null && !sentAt.json()) {
            problem("outcomes.sent_at", "expected json:<path> (the outcome's copy of the message's {sent_at})");
        }
        List<SystemFile.Rule> rules = new ArrayList<>();
        JsonNode r = n.get("rules");
        if (r != null && !r.isNull()) {
            if (!r.isArray()) {
                problem("outcomes.rules", "expected a list of {path, in} or {regex}");
            } else {
                for (int i = 0; i < r.size(); i++) {
                    String k = "outcomes.rules[" + i + "]";
                    JsonNode e = r.get(i);
                    if (!e.isObject()) {
                        problem(k, "expected {path: <dotted.path>, in: [..]} or {regex: <pattern>}");
                        continue;
                    }
                    known(e, k + ".", Set.of("path", "in", "regex"));
                    String path = str(e, "path", k + ".path", false);
                    List<String> in = e.has("in") ? strings(e, "in", k + ".in") : null;
                    String regex = str(e, "regex", k + ".regex", false);
                    Pattern pattern = null;
                    if (regex != null) {
                        try {
                            pattern = Pattern.compile(regex);
                        } catch (PatternSyntaxException ex) {
                            problem(k + ".regex", "not a regular expression: " + ex.getDescription());
                        }
                    }
                    if (regex == null && (path == null || in == null || in.isEmpty())) {
                        problem(k, "expected {path: <dotted.path>, in: [values]} or {regex: <pattern>}");
                    } else if (regex != null && (path != null || in != null)) {
                        problem(k, "a rule is either {path, in} or {regex}");
                    } else if (path != null && IdPlace.parseOrNull("json:" + path) == null) {
                        problem(k + ".path", "expected a dotted path such as decision.action, got '" + path + "'");
                    }
                    rules.add(new SystemFile.Rule(path, in, pattern));
                }
            }
        }
        return new SystemFile.Outcomes(subject, stream, id, sentAt, rules);
    }

    private SystemFile.Backlog backlog(JsonNode n, Map<String, Object> targets) {
        if (n == null) {
            return null;
        }
        known(n, "backlog.", Set.of("stream", "consumer", "target"));
        String stream = str(n, "stream", "backlog.stream", true);
        String consumer = str(n, "consumer", "backlog.consumer", true);
        String target = str(n, "target", "backlog.target", false);
        if (stream != null) {
            streamName("backlog.stream", stream);
        }
        if (target != null && (targets == null || !targets.containsKey(target))) {
            problem("backlog.target", "'" + target + "' is not one of targets (" + (targets == null ? "none" : String.join(", ", targets.keySet())) + ")");
        }
        return new SystemFile.Backlog(stream, consumer, target);
    }

    private SystemFile.Metrics metrics(JsonNode n) {
        if (n == null) {
            return null;
        }
        known(n, "metrics.", Set.of("scrape", "errors", "processed", "requests", "duplicates_detected"));
        List<URI> scrape = new ArrayList<>();
        List<String> urls = strings(n, "scrape", "metrics.scrape");
        for (int i = 0; i < urls.size(); i++) {
            URI u = httpUri(urls.get(i), "metrics.scrape[" + i + "]");
            if (u != null) {
                scrape.add(u);
            }
        }
        List<String> errors = metricNames(n, "errors");
        List<String> processed = metricNames(n, "processed");
        List<String> requests = metricNames(n, "requests");
        List<String> dups = metricNames(n, "duplicates_detected");
        if (urls.isEmpty() && !(errors.isEmpty() && processed.isEmpty() && requests.isEmpty() && dups.isEmpty())) {
            problem("metrics.scrape", "counters are named but no endpoint to scrape them from");
        }
        return new SystemFile.Metrics(scrape, errors, processed, requests, dups);
    }

    private List<String> metricNames(JsonNode n, String key) {
        List<String> names = strings(n, key, "metrics." + key);
        for (String s : names) {
            if (!s.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
                problem("metrics." + key, "'" + s + "' is not a Prometheus metric name");
            }
        }
        return names;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> targets(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            problem("targets", "expected a map of name → {type: process | container, ...} (chaos-api/TARGETS.md)");
            return null;
        }
        Iterator<String> names = n.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!NAME.matcher(name).matches()) {
                problem("targets." + name, "target names match [a-z0-9][a-z0-9_-]*");
            }
            if (!n.get(name).isObject()) {
                problem("targets." + name, "expected a map with type: process | container");
            }
        }
        // the fields themselves are TARGETS.md's format, validated by its owner (chaos-api's TargetsConfig)
        return JSON.convertValue(expand(n, "targets"), LinkedHashMap.class);
    }

    private SystemFile.Http http(JsonNode n) {
        if (n == null) {
            return null;
        }
        known(n, "http.", Set.of("url", "method", "headers", "body", "id", "accepted"));
        String u = str(n, "url", "http.url", true);
        URI url = u == null ? null : httpUri(u, "http.url");
        String method = str(n, "method", "http.method", false);
        method = method == null ? "POST" : method.toUpperCase(Locale.ROOT);
        if (!Set.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)) {
            problem("http.method", "expected GET, POST, PUT, PATCH or DELETE, got '" + method + "'");
        }
        Map<String, String> headers = headers(n, "http.headers");
        String body = str(n, "body", "http.body", false);
        IdPlace id = idPlace(n, "id", "http.id", false);
        if (body != null) {
            problems.addAll(Template.problems("http.body", body));
            if (id != null && id.json()) {
                jsonIdProblems("http", body, id);
            }
        } else if (id != null && id.json()) {
            problem("http.body", "http.id is " + id + ": give a body with {id}");
        }
        List<Integer> accepted = new ArrayList<>();
        JsonNode a = n.get("accepted");
        if (a == null || a.isNull()) {
            accepted = List.of(200, 201, 202, 204);
        } else if (!a.isArray() || a.isEmpty()) {
            problem("http.accepted", "expected a list of HTTP statuses such as [200, 202]");
        } else {
            for (JsonNode s : a) {
                if (!s.canConvertToInt() || s.asInt() < 100 || s.asInt() > 599) {
                    problem("http.accepted", "'" + s.asText() + "' is not an HTTP status (100..599)");
                } else {
                    accepted.add(s.asInt());
                }
            }
        }
        return new SystemFile.Http(url, method, headers, body, id, accepted);
    }

    // --- value readers: each reports its own problem and returns null (or empty) ---

    private JsonNode section(JsonNode root, String key, boolean required) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            if (required) {
                problem(key, "required");
            }
            return null;
        }
        if (!n.isObject()) {
            problem(key, "expected a map");
            return null;
        }
        return n;
    }

    private void known(JsonNode n, String prefix, Set<String> keys) {
        Iterator<String> it = n.fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (!keys.contains(k)) {
                problems.add(prefix + k + ": unknown key (known: " + String.join(", ", new java.util.TreeSet<>(keys)) + ")");
            }
        }
    }

    private String str(JsonNode n, String key, String path, boolean required) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                problem(path, "required");
            }
            return null;
        }
        if (!v.isValueNode() || v.isBinary()) {
            problem(path, "expected a string");
            return null;
        }
        String s = expand(v.asText(), path);
        if (s != null && s.isBlank()) {
            problem(path, "must not be empty");
            return null;
        }
        return s;
    }

    private Double number(JsonNode n, String key, String path, boolean required, double min, double max) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                problem(path, "required");
            }
            return null;
        }
        double d;
        if (v.isNumber()) {
            d = v.asDouble();
        } else {
            try {
                d = Double.parseDouble(expand(v.asText(), path));
            } catch (RuntimeException e) {
                problem(path, "expected a number in " + fmt(min) + ".." + fmt(max) + ", got '" + v.asText() + "'");
                return null;
            }
        }
        if (!(d >= min && d <= max)) {
            problem(path, "expected a number in " + fmt(min) + ".." + fmt(max) + ", got " + fmt(d));
            return null;
        }
        return d;
    }

    private <E extends Enum<E>> E choice(JsonNode n, String key, String path, Class<E> type, E def) {
        String s = str(n, key, path, false);
        if (s == null) {
            return def;
        }
        try {
            return Enum.valueOf(type, s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> names = new ArrayList<>();
            for (E c : type.getEnumConstants()) {
                names.add(c.name().toLowerCase(Locale.ROOT));
            }
            problem(path, "expected " + String.join(" or ", names) + ", got '" + s + "'");
            return def;
        }
    }

    private List<String> strings(JsonNode n, String key, String path) {
        JsonNode v = n.get(key);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            problem(path, "expected a list");
            return out;
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isValueNode() || e.isNull()) {
                problem(path + "[" + i + "]", "expected a string");
            } else {
                String s = expand(e.asText(), path + "[" + i + "]");
                if (s != null) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private Map<String, String> headers(JsonNode n, String path) {
        JsonNode v = n.get("headers");
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isObject()) {
            problem(path, "expected a map of header name → value");
            return out;
        }
        Iterator<Map.Entry<String, JsonNode>> it = v.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (IdPlace.parseOrNull("header:" + e.getKey()) == null) {
                problem(path + "." + e.getKey(), "not a valid header name");
            } else if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                problem(path + "." + e.getKey(), "expected a string");
            } else {
                String s = expand(e.getValue().asText(), path + "." + e.getKey());
                if (s != null) {
                    out.put(e.getKey(), s);
                }
            }
        }
        return out;
    }

    private IdPlace idPlace(JsonNode n, String key, String path, boolean required) {
        String s = str(n, key, path, required);
        if (s == null) {
            return null;
        }
        IdPlace p = IdPlace.parseOrNull(s);
        if (p == null) {
            problem(path, IdPlace.EXPECTED + ", got '" + s + "'");
        }
        return p;
    }

    private String natsUrl(JsonNode n, String key, String path, boolean required) {
        String s = str(n, key, path, required);
        if (s == null) {
            return null;
        }
        for (String one : s.split(",")) {
            try {
                URI u = new URI(one.trim());
                if (u.getScheme() == null || !Set.of("nats", "tls", "ws", "wss").contains(u.getScheme()) || u.getHost() == null) {
                    throw new IllegalArgumentException();
                }
            } catch (Exception e) {
                problem(path, "expected nats://host:port (or tls://, comma-separated for several), got '" + s + "'");
                return null;
            }
        }
        return s;
    }

    private String httpUrl(JsonNode n, String key, String path) {
        String s = str(n, key, path, false);
        return s == null || httpUri(s, path) == null ? null : s;
    }

    private URI httpUri(String s, String path) {
        try {
            URI u = new URI(s);
            if (u.getScheme() == null || !Set.of("http", "https").contains(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return u;
        } catch (Exception e) {
            problem(path, "expected http://host:port/..., got '" + s + "'");
            return null;
        }
    }

    private String file(JsonNode n, String key, String path) {
        String s = str(n, key, path, false);
        if (s != null && !Files.isReadable(Path.of(s))) {
            problem(path, "no readable file at " + s);
        }
        return s;
    }

    private void subjectProblems(String path, String subject, boolean wildcards) {
        for (String token : subject.split("\\.", -1)) {
            if (!SUBJECT_TOKEN.matcher(token).matches() || (!wildcards && (token.equals("*") || token.equals(">")))) {
                problem(path, wildcards ? "'" + subject + "' is not a NATS subject filter" : "'" + subject
                        + "' is not a NATS subject to publish to (no wildcards; {symbol} is replaced per message)");
                return;
            }
        }
        if (subject.contains(">") && !subject.endsWith(">")) {
            problem(path, "'>' may only end a subject filter");
        }
    }

    private void streamName(String path, String s) {
        if (s.chars().anyMatch(c -> c <= ' ' || c == '.' || c == '*' || c == '>' || c == '/' || c == '\\')) {
            problem(path, "'" + s + "' is not a JetStream stream name");
        }
    }

    /** {@code ${VAR}} or {@code ${VAR:-default}} from the environment; an unset variable without a default is a problem at {@code path}. */
    private String expand(String s, String path) {
        Matcher m = VAR.matcher(s);
        StringBuilder sb = new StringBuilder();
        boolean ok = true;
        while (m.find()) {
            String v = env.get(m.group(1));
            if (v == null || v.isEmpty()) {
                v = m.group(2);
            }
            if (v == null) {
                problem(path, "${" + m.group(1) + "} is not set in the environment");
                ok = false;
                v = "";
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return ok ? sb.toString() : null;
    }

    private JsonNode expand(JsonNode n, String path) {
        if (n.isTextual()) {
            String s = expand(n.asText(), path);
            return JSON.getNodeFactory().textNode(s == null ? n.asText() : s);
        }
        if (n.isObject()) {
            com.fasterxml.jackson.databind.node.ObjectNode o = JSON.createObjectNode();
            n.fields().forEachRemaining(e -> o.set(e.getKey(), expand(e.getValue(), path + "." + e.getKey())));
            return o;
        }
        if (n.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode a = JSON.createArrayNode();
            for (int i = 0; i < n.size(); i++) {
                a.add(expand(n.get(i), path + "[" + i + "]"));
            }
            return a;
        }
        return n;
    }

    private void problem(String path, String what) {
        problems.add(path + ": " + what);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    // --- describe ---

    static Map<String, Object> describe(SystemFile f) {
        Map<String, Object> out = SystemFile.map();
        out.put("name", f.name());
        out.put("source", f.source() == null ? null : f.source().toString());
        SystemFile.Nats n = f.nats();
        Map<String, Object> nats = SystemFile.map();
        nats.put("url", n.url());
        nats.put("monitor_url", n.monitorUrl());
        List<Object> servers = new ArrayList<>();
        for (SystemFile.Server s : n.servers()) {
            Map<String, Object> m = SystemFile.map();
            m.put("name", s.name());
            m.put("url", s.url());
            m.put("monitor_url", s.monitorUrl());
            servers.add(m);
        }
        nats.put("servers", servers);
        nats.put("token", n.token() == null ? null : "***");
        nats.put("creds", n.creds());
        nats.put("tls", n.tls() == null ? null : Map.of("ca", String.valueOf(n.tls().ca()), "cert", String.valueOf(n.tls().cert()),
                "key", String.valueOf(n.tls().key())));
        out.put("nats", nats);
        SystemFile.Traffic t = f.traffic();
        Map<String, Object> traffic = SystemFile.map();
        traffic.put("rate", t.rate());
        traffic.put("via", t.via().name().toLowerCase(Locale.ROOT));
        traffic.put("subject", t.subject());
        traffic.put("symbols", t.symbols());
        traffic.put("mode", t.mode().name().toLowerCase(Locale.ROOT));
        traffic.put("headers", masked(t.headers()));
        traffic.put("body", t.body());
        traffic.put("id", t.id().toString());
        traffic.put("size", t.size());
        out.put("traffic", traffic);
        SystemFile.Outcomes o = f.outcomes();
        Map<String, Object> outcomes = SystemFile.map();
        outcomes.put("subject", o.subject());
        outcomes.put("stream", o.stream());
        outcomes.put("id", o.id().toString());
        outcomes.put("sent_at", o.sentAt() == null ? null : o.sentAt().toString());
        List<Object> rules = new ArrayList<>();
        for (SystemFile.Rule r : o.rules()) {
            Map<String, Object> m = SystemFile.map();
            if (r.regex() != null) {
                m.put("regex", r.regex().pattern());
            } else {
                m.put("path", r.path());
                m.put("in", r.in());
            }
            rules.add(m);
        }
        outcomes.put("rules", rules);
        out.put("outcomes", outcomes);
        if (f.backlog() != null) {
            Map<String, Object> b = SystemFile.map();
            b.put("stream", f.backlog().stream());
            b.put("consumer", f.backlog().consumer());
            b.put("target", f.backlog().target());
            out.put("backlog", b);
        } else {
            out.put("backlog", null);
        }
        if (f.metrics() != null) {
            Map<String, Object> m = SystemFile.map();
            m.put("scrape", f.metrics().scrape().stream().map(URI::toString).toList());
            m.put("errors", f.metrics().errors());
            m.put("processed", f.metrics().processed());
            m.put("requests", f.metrics().requests());
            m.put("duplicates_detected", f.metrics().duplicatesDetected());
            out.put("metrics", m);
        } else {
            out.put("metrics", null);
        }
        out.put("targets", f.targets());
        if (f.http() != null) {
            SystemFile.Http h = f.http();
            Map<String, Object> m = SystemFile.map();
            m.put("url", h.url().toString());
            m.put("method", h.method());
            m.put("headers", masked(h.headers()));
            m.put("body", h.body());
            m.put("id", h.id() == null ? null : h.id().toString());
            m.put("accepted", h.accepted());
            out.put("http", m);
        } else {
            out.put("http", null);
        }
        return out;
    }

    private static Map<String, Object> masked(Map<String, String> headers) {
        Map<String, Object> m = SystemFile.map();
        headers.forEach((k, v) -> m.put(k, SystemFile.secretHeader(k) ? "***" : v));
        return m;
    }
}
