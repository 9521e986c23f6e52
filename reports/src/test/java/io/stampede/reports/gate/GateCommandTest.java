package io.stampede.reports.gate;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.reports.RunType;
import io.stampede.reports.cli.GateCommand;
import io.stampede.reports.testing.SyntheticRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GateCommandTest {
    @TempDir
    Path tmp;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int gate(String... args) {
        out.reset();
        err.reset();
        return GateCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    Path criteria(String name, String text) throws Exception {
        return Files.writeString(tmp.resolve(name), text);
    }

    @Test
    void theVerdictAsItIs() {
        Path ok = SyntheticRun.of("chaos_backpressure_1").write(tmp.resolve("ok"));
        assertThat(gate(ok.toString())).isZero();
        assertThat(out()).contains("lost               0  <= 0       pass").endsWith("gate: pass (exit 0)\n");
        Path bad = SyntheticRun.of("chaos_backpressure_2").lost(3).duplicated(1).write(tmp.resolve("bad"));
        assertThat(gate(bad.toString())).isEqualTo(1);
        assertThat(out()).contains("FAILED lost: observed 3, threshold <= 0\n")
                .contains("FAILED duplicated: observed 1, threshold <= 0\n")
                .endsWith("gate: FAIL (lost, duplicated) (exit 1)\n");
    }

    @Test
    void eachThresholdAtItsBoundary() throws Exception {
        Path dir = SyntheticRun.of("chaos_backpressure_3").lost(2).write(tmp.resolve("run"));
        assertThat(gate(dir.toString(), "--criteria", criteria("a.yaml", "max_lost: 2\n").toString())).isZero();
        assertThat(gate(dir.toString(), "--criteria", criteria("b.yaml", "max_lost: 1\n").toString())).isEqualTo(1);
        assertThat(out()).contains("FAILED lost: observed 2, threshold <= 1");
        // catch_up observed 6.5 s
        assertThat(gate(dir.toString(), "--criteria", criteria("c.json", "{\"max_lost\": 2, \"max_catch_up_s\": 6.5}").toString())).isZero();
        assertThat(gate(dir.toString(), "--criteria", criteria("d.json", "{\"max_lost\": 2, \"max_catch_up_s\": 6.4}").toString())).isEqualTo(1);
        assertThat(out()).contains("FAILED catch_up: observed 6.5, threshold <= 6.4");

        Path dup = SyntheticRun.of("chaos_backpressure_4").duplicated(5).write(tmp.resolve("dup"));
        assertThat(gate(dup.toString(), "--criteria", criteria("e.yaml", "max_duplicated: 5").toString())).isZero();
        assertThat(gate(dup.toString(), "--criteria", criteria("f.yaml", "max_duplicated: 4").toString())).isEqualTo(1);

        // a load test: p95 120 ms, KO 0.5 %
        Path lt = SyntheticRun.of("load_test_5").type(RunType.LOAD_TEST).series("http").write(tmp.resolve("lt"));
        assertThat(gate(lt.toString(), "--criteria", criteria("g.yaml", "p95_ms: 120\nmax_ko_pct: 0.5\n").toString())).isZero();
        assertThat(gate(lt.toString(), "--criteria", criteria("h.yaml", "p95_ms: 119.9\n").toString())).isEqualTo(1);
        assertThat(gate(lt.toString(), "--criteria", criteria("i.yaml", "max_ko_pct: 0.49\n").toString())).isEqualTo(1);
        String errPct = out();
        assertThat(errPct).contains("error_rate");
    }

    @Test
    void seriesPercentilesAtTheirBoundary() throws Exception {
        SyntheticRun run = SyntheticRun.of("chaos_backpressure_6");
        Path dir = run.write(tmp.resolve("run"));
        Histogram h = run.expected("lateness");
        double p99 = h.getValueAtPercentile(99) / 1000.0;
        double max = h.getMaxValue() / 1000.0;
        String at = "series:\n  lateness:\n    p99_ms: " + p99 + "\n    max_ms: " + max + "\n";
        assertThat(gate(dir.toString(), "--criteria", criteria("a.yaml", at).toString())).isZero();
        assertThat(out()).contains("lateness.p99_ms").contains("lateness.max_ms");
        String below = "series:\n  lateness:\n    p99_ms: " + (p99 - 0.001) + "\n";
        assertThat(gate(dir.toString(), "--criteria", criteria("b.yaml", below).toString())).isEqualTo(1);
        assertThat(out()).contains("FAILED lateness.p99_ms: observed " + Gate.num(p99) + " ms, threshold <= " + Gate.num(p99 - 0.001) + " ms");
        // p999 = 99.9
        String p999 = "{\"series\": {\"e2e\": {\"p999_ms\": " + run.expected("e2e").getValueAtPercentile(99.9) / 1000.0 + "}}}";
        assertThat(gate(dir.toString(), "--criteria", criteria("c.json", p999).toString())).isZero();
    }

    @Test
    void cannotJudgeExits2() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThat(gate(empty.toString())).isEqualTo(2);
        assertThat(out()).contains("cannot judge: empty run directory");
        assertThat(gate(tmp.resolve("absent").toString())).isEqualTo(2);

        Path pending = SyntheticRun.of("chaos_backpressure_7").pendingVerdict().write(tmp.resolve("pending"));
        assertThat(gate(pending.toString())).isEqualTo(2);
        assertThat(out()).contains("the verdict is not final");

        Path noVerdict = SyntheticRun.of("chaos_backpressure_8").noVerdict().write(tmp.resolve("nov"));
        assertThat(gate(noVerdict.toString())).isEqualTo(2);
        // series only: no verdict needed
        assertThat(gate(noVerdict.toString(), "--criteria", criteria("s.yaml", "series: {lateness: {p50_ms: 1000}}").toString())).isZero();

        Path ok = SyntheticRun.of("chaos_backpressure_9").write(tmp.resolve("ok"));
        // a misspelled (unknown) series is never a pass
        assertThat(gate(ok.toString(), "--criteria", criteria("u.yaml", "series: {latenes: {p99_ms: 50}}").toString())).isEqualTo(2);
        assertThat(out()).contains("unknown series");
        // a threshold for a criterion the type does not have
        assertThat(gate(ok.toString(), "--criteria", criteria("p.yaml", "p95_ms: 100").toString())).isEqualTo(2);
        assertThat(out()).contains("not a criterion of backpressure runs");
        // an unknown key is a bad criteria file
        assertThat(gate(ok.toString(), "--criteria", criteria("k.yaml", "max_lsot: 0").toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("max_lsot: unknown key");
    }

    @Test
    void aFaultThatMatchedNothingCannotBeJudgedAndTheCountersArePrinted() throws Exception {
        Path nothing = SyntheticRun.of("chaos_message_faults_20").type(RunType.MESSAGE_FAULTS)
                .faultCounters(new io.stampede.reports.FaultCounters("signals.>", "to_server", 0, 0, 0, 0, 0)).write(tmp.resolve("nothing"));
        assertThat(gate(nothing.toString())).isEqualTo(2);
        assertThat(out()).contains("fault: subject=signals.> direction=to_server matched=0 delayed=0 dropped=0 duplicated=0 reordered=0\n")
                .contains("cannot judge: the verdict is inconclusive: fault_matched_nothing: the fault on subject signals.> (to_server) matched 0")
                .endsWith("gate: cannot judge (exit 2)\n");
        Path hit = SyntheticRun.of("chaos_message_faults_21").type(RunType.MESSAGE_FAULTS)
                .faultCounters(new io.stampede.reports.FaultCounters("signals.>", "to_client", 303, 0, 73, 0, 0)).write(tmp.resolve("hit"));
        assertThat(gate(hit.toString())).isZero();
        assertThat(out()).contains("fault: subject=signals.> direction=to_client matched=303 delayed=0 dropped=73 duplicated=0 reordered=0\n");
        String html = io.stampede.reports.html.HtmlReport.render(hit, false);
        assertThat(html).contains("id=\"fault-counters\"").contains("matched 303").contains("dropped 73");
        assertThat(io.stampede.reports.html.HtmlReport.render(nothing, false)).contains("id=\"reason-fault_matched_nothing\"");
    }

    @Test
    void aFailureWinsOverWhatCannotBeJudged() throws Exception {
        Path dir = SyntheticRun.of("chaos_backpressure_10").lost(1).write(tmp.resolve("run"));
        assertThat(gate(dir.toString(), "--criteria", criteria("a.yaml", "max_lost: 0\nseries: {nope: {p99_ms: 5}}").toString()))
                .isEqualTo(1);
    }

    @Test
    void anEmptySeriesHasNoSamples() throws Exception {
        Path dir = SyntheticRun.of("chaos_backpressure_11").perSecond(0).write(tmp.resolve("run"));
        assertThat(gate(dir.toString(), "--criteria", criteria("a.yaml", "series: {lateness: {p99_ms: 5}}").toString())).isEqualTo(2);
        assertThat(out()).contains("cannot judge (no samples)");
    }

    @Test
    void theReadmeCriteriaExampleParses() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        var m = java.util.regex.Pattern.compile("<!-- example: gate-criteria -->\n```yaml\n(.*?)```", java.util.regex.Pattern.DOTALL)
                .matcher(readme);
        assertThat(m.find()).isTrue();
        GateCriteria.Parsed p = GateCriteria.parse(m.group(1));
        assertThat(p.problems()).isEmpty();
        assertThat(p.criteria().thresholds()).containsOnlyKeys("max_lost", "max_catch_up_s");
        assertThat(p.criteria().series().get("lateness")).containsEntry("p999_ms", 120.0);
        assertThat(GateCriteria.percentile("p999_ms")).isEqualTo(99.9);
        assertThat(GateCriteria.percentile("p9999_ms")).isEqualTo(99.99);
        assertThat(GateCriteria.percentile("p95_ms")).isEqualTo(95.0);
        assertThat(GateCriteria.percentile("p100_ms")).isNull();
    }

    @Test
    void junitXmlHasOneTestcasePerCriterion() throws Exception {
        Path dir = SyntheticRun.of("chaos_backpressure_12").lost(4).write(tmp.resolve("run"));
        Path xml = tmp.resolve("out/gate.xml");
        assertThat(gate(dir.toString(), "--criteria", criteria("a.yaml", "series: {lateness: {p99_ms: 1000}}\nmax_lost: 1").toString(),
                "--junit", xml.toString())).isEqualTo(1);
        String x = Files.readString(xml);
        var doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
        var cases = doc.getElementsByTagName("testcase");
        assertThat(cases.getLength()).isEqualTo(7); // 6 backpressure criteria + 1 series limit
        assertThat(doc.getElementsByTagName("failure").getLength()).isEqualTo(1);
        assertThat(x).contains("<failure message=\"lost: observed 4, threshold &lt;= 1\"");
        assertThat(x).contains("name=\"lateness.p99_ms\"/>");
    }
}
