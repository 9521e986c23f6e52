package io.stampede.chaos.experiment;

/** One thing wrong with a request: which field, and what is wrong with it. */
public record Problem(String field, String problem) {
    public Problem prefixed(String prefix) {
        return new Problem(prefix + field, problem);
    }
}
