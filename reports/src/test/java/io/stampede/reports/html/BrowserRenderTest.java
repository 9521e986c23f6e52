package io.stampede.reports.html;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stampede.reports.testing.SyntheticRun;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens reports from disk (file://) in Debian's headless chromium with no network: the charts
 * render (canvas elements, the page's own marker), no script error. The screenshots stay under
 * {@code reports/target/browser/}. Skipped only when chromium is not installed (CI installs it).
 */
class BrowserRenderTest {
    static final Path OUT = Path.of("target", "browser").toAbsolutePath();

    @TempDir
    Path tmp;

    static String chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            for (String name : new String[] {"chromium", "chromium-browser"}) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        return Files.isExecutable(Path.of("/usr/bin/chromium")) ? "/usr/bin/chromium" : null;
    }

    record Rendered(String dom, String stderr) {}

    Rendered open(Path html, String mode, Path screenshot) throws Exception {
        String bin = chromium();
        List<String> cmd = new ArrayList<>(List.of(bin, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0",
                "--user-data-dir=" + Files.createTempDirectory(tmp, "profile"), "--virtual-time-budget=10000",
                "--window-size=1400,4200", "--hide-scrollbars"));
        if (mode.equals("dom")) {
            cmd.add("--dump-dom");
        } else {
            cmd.add("--screenshot=" + screenshot);
        }
        cmd.add(html.toUri().toString());
        Path stdout = Files.createTempFile(tmp, "out", ".txt");
        Path stderr = Files.createTempFile(tmp, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 120 s: " + cmd);
        }
        return new Rendered(Files.readString(stdout, StandardCharsets.UTF_8), Files.readString(stderr, StandardCharsets.UTF_8));
    }

    static void assertRendered(Rendered r, int charts) {
        Matcher body = Pattern.compile("<body[^>]*data-charts=\"([^\"]*)\"[^>]*data-errors=\"([^\"]*)\"").matcher(r.dom());
        assertThat(body.find()).as("body markers in the DOM; stderr:\n%s", r.stderr()).isTrue();
        assertThat(body.group(2)).as("script errors; DOM js-errors: %s", jsErrors(r.dom())).isEqualTo("0");
        assertThat(body.group(1)).isEqualTo(String.valueOf(charts));
        int canvases = r.dom().split("<canvas", -1).length - 1;
        assertThat(canvases).isEqualTo(charts);
        assertThat(r.dom()).contains("<pre id=\"js-errors\" hidden=\"\"></pre>");
        assertThat(r.stderr()).doesNotContain("Uncaught").doesNotContainPattern("CONSOLE.*(?i)error");
    }

    static String jsErrors(String dom) {
        Matcher m = Pattern.compile("<pre id=\"js-errors\"[^>]*>(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        return m.find() ? m.group(1) : "?";
    }

    @Test
    void theReportRendersItsChartsOffline() throws Exception {
        assumeTrue(chromium() != null, "chromium is not installed (apt-get install chromium)");
        Path dir = SyntheticRun.of("chaos_backpressure_1764180000").series("lateness", "e2e")
                .seconds(300).perSecond(100).fault(120, 180, 4).write(tmp.resolve("run"));
        Files.createDirectories(OUT);
        Path html = OUT.resolve("report.html");
        HtmlReport.write(dir, html);
        // spectrum + 2 latency + throughput + http + sut + lag
        assertRendered(open(html, "dom", null), 7);
        Path png = OUT.resolve("report.png");
        Files.deleteIfExists(png);
        Rendered shot = open(html, "screenshot", png);
        assertThat(png).as("screenshot; stderr:\n%s", shot.stderr()).exists();
        assertThat(Files.size(png)).isGreaterThan(50_000);
    }

    @Test
    void theComparisonRendersItsSpectraOffline() throws Exception {
        assumeTrue(chromium() != null, "chromium is not installed (apt-get install chromium)");
        Path base = SyntheticRun.of("base").seconds(20).noFault().write(tmp.resolve("base"));
        Path cand = SyntheticRun.of("candidate").seconds(20).factor(1.4).seed(5).noFault().write(tmp.resolve("cand"));
        Files.createDirectories(OUT);
        Path html = OUT.resolve("compare.html");
        Files.writeString(html, CompareReport.render(io.stampede.reports.compare.RunComparison.compare(base, cand, 10, 0.05)));
        assertRendered(open(html, "dom", null), 2);
        open(html, "screenshot", OUT.resolve("compare.png"));
        assertThat(OUT.resolve("compare.png")).exists();
    }
}
