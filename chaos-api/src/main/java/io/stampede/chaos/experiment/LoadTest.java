package io.stampede.chaos.experiment;

import java.net.URI;

/** Open-model HTTP load (Gatling, in a child JVM) at rps for duration_s. */
public record LoadTest(double rps, int durationS, int payloadSize, URI targetUrl) implements ExperimentSpec {
    @Override
    public SpecType kind() {
        return SpecType.LOAD_TEST;
    }
}
