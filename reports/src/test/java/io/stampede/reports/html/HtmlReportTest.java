package io.stampede.reports.html;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stampede.reports.RunType;
import io.stampede.reports.cli.ReportCommand;
import io.stampede.reports.testing.SyntheticRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
    private static final Pattern DATA = Pattern.compile(
            "<script type=\"application/json\" id=\"report-data\">(.*?)</script>", Pattern.DOTALL);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** The report-data object of a report's HTML, as a reviewer's script would read it. */
    static JsonNode reportData(String html) throws Exception {
        Matcher m = DATA.matcher(html);
        assertThat(m.find()).as("report-data script").isTrue();
        return JSON.readTree(m.group(1));
    }

    @Test
    void summaryFiguresAreThoseOfTheMergedHistograms() throws Exception {
        SyntheticRun run = SyntheticRun.of("chaos_backpressure_7").series("lateness", "e2e", "http").seconds(90);
        Path dir = run.write(tmp.resolve("run"));
        String html = HtmlReport.render(dir, false);
        JsonNode series = reportData(html).get("summary").get("series");
        assertThat(series).hasSize(3);
        for (JsonNode s : series) {
            Histogram h = run.expected(s.get("name").asText());
            assertThat(s.get("count").asLong()).isEqualTo(h.getTotalCount()).isEqualTo(90 * 200);
            assertThat(s.get("p50_us").asLong()).isEqualTo(h.getValueAtPercentile(50));
            assertThat(s.get("p99_us").asLong()).isEqualTo(h.getValueAtPercentile(99));
            assertThat(s.get("p999_us").asLong()).isEqualTo(h.getValueAtPercentile(99.9));
            assertThat(s.get("max_us").asLong()).isEqualTo(h.getMaxValue());
        }
        assertThat(series.findValuesAsText("name")).containsExactly("e2e", "http", "lateness");
    }

    @Test
    void selfContainedWithEverySection() throws Exception {
        Path dir = SyntheticRun.of("chaos_backpressure_8").write(tmp.resolve("run"));
        Files.createDirectories(dir.resolve("gatling/webhook-20251126/"));
        Files.writeString(dir.resolve("gatling/webhook-20251126/index.html"), "<html></html>");
        String html = HtmlReport.render(dir, false);
        // nothing fetched: no external script, style, image or frame
        assertThat(html).doesNotContainPattern("(?i)<script[^>]+src=").doesNotContainPattern("(?i)<link[^>]+href=")
                .doesNotContainPattern("(?i)<img[^>]+src=\"?http").doesNotContainPattern("(?i)<iframe");
        assertThat(html).contains("uPlot").contains("id=\"chart-spectrum\"").contains("id=\"criteria\"")
                .contains("id=\"experiment-table\"").contains("href=\"gatling/webhook-20251126/index.html\"");
        // top to bottom
        int[] at = {html.indexOf("id=\"run\""), html.indexOf("id=\"verdict\""), html.indexOf("id=\"chart-spectrum\""),
            html.indexOf("id=\"charts-latency\""), html.indexOf("id=\"throughput\""), html.indexOf("id=\"sut\""),
            html.indexOf("id=\"experiments\""), html.indexOf("id=\"gatling\"")};
        for (int i = 1; i < at.length; i++) {
            assertThat(at[i]).as("section %d after %d", i, i - 1).isGreaterThan(at[i - 1]);
        }
        JsonNode d = reportData(html);
        assertThat(d.get("provisional").asBoolean()).isFalse();
        assertThat(d.get("faults")).hasSize(1);
        assertThat(d.get("faults").get(0).get("experiment_id").asText()).isEqualTo("chaos_backpressure_8");
        assertThat(d.get("faults").get(0).get("to_ms").asLong() - d.get("faults").get(0).get("from_ms").asLong()).isEqualTo(15_002);
        assertThat(d.get("charts").get("throughput").get("series").findValuesAsText("label"))
                .containsExactly("sent", "acked", "delivered", "decided (sut)", "errors (publish failed)");
        assertThat(d.get("charts").get("http").get("series").findValuesAsText("label")).containsExactly("HTTP OK", "HTTP KO");
        assertThat(d.get("charts").get("lag").get("series").findValuesAsText("label"))
                .containsExactly("consumer_lag_now", "overdue (verifier)");
        assertThat(d.get("experiments").get(0).get("catch_up_s").asDouble()).isEqualTo(6.5);
        assertThat(html).doesNotContain("id=\"provisional\"");
    }

    @Test
    void provisionalWhenAskedOrWhenTheVerdictIsNotFinal() throws Exception {
        Path dir = SyntheticRun.of("chaos_backpressure_9").pendingVerdict().write(tmp.resolve("pending"));
        String html = HtmlReport.render(dir, false);
        assertThat(reportData(html).get("provisional").asBoolean()).isTrue();
        assertThat(html).contains("id=\"provisional\"");
        Path fin = SyntheticRun.of("chaos_backpressure_10").write(tmp.resolve("final"));
        assertThat(reportData(HtmlReport.render(fin, true)).get("provisional").asBoolean()).isTrue();
    }

    @Test
    void anEmptyDirectoryStillRenders() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        String html = HtmlReport.render(dir, false);
        JsonNode d = reportData(html);
        assertThat(d.get("summary").get("series")).isEmpty();
        assertThat(d.get("provisional").asBoolean()).isTrue();
    }

    @Test
    void aThirtyMinuteRunStaysUnderOneMebibyte() throws Exception {
        Path dir = SyntheticRun.of("chaos_backpressure_30m").series("lateness", "e2e", "http", "ack")
                .seconds(1800).perSecond(50).fault(600, 900, 3).write(tmp.resolve("long"));
        Path out = Path.of("target", "report-samples", "thirty-minutes.html");
        HtmlReport.write(dir, out);
        long size = Files.size(out);
        System.out.println("30-minute report: " + size + " bytes");
        assertThat(size).isLessThan(1024 * 1024);
        JsonNode d = reportData(Files.readString(out));
        assertThat(d.get("latency").get(0).get("t")).hasSize(1800);
        assertThat(d.get("summary").get("series").get(0).get("count").asLong()).isEqualTo(1800 * 50);
    }

    @Test
    void longRunsAreDownsampledForTheChartsNotForTheFigures() throws Exception {
        SyntheticRun run = SyntheticRun.of("chaos_backpressure_2h").series("lateness").seconds(7200).perSecond(5)
                .fault(3000, 3600, 5);
        Path dir = run.write(tmp.resolve("two-hours"));
        String html = HtmlReport.render(dir, false);
        JsonNode d = reportData(html);
        JsonNode lat = d.get("latency").get(0);
        assertThat(lat.get("t").size()).isLessThanOrEqualTo(ReportData.MAX_POINTS);
        assertThat(lat.get("merged_per_point").asInt()).isEqualTo(4);
        assertThat(d.get("charts").get("throughput").get("x").size()).isLessThanOrEqualTo(ReportData.MAX_POINTS);
        JsonNode s = d.get("summary").get("series").get(0);
        Histogram h = run.expected("lateness");
        assertThat(s.get("p999_us").asLong()).isEqualTo(h.getValueAtPercentile(99.9));
        assertThat(s.get("max_us").asLong()).isEqualTo(h.getMaxValue());
        // the max of the merged points is still the run's max
        long maxOfPoints = 0;
        for (JsonNode v : lat.get("max")) {
            maxOfPoints = Math.max(maxOfPoints, v.asLong());
        }
        assertThat(maxOfPoints).isEqualTo(h.getMaxValue());
        System.out.println("2-hour report: " + html.getBytes(StandardCharsets.UTF_8).length + " bytes");
    }

    @Test
    void reportCommandWritesRunDirReportHtmlByDefault() throws Exception {
        Path dir = SyntheticRun.of("load_test_3").type(RunType.LOAD_TEST).series("http").write(tmp.resolve("lt"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ReportCommand.run(new String[] {dir.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(rc).isZero();
        assertThat(dir.resolve("report.html")).exists();
        Path other = tmp.resolve("x/other.html");
        assertThat(ReportCommand.run(new String[] {dir.toString(), "--out", other.toString()}, System.out, System.err)).isZero();
        assertThat(other).exists();
        assertThat(ReportCommand.run(new String[] {tmp.resolve("nope").toString()}, System.out, System.err)).isEqualTo(2);
        assertThat(ReportCommand.run(new String[] {}, System.out, System.err)).isEqualTo(2);
    }
}
