package io.stampede.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11: the verifier's memory stays bounded over a long run while its counts stay exact.
 * 16 million sequence numbers through the public API (sent, onOutcome, tick), retention 2^20.
 */
class VerifierRetentionTest {
    static final String PREFIX = "rret1";

    /** {"id":"rret1-0000000042","sent_at":1} with the 10 digits rewritten in place. */
    private static final class Body {
        final byte[] b = ("{\"id\":\"" + SignalIds.format(PREFIX, 0) + "\",\"sent_at\":1}").getBytes(StandardCharsets.US_ASCII);
        final int digitsEnd = 7 + PREFIX.length() + 1 + 10;

        byte[] of(long seq) {
            for (int i = digitsEnd - 1; i >= digitsEnd - 10; i--) {
                b[i] = (byte) ('0' + seq % 10);
                seq /= 10;
            }
            return b;
        }
    }

    @Test
    @Timeout(120)
    void memoryStaysUnderTheWindowAndTotalsStayExactOverSixteenMillionIds() throws Exception {
        long n = 16L << 20;
        int batch = 1 << 16;
        long retained = 1L << 20;
        VerifierConfig cfg = VerifierConfig.defaults().withGrace(Duration.ZERO).withRetainedMessages(retained);
        Body body = new Body();
        long lostExpected = 0;
        long dupExpected = 0;
        long recovered = 0;
        try (DeliveryVerifier v = new DeliveryVerifier(cfg, PREFIX)) {
            long seg = v.segmentBits();
            // per bit set: the window, one partly filled segment at the top, one not yet released at the bottom
            long boundSegments = 3 * (retained / seg + 2);
            int maxSeen = 0;
            for (long from = 0; from < n; from += batch) {
                for (long seq = from; seq < from + batch; seq++) {
                    v.sent(seq);
                }
                for (long seq = from; seq < from + batch; seq++) {
                    if (seq % 1_000_003 == 17) {
                        lostExpected++;
                        continue;
                    }
                    v.onOutcome(body.of(seq), null);
                    if (seq % 999_983 == 5) {
                        v.onOutcome(body.of(seq), null);
                        dupExpected++;
                    }
                }
                v.tick(); // grace 0: everything sent so far is scanned
                if (from == 4L << 20) {
                    // a lost id's outcome arriving late but inside the window moves it back to delivered
                    long late = 4 * 1_000_003L + 17;
                    assertThat(late % 1_000_003).isEqualTo(17);
                    v.onOutcome(body.of(late), null);
                    recovered++;
                    assertThat(v.stats().lost()).isEqualTo(lostExpected - recovered);
                }
                maxSeen = Math.max(maxSeen, v.retainedSegments());
                assertThat(v.retainedSegments()).as("live segments after seq %d", from + batch).isLessThanOrEqualTo((int) boundSegments);
                assertThat(v.retainedBytes()).isLessThanOrEqualTo(boundSegments * seg / 8);
                assertThat(v.stats().lost()).isEqualTo(lostExpected - recovered);
            }
            VerifierStats live = v.stats();
            assertThat(live.releasedBelow()).isGreaterThanOrEqualTo(n - retained - 2 * seg);
            // an outcome for a released id: untracked, every other count unchanged
            v.onOutcome(body.of(17), null);
            VerifierStats s = v.finish(Duration.ZERO);
            System.out.printf("VerifierRetentionTest: %d ids, segment %d bits, max live segments %d (bound %d), "
                            + "retained %d KiB, released below %d, lost %d, duplicated %d%n",
                    n, seg, maxSeen, boundSegments, v.retainedBytes() >> 10, s.releasedBelow(), s.lost(), s.duplicated());
            assertThat(s.expected()).isEqualTo(n);
            assertThat(s.lost()).isEqualTo(lostExpected - recovered);
            assertThat(s.delivered()).isEqualTo(n - lostExpected + recovered);
            assertThat(s.duplicated()).isEqualTo(dupExpected);
            assertThat(s.extraOutcomes()).isEqualTo(dupExpected);
            assertThat(s.unexpected()).isZero();
            assertThat(s.untracked()).isEqualTo(1);
            assertThat(s.foreign()).isZero();
            // without release the three sets would hold 16 segments each of the 16 Mi ids
            assertThat(maxSeen).isLessThan(3 * (int) (n / seg));
        }
    }

    @Test
    void theSegmentIsAQuarterOfTheWindowWithinBounds() {
        assertThat(VerifierConfig.defaults().segmentBitsLog2()).isEqualTo(22);
        assertThat(VerifierConfig.defaults().withRetainedMessages(1L << 20).segmentBitsLog2()).isEqualTo(20); // capacity 2^34 / 2^14
        assertThat(new VerifierConfig("d.>", IdSource.JSON_FIELD, "id", "sent_at", Duration.ZERO, 1L << 24, 1L << 16)
                .segmentBitsLog2()).isEqualTo(14);
        assertThat(VerifierConfig.defaults().withRetainedMessages(100).validate()).isNotEmpty();
    }
}
