package io.stampede.demo.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class SignalValidatorTest {
    private static SignalValidator.Result v(String json) {
        return SignalValidator.validate(Buffer.buffer(json));
    }

    @Test
    void acceptsMinimalSignalAndKeepsUnknownFields() {
        var r = v("{\"symbol\":\"AAPL\",\"side\":\"BUY\",\"price\":1.5,\"quantity\":3,\"seq\":7,\"sent_at\":99,\"padding\":\"xx\"}");
        assertThat(r.ok()).isTrue();
        assertThat(r.signal().getString("side")).isEqualTo("buy");
        assertThat(r.signal().getInteger("seq")).isEqualTo(7);
        assertThat(r.signal().getString("padding")).isEqualTo("xx");
    }

    @Test
    void integerIdBecomesString() {
        var r = v("{\"id\":42,\"symbol\":\"AAPL\",\"side\":\"sell\",\"price\":1,\"quantity\":1}");
        assertThat(r.ok()).isTrue();
        assertThat(r.signal().getString("id")).isEqualTo("42");
    }

    @Test
    void reportsEveryProblemWithItsField() {
        var r = v("{\"id\":\"bad id\",\"symbol\":\"a.b\",\"side\":\"hold\",\"price\":0,\"quantity\":\"1\",\"timestamp\":[]}");
        assertThat(r.ok()).isFalse();
        assertThat(r.problems()).extracting(SignalValidator.Problem::field)
                .containsExactly("id", "symbol", "side", "price", "quantity", "timestamp");
    }

    @Test
    void missingFieldsAreNamed() {
        assertThat(v("{}").problems()).extracting(SignalValidator.Problem::field)
                .containsExactly("symbol", "side", "price", "quantity");
    }

    @Test
    void bodyProblems() {
        assertThat(v("").problems().get(0).field()).isEqualTo("body");
        assertThat(v("nope").problems().get(0).problem()).contains("JSON");
        assertThat(v("[]").problems().get(0).problem()).contains("object");
        assertThat(v("{\"symbol\":\"A\",\"side\":\"buy\",\"price\":1e400,\"quantity\":1}").ok()).isFalse();
    }
}
