package io.stampede.reports.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.reports.Observation;
import io.stampede.reports.RunFiles;
import io.stampede.reports.RunType;
import io.stampede.reports.RunWriter;
import io.stampede.reports.Thresholds;
import io.stampede.reports.Verdict;
import io.stampede.reports.VerdictBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerdictCommandTest {
    @TempDir
    Path dir;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) {
        return VerdictCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    void write(Verdict v) {
        try (RunWriter w = RunWriter.open(dir)) {
            w.writeVerdict(v);
        }
    }

    static Observation.Builder obs() {
        return Observation.builder("chaos_service_failure_5", RunType.SERVICE_FAILURE).isFinal(true)
                .integrity(1200, 1200, 0, 0, 0).decisions(0L, 1180L).targetHealthy(true).catchUp(12.5, 90);
    }

    @Test
    void passPrintsAnAlignedTableAndExits0() {
        write(VerdictBuilder.build(obs().build(), Thresholds.DEFAULTS, 1L));
        assertThat(run(dir.toString())).isZero();
        assertThat(out()).isEqualTo("""
                verdict of chaos_service_failure_5 (service_failure), final
                criterion   observed  threshold  result
                lost               0  <= 0       pass
                duplicated         0  <= 0       pass
                unexpected         0  <= 0       pass
                processing      1180  >= 1       pass
                recovered          1  >= 1       pass
                catch_up        12.5  <= 120     pass
                integrity: expected=1200 delivered=1200 lost=0 duplicated=0 overdue=0 unexpected=0 republished=0
                recovery: target_healthy=true catch_up_s=12.5 observed_after_s=90 decisions_during=0 decisions_after=1180
                status: pass
                """);
    }

    @Test
    void failExits1AndNamesTheFailedCriteria() {
        write(VerdictBuilder.build(obs().integrity(1200, 1197, 4, 0, 0).build(), Thresholds.DEFAULTS, 1L));
        assertThat(run(dir.toString())).isEqualTo(1);
        assertThat(out()).contains("lost               3  <= 0       FAIL")
                .contains("duplicated         4  <= 0       FAIL")
                .endsWith("status: FAIL (lost, duplicated)\n");
    }

    @Test
    void inconclusiveExits2() {
        write(VerdictBuilder.build(obs().catchUp(null, 5).build(), Thresholds.DEFAULTS, 1L));
        assertThat(run(dir.toString())).isEqualTo(2);
        assertThat(out()).contains("catch_up           -  <= 120     no samples").endsWith("status: inconclusive\n");
    }

    @Test
    void pendingExits2() {
        write(VerdictBuilder.build(obs().isFinal(false).build(), Thresholds.DEFAULTS, 1L));
        assertThat(run(dir.toString())).isEqualTo(2);
        assertThat(out()).contains(", live").endsWith("status: pending\n");
    }

    @Test
    void planListsItsSteps() {
        Verdict a = VerdictBuilder.build(obs().build(), Thresholds.DEFAULTS, 1L);
        Verdict b = VerdictBuilder.build(Observation.builder("chaos_load_test_6", RunType.LOAD_TEST).isFinal(true)
                .requests(100, 10).decisions(1L, 1L).targetHealthy(true).loadTest(20.0, 10.0).build(), Thresholds.DEFAULTS, 1L);
        write(VerdictBuilder.plan("plan_2", List.of(a, b), null, Thresholds.DEFAULTS, 2L));
        assertThat(run(dir.toString())).isEqualTo(1);
        assertThat(out()).contains("(no criteria of its own)")
                .contains("  chaos_service_failure_5  service_failure     pass\n")
                .contains("  chaos_load_test_6        load_test           fail\n")
                .endsWith("status: FAIL\n");
    }

    @Test
    void missingOrUnreadableVerdictOrBadUsageExits2() throws Exception {
        assertThat(run(dir.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no verdict.json");
        assertThat(run(dir.resolve("nope").toString())).isEqualTo(2);
        assertThat(run()).isEqualTo(2);
        assertThat(run("--help")).isEqualTo(2);
        Files.writeString(dir.resolve(RunFiles.VERDICT_JSON), "{\"status\":\"pass\",\"final\":true}");
        assertThat(run(dir.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unreadable");
        assertThat(out()).isEmpty();
    }
}
