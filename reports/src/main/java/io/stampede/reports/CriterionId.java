package io.stampede.reports;

import java.util.Locale;

/**
 * The fixed criterion ids of a verdict. Each says how its observed number is compared with its
 * threshold: {@code observed <= threshold} (a maximum) or {@code observed >= threshold} (a minimum).
 * Which criteria a run type has is {@link CriteriaTable}'s business.
 */
public enum CriterionId {
    LOST("messages sent and never processed", false),
    DUPLICATED("ids processed more than once", false),
    UNEXPECTED("outcomes for ids never sent (invalid decisions)", false),
    ERROR_RATE("errors over requests, %", false),
    PROCESSING("decisions during or after the fault (processing went on or resumed)", true),
    RECOVERED("target healthy again (1 = yes)", true),
    CATCH_UP("seconds from the fault's end until nothing is overdue and decisions keep up with sends", false),
    P95("HTTP response time p95, ms", false),
    KO_PCT("HTTP requests that failed, %", false);

    private final String description;
    private final boolean atLeast;

    CriterionId(String description, boolean atLeast) {
        this.description = description;
        this.atLeast = atLeast;
    }

    /** The JSON id: {@code lost}, {@code duplicated}, ..., {@code catch_up}, {@code p95}, {@code ko_pct}. */
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String description() {
        return description;
    }

    /** True when the threshold is a minimum ({@code >=}), false when it is a maximum ({@code <=}). */
    public boolean atLeast() {
        return atLeast;
    }

    /** {@code <=} or {@code >=}. */
    public String comparison() {
        return atLeast ? ">=" : "<=";
    }

    public boolean passes(double observed, double threshold) {
        return atLeast ? observed >= threshold : observed <= threshold;
    }

    public static CriterionId fromJson(String s) {
        for (CriterionId v : values()) {
            if (v.json().equals(s)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown criterion id: " + s);
    }
}
