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
}
