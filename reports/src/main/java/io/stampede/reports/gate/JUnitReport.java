package io.stampede.reports.gate;

/**
 * A gate result as JUnit XML: one {@code <testsuite>} for the run, one {@code <testcase>} per
 * criterion, {@code <failure>} with observed vs threshold for a failed one, {@code <skipped>} for
 * one that cannot be judged, and one {@code <testcase name="judgeable">} with an {@code <error>}
 * when the run as a whole cannot be judged. CI systems show it; the gate's exit code carries the
 * result.
 */
public final class JUnitReport {
    private JUnitReport() {}

    public static String xml(GateResult r) {
        String suite = "stampede.gate." + r.runId();
        int failures = r.failed().size();
        int skipped = (int) r.items().stream().filter(i -> i.pass() == null).count();
        int errors = r.reasons().isEmpty() ? 0 : 1;
        int tests = r.items().size() + errors;
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append("<testsuites name=\"stampede gate\" tests=\"").append(tests).append("\" failures=\"").append(failures)
                .append("\" errors=\"").append(errors).append("\" skipped=\"").append(skipped).append("\">\n");
        b.append("  <testsuite name=\"").append(attr(suite)).append("\" tests=\"").append(tests).append("\" failures=\"")
                .append(failures).append("\" errors=\"").append(errors).append("\" skipped=\"").append(skipped).append("\">\n");
        for (GateResult.Item i : r.items()) {
            b.append("    <testcase classname=\"").append(attr(suite)).append("\" name=\"").append(attr(i.id())).append('"');
            String detail = "observed " + i.observedText() + ", threshold " + i.thresholdText()
                    + (i.note() == null ? "" : " (" + i.note() + ")");
            if (i.failed()) {
                b.append(">\n      <failure message=\"").append(attr(i.id() + ": " + detail)).append("\" type=\"threshold\">")
                        .append(text(i.description() + ": " + detail)).append("</failure>\n    </testcase>\n");
            } else if (i.pass() == null) {
                b.append(">\n      <skipped message=\"").append(attr("cannot judge: " + detail)).append("\"/>\n    </testcase>\n");
            } else {
                b.append("/>\n");
            }
        }
        if (errors > 0) {
            b.append("    <testcase classname=\"").append(attr(suite)).append("\" name=\"judgeable\">\n      <error message=\"")
                    .append(attr("cannot judge: " + String.join("; ", r.reasons()))).append("\" type=\"cannot_judge\"/>\n    </testcase>\n");
        }
        b.append("  </testsuite>\n</testsuites>\n");
        return b.toString();
    }

    private static String attr(String s) {
        return text(s).replace("\"", "&quot;").replace("\n", "&#10;");
    }

    private static String text(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
                        b.append('?');
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
