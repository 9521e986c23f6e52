package io.stampede.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.testkit.NatsServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11: a tiny multiplier (or a product of two) must pause the baseline, never flood NATS.
 * Real pacer, real ring, real publisher, real nats-server; traffic counted by a subscriber.
 */
@Timeout(60)
class TinyRateTest {
    static NatsServer nats;

    @BeforeAll
    static void startNats() {
        nats = NatsServer.start();
    }

    @AfterAll
    static void stopNats() {
        nats.close();
    }

    /** Messages that reach the server's subscribers in {@code window}, counted after a settling pause. */
    private static long countOver(Outcomes out, Duration settle, Duration window) throws InterruptedException {
        Thread.sleep(settle.toMillis());
        long before = out.count.get();
        Thread.sleep(window.toMillis());
        return out.count.get() - before;
    }

    private void check(String name, double... multipliers) throws Exception {
        String subject = "tiny" + name;
        try (Outcomes out = new Outcomes(nats.url(), subject + ".>", 0);
             LoadGenerator g = new LoadGenerator(LoadGenConfig.builder(nats.url()).baselineRate(100)
                     .subjectPattern(subject + ".{symbol}").payloadSize(128).build()).start()) {
            long normal = countOver(out, Duration.ofMillis(300), Duration.ofSeconds(1));
            assertThat(normal).as("baseline before").isBetween(80L, 120L);

            for (int k = 0; k < multipliers.length; k++) {
                g.addMultiplier("m" + k, multipliers[k]);
            }
            long tiny = countOver(out, Duration.ofMillis(100), Duration.ofSeconds(1));
            System.out.printf("TinyRateTest %s: %d msg in 1 s with multipliers %s%n", name, tiny,
                    java.util.Arrays.toString(multipliers));
            assertThat(tiny).as("messages in 1 s at a tiny rate").isLessThanOrEqualTo(1L);
            checkPaused(g);

            for (int k = 0; k < multipliers.length; k++) {
                g.removeMultiplier("m" + k);
            }
            long back = countOver(out, Duration.ofMillis(100), Duration.ofSeconds(1));
            System.out.printf("TinyRateTest %s: %d msg in 1 s after reset%n", name, back);
            assertThat(back).as("rate after reset to 1").isBetween(80L, 120L);
            assertThat(g.paused()).isFalse();
            assertThat(g.currentRate()).isEqualTo(100.0);
            assertThat(g.stats().total().failed()).isZero();
        }
    }

    private static void checkPaused(LoadGenerator g) {
        assertThat(g.paused()).as("paused state reported").isTrue();
        assertThat(g.currentRate()).isZero();
        assertThat(g.stats().targetRate()).isZero();
    }

    @Test
    void rejectsNanNegativeInfiniteAndZeroMultipliersAndReportsTheCombinationForAdmission() throws Exception {
        try (LoadGenerator g = new LoadGenerator(LoadGenConfig.builder(nats.url()).baselineRate(100)
                .subjectPattern("tinyadm.{symbol}").build())) {
            for (double bad : new double[] {Double.NaN, -1, 0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
                org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> g.addMultiplier("x", bad));
                org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> g.rateWith("x", bad));
            }
            g.addMultiplier("a", 1e-6);
            assertThat(g.rateWith("b", 1e-7)).isCloseTo(1e-11, org.assertj.core.api.Assertions.within(1e-20));
            assertThat(LoadGenConfig.isBelowFloor(g.rateWith("b", 1e-7))).isTrue();
            assertThat(LoadGenConfig.isBelowFloor(g.rateWith("a", 1))).isFalse(); // replaces a's own value
            assertThat(g.paused()).isTrue(); // 100 × 1e-6 = 1e-4 msg/s < the floor
        }
    }

    @Test
    void multiplier1em15() throws Exception {
        check("a", 1e-15);
    }

    @Test
    void multiplier1em300() throws Exception {
        check("b", 1e-300);
    }

    @Test
    void multiplierSubnormal() throws Exception {
        check("c", 3.7e-320);
    }

    @Test
    void twoValidMultipliersWhoseProductIsTiny() throws Exception {
        check("d", 1e-6, 1e-7);
    }
}
