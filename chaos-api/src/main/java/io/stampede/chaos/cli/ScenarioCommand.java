package io.stampede.chaos.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.stampede.chaos.experiment.Templates;
import io.stampede.reports.cli.GateCommand;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./stampede scenario NAME|FILE [--time-scale F] [--api URL] [--criteria FILE]}: submits a plan
 * (a template of {@code GET /templates}, a plan template such as the seed's
 * {@code chaos_engineering_suite}, or a user's plan file in JSON or YAML: {@code {"experiments":
 * [...]}} or a single experiment), prints progress once a second, waits for the plan's final
 * verdict, prints the absolute path of its report.html and exits with the gate's code (0 pass, 1 a
 * criterion failed, 2 cannot judge; 3 the API refused or could not be reached).
 *
 * <p>{@code --time-scale} shrinks every {@code duration_s} and {@code start_after_s} here, before
 * posting (durations rounded up to at least 1 s), so the server's own clock stays real.
 */
public final class ScenarioCommand {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    private final String api;
    private final PrintStream out;
    private final PrintStream err;

    ScenarioCommand(String api, PrintStream out, PrintStream err) {
        this.api = api;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String name = null;
        double scale = 1.0;
        String api = System.getenv().getOrDefault("STAMPEDE_API_URL",
                "http://127.0.0.1:" + System.getenv().getOrDefault("STAMPEDE_PORT", "8008"));
        String criteria = null;
        Duration maxWait = Duration.ofHours(3);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--time-scale" -> scale = Double.parseDouble(args[++i]);
                case "--api" -> api = args[++i];
                case "--criteria" -> criteria = args[++i];
                case "--max-wait-s" -> maxWait = Duration.ofSeconds(Long.parseLong(args[++i]));
                case "-h", "--help" -> {
                    out.println("usage: stampede scenario NAME|FILE [--time-scale F] [--criteria FILE] [--api URL]");
                    return 0;
                }
                default -> {
                    if (name != null) {
                        err.println("scenario: one scenario at a time (got " + name + " and " + args[i] + ")");
                        return 2;
                    }
                    name = args[i];
                }
            }
        }
        if (name == null) {
            err.println("usage: stampede scenario NAME|FILE [--time-scale F] [--criteria FILE] [--api URL]; names: "
                    + Templates.all().stream().map(Templates.Template::name).toList());
            return 2;
        }
        if (!(scale > 0) || scale > 1) {
            err.println("scenario: --time-scale must be in (0, 1], got " + scale);
            return 2;
        }
        JsonArray steps;
        try {
            steps = scaled(load(name), scale);
        } catch (Exception e) {
            err.println("scenario: " + e.getMessage());
            return 2;
        }
        return new ScenarioCommand(api, out, err).execute(name, steps, criteria, maxWait);
    }

    /** A template name or a JSON/YAML file → its steps. */
    static JsonArray load(String nameOrFile) throws Exception {
        var t = Templates.byName(nameOrFile);
        if (t.isPresent()) {
            return t.get().isPlan() ? new JsonArray(t.get().steps().stream().map(JsonObject::copy).toList())
                    : new JsonArray().add(t.get().params().copy());
        }
        Path file = Path.of(nameOrFile);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("'" + nameOrFile + "' is neither a template ("
                    + Templates.all().stream().map(Templates.Template::name).toList() + ") nor a file");
        }
        String text = Files.readString(file);
        String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
        JsonObject doc = lower.endsWith(".yaml") || lower.endsWith(".yml")
                ? new JsonObject(new ObjectMapper(new YAMLFactory()).readValue(text, Map.class))
                : new JsonObject(text);
        if (doc.containsKey("experiments")) {
            return doc.getJsonArray("experiments");
        }
        if (doc.containsKey("template")) {
            return load(doc.getString("template"));
        }
        return new JsonArray().add(doc);
    }

    /** Every duration_s and start_after_s times the scale; durations rounded up to at least 1 s. */
    static JsonArray scaled(JsonArray steps, double scale) {
        JsonArray out = new JsonArray();
        for (Object o : steps) {
            JsonObject s = ((JsonObject) o).copy();
            if (s.getValue("duration_s") instanceof Number d) {
                s.put("duration_s", Math.max(1, (long) Math.ceil(d.doubleValue() * scale - 1e-9)));
            }
            if (s.getValue("start_after_s") instanceof Number a) {
                double v = a.doubleValue() * scale;
                s.put("start_after_s", v == Math.rint(v) ? (Number) (long) v : (Number) v);
            }
            out.add(s);
        }
        return out;
    }

    private int execute(String name, JsonArray steps, String criteria, Duration maxWait) {
        HttpResponse<String> r;
        try {
            r = send(HttpRequest.newBuilder(URI.create(api + "/experiments")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("experiments", steps).encode())));
        } catch (Exception e) {
            err.println("scenario: the chaos API at " + api + " does not answer (" + e.getMessage() + "); ./stampede up starts it");
            return 3;
        }
        if (r.statusCode() != 201) {
            err.println("scenario: the chaos API refused the plan (" + r.statusCode() + "): " + r.body());
            return 3;
        }
        JsonObject plan = new JsonObject(r.body());
        String planId = plan.getString("plan_id");
        out.println("scenario " + name + ": plan " + planId + " with " + steps.size() + " step(s)");
        long deadline = System.nanoTime() + maxWait.toNanos();
        JsonObject last = null;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> g = send(HttpRequest.newBuilder(URI.create(api + "/plans/" + planId)).GET());
                if (g.statusCode() == 200) {
                    last = new JsonObject(g.body());
                    err.println(progress(last));
                    JsonObject v = last.getJsonObject("verdict");
                    if (v != null && v.getBoolean("final", false)) {
                        break;
                    }
                }
            } catch (Exception e) {
                err.println("scenario: " + e.getMessage() + " (retrying)");
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 2;
            }
        }
        if (last == null) {
            return 2;
        }
        Path runDir = Path.of(last.getString("run_dir")).toAbsolutePath();
        Path report = runDir.resolve("report.html");
        out.println("report: " + report);
        // a plan's criteria are its steps': gate each step's run directory; 1 if any failed, else 2 if any cannot be judged
        int code = 0;
        JsonArray exps = last.getJsonArray("experiments", new JsonArray());
        if (exps.isEmpty()) {
            return 2;
        }
        for (int i = 0; i < exps.size(); i++) {
            String dir = exps.getJsonObject(i).getString("run_dir");
            List<String> gateArgs = criteria == null ? List.of(dir) : List.of(dir, "--criteria", criteria);
            int c = GateCommand.run(gateArgs.toArray(String[]::new), out, err);
            code = c == 1 || code == 1 ? 1 : Math.max(code, c);
        }
        out.println("scenario " + name + ": " + (code == 0 ? "pass" : code == 1 ? "FAIL" : "cannot judge") + " (exit " + code + ")");
        return code;
    }

    /** One line: the step that is running, the active ones, and the verdict's live integrity. */
    static String progress(JsonObject plan) {
        StringBuilder sb = new StringBuilder();
        JsonArray exps = plan.getJsonArray("experiments", new JsonArray());
        long running = 0;
        String current = "-";
        long overdue = 0;
        long lost = 0;
        long dup = 0;
        for (int i = 0; i < exps.size(); i++) {
            JsonObject e = exps.getJsonObject(i);
            if ("running".equals(e.getString("status"))) {
                running++;
                current = (i + 1) + "/" + exps.size() + " " + e.getString("type");
            }
            JsonObject v = e.getJsonObject("verdict");
            if (v != null && v.getJsonObject("integrity") != null) {
                overdue += v.getJsonObject("integrity").getLong("overdue", 0L);
                lost += v.getJsonObject("integrity").getLong("lost", 0L);
                dup += v.getJsonObject("integrity").getLong("duplicated", 0L);
            }
        }
        JsonObject pv = plan.getJsonObject("verdict");
        sb.append(String.format(Locale.ROOT, "[%s] step %s, %d active, overdue %d, lost %d, duplicated %d, verdict %s",
                java.time.LocalTime.now().withNano(0), current, running, overdue, lost, dup,
                pv == null ? "-" : pv.getString("status")));
        return sb.toString();
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.version(HttpClient.Version.HTTP_1_1).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
