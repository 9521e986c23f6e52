package io.stampede.chaos.http;

import io.stampede.chaos.experiment.Problem;
import io.stampede.chaos.experiment.SpecCodec;
import io.stampede.chaos.experiment.Templates;
import io.stampede.chaos.lifecycle.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What a POST /experiments body asks for: a single experiment, a template (with overrides), or a
 * plan ({@code experiments: [...]}). Every problem is reported as a 400 {@code validation_failed},
 * with each step's fields prefixed {@code experiments[i].}.
 */
final class ExperimentRequests {
    private final SpecCodec parser;

    ExperimentRequests(SpecCodec parser) {
        this.parser = parser;
    }

    record Request(List<SpecCodec.Parsed> items, boolean plan) {}

    /** A single experiment, a template (with overrides), or a plan ({@code experiments: [...]}). */
    Request interpret(JsonObject body) {
        if (body.containsKey("template")) {
            Object name = body.getValue("template");
            if (!(name instanceof String n)) {
                throw invalid(List.of(new Problem("template", "must be a string")));
            }
            Templates.Template t = Templates.byName(n).orElseThrow(() -> invalid(List.of(new Problem("template",
                    "unknown template '" + n + "'; GET /templates lists them"))));
            JsonObject overrides = body.copy();
            overrides.remove("template");
            if (t.isPlan()) {
                if (!overrides.isEmpty()) {
                    throw invalid(overrides.fieldNames().stream().map(f -> new Problem(f, "plan templates take no overrides")).toList());
                }
                return plan(t.steps());
            }
            JsonObject merged = t.params().copy().mergeIn(overrides);
            return new Request(List.of(parseOne(merged, "")), false);
        }
        if (body.containsKey("experiments")) {
            Object steps = body.getValue("experiments");
            List<Problem> problems = new ArrayList<>();
            body.fieldNames().stream().filter(f -> !f.equals("experiments")).forEach(f -> problems.add(new Problem(f, "unknown field for a plan")));
            if (!(steps instanceof JsonArray arr) || arr.isEmpty() || arr.size() > 50) {
                problems.add(new Problem("experiments", "must be an array of 1..50 experiment objects"));
                throw invalid(problems);
            }
            List<JsonObject> objects = new ArrayList<>();
            for (int i = 0; i < arr.size(); i++) {
                if (arr.getValue(i) instanceof JsonObject o) {
                    objects.add(o);
                } else {
                    problems.add(new Problem("experiments[" + i + "]", "must be an object"));
                }
            }
            if (!problems.isEmpty()) {
                throw invalid(problems);
            }
            return plan(objects);
        }
        return new Request(List.of(parseOne(body, "")), false);
    }

    private Request plan(List<JsonObject> steps) {
        List<SpecCodec.Parsed> items = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            SpecCodec.Result r = parser.parse(steps.get(i));
            String prefix = "experiments[" + i + "].";
            r.problems().forEach(p -> problems.add(p.prefixed(prefix)));
            if (r.ok()) {
                items.add(r.parsed());
            }
        }
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        return new Request(items, true);
    }

    private SpecCodec.Parsed parseOne(JsonObject body, String prefix) {
        SpecCodec.Result r = parser.parse(body);
        if (!r.ok()) {
            throw invalid(r.problems().stream().map(p -> p.prefixed(prefix)).toList());
        }
        return r.parsed();
    }

    private static ApiException invalid(List<Problem> problems) {
        Problem first = problems.get(0);
        String message = problems.size() == 1
                ? "invalid field " + first.field() + ": " + first.problem()
                : problems.size() + " invalid fields, first " + first.field() + ": " + first.problem();
        return new ApiException(400, "validation_failed", message, problems);
    }
}
