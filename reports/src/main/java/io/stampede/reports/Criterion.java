package io.stampede.reports;

import java.util.Objects;

/**
 * One judged criterion of a verdict.
 *
 * @param id          the fixed id
 * @param description what is measured (human text)
 * @param observed    the observed number, or {@code null} when there were no samples
 * @param threshold   the limit: a maximum, or a minimum when {@link CriterionId#atLeast()}
 * @param pass        {@code true}/{@code false}, or {@code null} when there were no samples — never a pass
 */
public record Criterion(CriterionId id, String description, Double observed, double threshold, Boolean pass) {
    public Criterion {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(description, "description");
        if (observed == null && pass != null) {
            throw new IllegalArgumentException(id.json() + ": a criterion without samples has pass = null");
        }
    }

    /** Judged: {@code pass} follows from the comparison. */
    public static Criterion judged(CriterionId id, double observed, double threshold) {
        return new Criterion(id, id.description(), observed, threshold, id.passes(observed, threshold));
    }

    /** No samples: cannot be judged. */
    public static Criterion noSamples(CriterionId id, double threshold) {
        return new Criterion(id, id.description(), null, threshold, null);
    }

    /** Judged with an explicit outcome (used when the observed number is a bound, e.g. "did not catch up within"). */
    public static Criterion judged(CriterionId id, double observed, double threshold, boolean pass) {
        return new Criterion(id, id.description(), observed, threshold, pass);
    }

    public boolean hasSamples() {
        return observed != null;
    }

    public boolean failed() {
        return Boolean.FALSE.equals(pass);
    }
}
