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

    /** A system file's body: each slot where the template puts it, whatever the symbols' lengths. */
    @Test
    void aSystemFilesBodyIsFilledSlotBySlot() throws Exception {
        String[] symbols = {"eu", "apac"};
        PayloadTemplate t = new PayloadTemplate("rabcde", symbols, 100,
                "{\"order\":{\"ref\":\"{id}\",\"n\":{seq}},\"at\":{sent_at},\"region\":\"{symbol}\",\"side\":\"{side}\",\"pad\":\"{pad}\",\"again\":\"{id}\"}");
        assertThat(t.size()).isEqualTo(Math.max(100, t.size()));
        byte[] reused = new byte[t.size()];
        int held = -1;
        for (long seq : new long[] {0, 1, 2, 3, 41, 9_999_999_999L}) {
            long time = 1_764_180_000_000_000L + seq;
            t.write(reused, seq, time, held);
            held = t.templateOf(seq);
            JsonNode n = JSON.readTree(reused);
            assertThat(n.at("/order/ref").asText()).isEqualTo(SignalIds.format("rabcde", seq));
            assertThat(n.get("again").asText()).isEqualTo(SignalIds.format("rabcde", seq));
            assertThat(n.at("/order/n").asLong()).isEqualTo(seq);
            assertThat(n.get("at").asLong()).isEqualTo(time);
            assertThat(n.get("region").asText()).isEqualTo(symbols[(int) (seq % 2)]);
            assertThat(n.get("side").asText()).isEqualTo((seq / 2) % 2 == 0 ? "buy" : "sell");
        }
        PayloadTemplate text = new PayloadTemplate("rabcde", symbols, 0, "order {seq} for {symbol}");
        byte[] out = new byte[text.size()];
        text.write(out, 42, 1);
        assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo("order         42 for eu  ");
        text.write(out, 43, 1);
        assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo("order         43 for apac");
    }
}
