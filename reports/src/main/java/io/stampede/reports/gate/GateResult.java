package io.stampede.reports.gate;

import java.util.ArrayList;
import java.util.List;

/**
 * What a gate decided: one item per criterion, plus the reasons the run as a whole cannot be
 * judged (no verdict, a verdict not final, an empty directory, ...).
 *
 * @param runId   the run (verdict / run.json id, else the directory name)
 * @param type    the run type, or null when unknown
 * @param items   the criteria, in order: the verdict's, then the series limits
 * @param reasons why the run cannot be judged, beyond its items; empty when it can
 * @param notes   what else the run record says, printed as it is (e.g. the message fault's counters)
 */
public record GateResult(String runId, String type, List<Item> items, List<String> reasons, List<String> notes) {
    public GateResult {
        items = List.copyOf(items);
        reasons = List.copyOf(reasons);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    public GateResult(String runId, String type, List<Item> items, List<String> reasons) {
        this(runId, type, items, reasons, List.of());
    }

    public enum Outcome {
        PASS(0), FAIL(1), CANNOT_JUDGE(2);

        private final int exitCode;

        Outcome(int exitCode) {
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    /**
     * One judged criterion.
     *
     * @param id          {@code lost}, ..., or {@code <series>.<key>} ({@code lateness.p99_ms})
     * @param description what is measured
     * @param observed    null when there is nothing to observe
     * @param comparison  {@code <=} or {@code >=}
     * @param threshold   the limit
     * @param unit        printed after numbers ({@code " ms"} or "")
     * @param pass        true / false, null when it cannot be judged — never a pass
     * @param note        why it cannot be judged, or how it was judged; null when there is nothing to say
     */
    public record Item(String id, String description, Double observed, String comparison, double threshold,
                       String unit, Boolean pass, String note) {
        public boolean failed() {
            return Boolean.FALSE.equals(pass);
        }

        public String result() {
            return pass == null ? "cannot judge" : pass ? "pass" : "FAIL";
        }

        public String observedText() {
            return observed == null ? "-" : Gate.num(observed) + unit;
        }

        public String thresholdText() {
            return comparison + " " + Gate.num(threshold) + unit;
        }
    }

    public Outcome outcome() {
        if (items.stream().anyMatch(Item::failed)) {
            return Outcome.FAIL;
        }
        if (!reasons.isEmpty() || items.isEmpty() || items.stream().anyMatch(i -> i.pass() == null)) {
            return Outcome.CANNOT_JUDGE;
        }
        return Outcome.PASS;
    }

    public List<Item> failed() {
        return items.stream().filter(Item::failed).toList();
    }

    /** The gate's text output (ends with a newline). */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("gate of ").append(runId).append(type == null ? "" : " (" + type + ")").append('\n');
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"criterion", "observed", "threshold", "result"});
        for (Item i : items) {
            rows.add(new String[] {i.id(), i.observedText(), i.thresholdText(),
                i.result() + (i.note() == null ? "" : " (" + i.note() + ")")});
        }
        int[] w = new int[3];
        for (String[] r : rows) {
            for (int k = 0; k < 3; k++) {
                w[k] = Math.max(w[k], r[k].length());
            }
        }
        if (items.size() > 0) {
            for (String[] r : rows) {
                sb.append(pad(r[0], w[0])).append("  ").append(" ".repeat(w[1] - r[1].length())).append(r[1]).append("  ")
                        .append(pad(r[2], w[2])).append("  ").append(r[3]).append('\n');
            }
        }
        for (String n : notes) {
            sb.append(n).append('\n');
        }
        for (Item f : failed()) {
            sb.append("FAILED ").append(f.id()).append(": observed ").append(f.observedText()).append(", threshold ")
                    .append(f.thresholdText()).append(f.note() == null ? "" : " (" + f.note() + ")").append('\n');
        }
        for (String r : reasons) {
            sb.append("cannot judge: ").append(r).append('\n');
        }
        Outcome o = outcome();
        sb.append("gate: ").append(switch (o) {
            case PASS -> "pass";
            case FAIL -> "FAIL (" + String.join(", ", failed().stream().map(Item::id).toList()) + ")";
            case CANNOT_JUDGE -> "cannot judge";
        }).append(" (exit ").append(o.exitCode()).append(")\n");
        return sb.toString();
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }
}
