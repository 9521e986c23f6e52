package io.stampede.reports;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.reports.cli.VerdictCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The README's examples and tables are the code's: every example parses, every table matches. */
class ReadmeTest {
    static final Path README = Path.of("README.md");

    static String readme() throws Exception {
        return Files.readString(README);
    }

    /** The fenced block right after {@code <!-- marker -->}. */
    static String block(String marker) throws Exception {
        String text = readme();
        int m = text.indexOf("<!-- " + marker + " -->");
        assertThat(m).as("marker %s", marker).isNotNegative();
        int open = text.indexOf("```", m);
        int start = text.indexOf('\n', open) + 1;
        int end = text.indexOf("```", start);
        return text.substring(start, end);
    }

    /** The markdown table right after {@code <!-- marker -->}, without header and separator rows. */
    static List<List<String>> table(String marker) throws Exception {
        String text = readme();
        int m = text.indexOf("<!-- " + marker + " -->");
        assertThat(m).isNotNegative();
        List<List<String>> rows = new ArrayList<>();
        boolean started = false;
        for (String line : text.substring(m).split("\n")) {
            if (line.startsWith("|")) {
                started = true;
                List<String> cells = new ArrayList<>();
                String[] parts = line.split("\\|", -1);
                for (int i = 1; i < parts.length - 1; i++) {
                    cells.add(parts[i].strip().replace("`", ""));
                }
                rows.add(cells);
            } else if (started) {
                break;
            }
        }
        return rows.subList(2, rows.size());
    }

    @Test
    void fileExamplesParse() throws Exception {
        RunInfo run = Codec.runInfoFromJson(block("example: run.json"));
        assertThat(run.format()).isEqualTo(RunFiles.FORMAT);
        assertThat(Codec.runInfoFromJson(Codec.runInfoToJson(run))).isEqualTo(run);
        for (String line : block("example: timeline.jsonl").strip().split("\n")) {
            TimelineEvent e = Codec.timelineFromLine(line);
            assertThat(Codec.timelineFromLine(Codec.timelineLine(e))).isEqualTo(e);
        }
        for (String line : block("example: counters.jsonl").strip().split("\n")) {
            CounterRecord c = Codec.counterFromLine(line);
            assertThat(Codec.counterLine(c)).isEqualTo(line);
        }
        Summary s = Codec.summaryFromJson(block("example: summary.json"));
        assertThat(Codec.summaryToJson(s)).isEqualTo(block("example: summary.json"));
    }

    @Test
    void verdictExampleIsWhatTheBuilderAndTheCommandProduce() throws Exception {
        String json = block("example: verdict.json");
        Verdict v = Verdict.parse(json);
        assertThat(v.toJson()).isEqualTo(json);
        Verdict built = VerdictBuilder.build(Observation.builder("chaos_backpressure_1764180000", RunType.BACKPRESSURE)
                .isFinal(true).integrity(30000, 29998, 3, 0, 0).decisions(29990L, 15010L).targetHealthy(true)
                .catchUp(6.5, 15).build(), Thresholds.DEFAULTS, 1764180060000L);
        assertThat(built).isEqualTo(v);
        assertThat(VerdictCommand.table(v)).isEqualTo(block("example: verdict-table"));
    }

    @Test
    void criteriaTableIsCriteriaTable() throws Exception {
        List<String> header = List.of("nats_latency", "service_failure", "backpressure", "load_test",
                "duplicate_messages", "message_faults", "plan", "baseline");
        List<List<String>> rows = table("criteria-table");
        assertThat(rows).extracting(r -> r.get(0))
                .containsExactly(EnumSet.allOf(CriterionId.class).stream().map(CriterionId::json).toArray(String[]::new));
        for (int col = 0; col < header.size(); col++) {
            RunType type = RunType.fromJson(header.get(col)).orElseThrow();
            Set<CriterionId> documented = EnumSet.noneOf(CriterionId.class);
            for (List<String> r : rows) {
                if (r.get(col + 1).equals("✓")) {
                    documented.add(CriterionId.fromJson(r.get(0)));
                }
            }
            assertThat(documented).as(type.json()).isEqualTo(CriteriaTable.criteria(type));
        }
    }

    @Test
    void thresholdsTableIsTheDefaults() throws Exception {
        List<List<String>> rows = table("thresholds-table");
        assertThat(rows).extracting(r -> r.get(0)).containsExactlyElementsOf(Thresholds.KEYS);
        var defaults = Thresholds.DEFAULTS.toMap();
        for (List<String> r : rows) {
            assertThat(Double.parseDouble(r.get(1))).as(r.get(0)).isEqualTo(((Number) defaults.get(r.get(0))).doubleValue());
        }
    }

    @Test
    void javaExampleIsTheOneThatRuns() throws Exception {
        String src = Files.readString(Path.of("src/test/java/io/stampede/reports/ReadmeExampleTest.java"));
        String ran = src.substring(src.indexOf("// README begin"), src.indexOf("// README end"));
        String doc = readme();
        int at = doc.indexOf("## Java API");
        String java = doc.substring(doc.indexOf("```java", at) + 8, doc.indexOf("```", doc.indexOf("```java", at) + 7));
        List<String> ranLines = ran.lines().map(String::strip).toList();
        for (String line : java.lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
            assertThat(ranLines).as("README line runs in ReadmeExampleTest").contains(line);
        }
    }
}
