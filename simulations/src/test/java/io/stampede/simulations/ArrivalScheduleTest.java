package io.stampede.simulations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ArrivalScheduleTest {
    @Test
    void constantRateSpacesUsersEvenly() {
        ArrivalSchedule s = new ArrivalSchedule(200, 200, 0);
        assertThat(s.intendedOffsetS(0)).isEqualTo(0.0);
        assertThat(s.intendedOffsetS(200)).isCloseTo(1.0, within(1e-9));
        assertThat(s.steadyStartS()).isZero();
    }

    @Test
    void rampThenSteady() {
        // 1 -> 101 rps over 10 s: 510 users during the ramp, then 101 per second.
        ArrivalSchedule s = new ArrivalSchedule(1, 101, 10);
        assertThat(s.rampUsers()).isEqualTo(510);
        assertThat(s.intendedOffsetS(510)).isCloseTo(10.0, within(1e-9));
        assertThat(s.intendedOffsetS(510 + 101)).isCloseTo(11.0, within(1e-9));
        assertThat(s.intendedOffsetS(255)).isLessThan(10.0).isGreaterThan(5.0);
    }

    @Test
    void bodiesArePaddedToTheAskedSizeWithUniqueIds() {
        SignalBodies b = new SignalBodies("gat-t", 4096);
        String a = b.body(1, Instant.EPOCH);
        String c = b.body(2, Instant.EPOCH);
        assertThat(a).hasSize(4096).startsWith("{\"id\":\"gat-t-0000000001\"").endsWith("\"}");
        assertThat(c).hasSize(4096).contains("\"seq\":2").contains("\"side\":\"buy\"");
        assertThat(b.body(3, Instant.EPOCH)).contains("\"side\":\"sell\"");
        // the chaos API's ids: <experiment id>-<10-digit seq>, matched by a DeliveryVerifier with that prefix
        assertThat(new SignalBodies("chaos_load_test_7", 512).id(42)).isEqualTo("chaos_load_test_7-0000000042");
        // Too small to pad: minimal valid body, no pad field.
        assertThat(new SignalBodies("t", 10).body(1, Instant.EPOCH)).doesNotContain("pad").endsWith("}");
    }
}
