package io.stampede.reports.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.reports.cli.CompareCommand;
import io.stampede.reports.testing.SyntheticRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareCommandTest {
    @TempDir
    Path tmp;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    int compare(String... args) {
        out.reset();
        return CompareCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    Path run(String name, long seed, double factor) {
        return SyntheticRun.of(name).seed(seed).factor(factor).seconds(10).noFault().write(tmp.resolve(name));
    }

    @Test
    void aRunAgainstItselfIsNoRegression() {
        Path base = run("base", 1, 1.0);
        assertThat(compare(base.toString(), base.toString())).isZero();
        assertThat(out()).contains("no regression (exit 0)").contains(" 0.0%");
    }

    @Test
    void aShiftOfFiftyPercentInTenIntervalsIsARegression() throws Exception {
        Path base = run("base", 1, 1.0);
        Path slow = run("slow", 2, 1.5);
        Path html = tmp.resolve("cmp/compare.html");
        assertThat(compare(base.toString(), slow.toString(), "--out", html.toString())).isEqualTo(1);
        assertThat(out()).contains("REGRESSION: e2e p50, e2e p99").contains("lateness p50");
        String page = Files.readString(html);
        assertThat(page).contains("id=\"compare-table\"").contains("charts-spectra").doesNotContainPattern("<script[^>]+src=");
        // the other way round it is an improvement, not a regression
        assertThat(compare(slow.toString(), base.toString())).isZero();
        assertThat(out()).contains("improvement");
    }

    @Test
    void noiseAndSmallShiftsAreNotRegressions() {
        Path base = run("base", 1, 1.0);
        Path other = run("other", 9, 1.0);        // same distribution, other seed
        assertThat(compare(base.toString(), other.toString())).isZero();
        Path bit = run("bit", 9, 1.05);           // 5 % slower: significant maybe, below the threshold
        assertThat(compare(base.toString(), bit.toString())).isZero();
        assertThat(compare(base.toString(), bit.toString(), "--threshold-pct", "1")).isEqualTo(1);
    }

    @Test
    void runsSharingNoSeriesExit2() {
        Path a = SyntheticRun.of("a").series("lateness").seconds(10).write(tmp.resolve("a"));
        Path b = SyntheticRun.of("b").series("http").seconds(10).write(tmp.resolve("b"));
        assertThat(compare(a.toString(), b.toString())).isEqualTo(2);
        assertThat(out()).contains("only in base: lateness").contains("share no series");
        assertThat(compare(a.toString())).isEqualTo(2);
    }
}
