package io.stampede.chaos.cli;

import static io.stampede.chaos.cli.CheckText.quote;

import com.fasterxml.jackson.databind.JsonNode;
import io.stampede.system.SystemFile;
import java.util.List;
import java.util.Map;

/**
 * What the matched outcomes hold: {@code outcomes.rules} and {@code outcomes.sent_at}, read on each
 * probe's first outcome. Warnings, never a FAIL: judging outcomes is an experiment's verdict's job.
 */
final class OutcomeContentCheck {
    private final CheckReport report;

    OutcomeContentCheck(CheckReport report) {
        this.report = report;
    }

    void rules(SystemFile.Outcomes o, Map<String, List<ArrivedMessage>> answers) {
        if (o.rules().isEmpty()) {
            return;
        }
        boolean allFollow = true;
        for (int i = 0; i < o.rules().size(); i++) {
            SystemFile.Rule r = o.rules().get(i);
            int broken = 0;
            String example = null;
            for (Map.Entry<String, List<ArrivedMessage>> e : answers.entrySet()) {
                String why = breaks(r, e.getValue().get(0));
                if (why != null) {
                    broken++;
                    if (example == null) {
                        example = e.getKey() + ": " + why;
                    }
                }
            }
            if (broken > 0) {
                allFollow = false;
                report.warn("outcomes.rules[" + i + "]", broken + " of " + answers.size() + " outcomes break " + describe(r) + "; e.g. " + example);
            }
        }
        if (allFollow) {
            report.ok("outcomes.rules", answers.size() + (answers.size() == 1 ? " outcome follows " : " outcomes follow ")
                    + (o.rules().size() == 1 ? "the rule" : "all " + o.rules().size() + " rules"));
        }
    }

    /** Why the outcome breaks the rule, or null when it follows it. */
    private static String breaks(SystemFile.Rule r, ArrivedMessage a) {
        if (r.regex() != null) {
            return r.regex().matcher(a.body()).find() ? null : "body " + quote(a.body(), 80);
        }
        JsonNode body = a.json();
        if (body == null) {
            return "body is not JSON: " + quote(a.body(), 80);
        }
        JsonNode v = ArrivedMessage.at(body, List.of(r.path().split("\\.")));
        if (v == null || v.isNull()) {
            return "no " + r.path();
        }
        String s = v.isValueNode() ? v.asText() : v.toString();
        return r.in().contains(s) ? null : r.path() + " = " + quote(s, 80);
    }

    private static String describe(SystemFile.Rule r) {
        return r.regex() != null ? "{regex: " + r.regex().pattern() + "}" : "{path: " + r.path() + ", in: " + r.in() + "}";
    }

    /** Each outcome copies its probe's sent_at: end-to-end latency relies on it. */
    void sentAt(SystemFile.Outcomes o, Map<String, List<ArrivedMessage>> answers, Map<String, SentProbe> byId) {
        if (o.sentAt() == null) {
            return;
        }
        int wrong = 0;
        String example = null;
        for (Map.Entry<String, List<ArrivedMessage>> e : answers.entrySet()) {
            JsonNode v = e.getValue().get(0).at(o.sentAt().segments());
            long want = byId.get(e.getKey()).sentAtMicros();
            boolean right = v != null && (v.isNumber() ? v.asLong() == want : v.isTextual() && v.asText().trim().equals(Long.toString(want)));
            if (!right) {
                wrong++;
                if (example == null) {
                    example = e.getKey() + ": " + (v == null ? "absent" : v.toString()) + ", sent " + want;
                }
            }
        }
        if (wrong == 0) {
            report.ok("outcomes.sent_at", "every outcome carries its probe's sent_at at " + o.sentAt());
        } else {
            report.warn("outcomes.sent_at", wrong + " of " + answers.size() + " outcomes do not carry their probe's sent_at at " + o.sentAt()
                    + " (e.g. " + example + "); end-to-end latency cannot be measured from them");
        }
    }
}
