package io.stampede.proxy;

import io.stampede.proxy.api.ProxyFault;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProxyConfigTest {

    @Test
    void defaultsEnvironmentAndArgumentsWhichWin() {
        ProxyConfig d = ProxyConfig.from(Map.of());
        assertThat(d.listenPort()).isEqualTo(4223);
        assertThat(d.upstreamPort()).isEqualTo(4222);
        assertThat(d.adminPort()).isEqualTo(4224);
        assertThat(d.validate()).isEmpty();

        ProxyConfig c = ProxyConfig.from(Map.of("PROXY_UPSTREAM", "127.0.0.1:5000", "PROXY_LISTEN", "127.0.0.1:5001"),
                "--listen=127.0.0.1:6001", "--max-queued-bytes=100000");
        assertThat(c.upstreamPort()).isEqualTo(5000);
        assertThat(c.listenPort()).isEqualTo(6001);
        assertThat(c.ringLimit()).isEqualTo(131072);
        assertThatThrownBy(() -> ProxyConfig.from(Map.of(), "oops")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void validateReportsEveryProblem() {
        ProxyConfig bad = new ProxyConfig("127.0.0.1", -1, "127.0.0.1", 0, "0.0.0.0", 70000, 10, -5, 1);
        assertThat(bad.validate()).hasSize(7);
    }

    @Test
    void faultJsonRoundTripsAndValidationListsAllProblems() {
        ProxyFault f = ProxyFault.fromJson(new JsonObject("{\"delay_ms\":20,\"jitter_pct\":0.5,\"direction\":\"BOTH\"}"));
        assertThat(f).isEqualTo(new ProxyFault(20, 0.5, ProxyFault.Direction.BOTH, 0, false, null));
        assertThat(ProxyFault.fromJson(f.toJson())).isEqualTo(f);
        assertThat(ProxyFault.fromJson(new JsonObject()).direction()).isEqualTo(ProxyFault.Direction.TO_SERVER);
        assertThat(new ProxyFault(-1, 2, null, -1, false, null).validate()).hasSize(4);
        assertThatThrownBy(() -> ProxyFault.fromJson(new JsonObject("{\"delay_ms\":\"x\",\"expires_at\":\"soon\"}")))
                .hasMessageContaining("delay_ms").hasMessageContaining("expires_at");
    }

    @Test
    void faultsAddDelaysAndNeverReleaseBeforeArrival() {
        FaultPolicy p = new FaultPolicy(new long[] {30_000_000L, 20_000_000L}, new long[] {0, 0}, 0);
        assertThat(p.releaseAt(1_000, 10, 0)).isEqualTo(1_000 + 50_000_000L);
        FaultPolicy jitter = new FaultPolicy(new long[] {10_000_000L}, new long[] {10_000_000L}, 0);
        for (int i = 0; i < 1000; i++) {
            assertThat(jitter.releaseAt(5_000, 10, 0)).isBetween(5_000L, 5_000 + 20_000_000L);
        }
        FaultPolicy bw = new FaultPolicy(new long[0], new long[0], 8); // 1 byte per ms
        assertThat(bw.releaseAt(0, 10, 0)).isEqualTo(10_000_000L);
        assertThat(bw.releaseAt(0, 10, 10_000_000L)).as("queued behind the previous chunk").isEqualTo(20_000_000L);
    }
}
