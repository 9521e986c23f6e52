package io.stampede.reports;

/** One validation problem: the field's name and what is wrong (the control API's {@code details} item). */
public record Problem(String field, String problem) {
    @Override
    public String toString() {
        return field + ": " + problem;
    }
}
