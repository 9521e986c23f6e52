package io.stampede.loadgen.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stampede.loadgen.LoadGenConfig;
import io.stampede.loadgen.SignalIds;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PayloadTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyNumberRoundTripsThroughAJsonParser() throws Exception {
        String[] symbols = LoadGenConfig.DEFAULT_SYMBOLS.toArray(String[]::new);
        PayloadTemplate t = new PayloadTemplate("rabcde", symbols, 128);
        assertThat(t.isJson()).isTrue();
        byte[] out = new byte[128];
        long[] seqs = {0, 1, 9, 10, 99, 100, 12345, 999_999_999L, 9_999_999_999L};
        long[] times = {0, 7, 10, 1_764_180_000_123_456L, 99};
        for (long seq : seqs) {
            for (long time : times) {
                t.write(out, seq, time);
                JsonNode n = JSON.readTree(out);
                assertThat(n.get("seq").asLong()).isEqualTo(seq);
                assertThat(n.get("sent_at").asLong()).isEqualTo(time);
                assertThat(n.get("id").asText()).isEqualTo(SignalIds.format("rabcde", seq));
                assertThat(n.get("symbol").asText()).isEqualTo(symbols[(int) (seq % symbols.length)]);
            }
        }
    }

    @Test
    void smallPayloadsAreDigitsOfTheSequence() {
        PayloadTemplate t = new PayloadTemplate("rabcde", new String[] {"AAPL"}, 16);
        assertThat(t.isJson()).isFalse();
        byte[] out = new byte[16];
        t.write(out, 4242, 1);
        assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("0000000000004242");
    }

    @Test
    void rewritingOnlyTheVariableSlotsOfAnArrayHoldingTheSameTemplateGivesTheSameBytes() {
        String[] symbols = {"AAPL", "MSFT", "GOOGL"};
        PayloadTemplate t = new PayloadTemplate("rabcde", symbols, 1024);
        byte[] reused = new byte[1024];
        byte[] fresh = new byte[1024];
        int held = -1;
        long[] seqs = {9_999_999_999L, 0, 6, 12, 1, 7, 123_456, 123_462, 5, 11, 99, 105};
        for (long seq : seqs) {
            long time = 1_764_180_000_000_000L + seq * 37;
            t.write(reused, seq, time, held);
            held = t.templateOf(seq);
            t.write(fresh, seq, time);
            assertThat(new String(reused, StandardCharsets.US_ASCII)).as("seq %d", seq)
                    .isEqualTo(new String(fresh, StandardCharsets.US_ASCII));
        }
    }
}
