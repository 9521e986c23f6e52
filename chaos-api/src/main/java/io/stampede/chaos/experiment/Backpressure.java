package io.stampede.chaos.experiment;

/** Multiply the baseline message rate; several active experiments multiply together. */
public record Backpressure(double rateMultiplier, int durationS) implements ExperimentSpec {
    @Override
    public SpecType kind() {
        return SpecType.BACKPRESSURE;
    }
}
