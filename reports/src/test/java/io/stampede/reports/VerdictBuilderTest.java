package io.stampede.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerdictBuilderTest {
    static final long NOW = 1_764_180_100_000L;
    static final Thresholds T = Thresholds.DEFAULTS;

    /** A backpressure run where everything passes; tests change one number. */
    static Observation.Builder passing() {
        return Observation.builder("chaos_backpressure_1", RunType.BACKPRESSURE).isFinal(true)
                .integrity(1000, 1000, 0, 0, 0).decisions(600L, 400L).targetHealthy(true).catchUp(3.0, 60);
    }

    static Verdict v(Observation.Builder b) {
        return VerdictBuilder.build(b.build(), T, NOW);
    }

    static Criterion c(Verdict v, CriterionId id) {
        return v.criterion(id).orElseThrow();
    }

    @Test
    void allPassing() {
        Verdict v = v(passing());
        assertThat(v.status()).isEqualTo(Status.PASS);
        assertThat(v.isFinal()).isTrue();
        assertThat(v.criteria()).extracting(Criterion::id).containsExactlyElementsOf(CriteriaTable.criteria(RunType.BACKPRESSURE));
        assertThat(v.criteria()).allMatch(cr -> Boolean.TRUE.equals(cr.pass()));
        assertThat(v.integrity()).isEqualTo(new Integrity(1000, 1000, 0, 0, 0, 0, 0));
    }

    @Test
    void lostAtItsBoundary() {
        Thresholds one = Thresholds.parse(Map.of("max_lost", 1)).thresholds();
        Verdict atLimit = VerdictBuilder.build(passing().integrity(1000, 999, 0, 0, 0).build(), one, NOW);
        assertThat(c(atLimit, CriterionId.LOST).pass()).isTrue();
        assertThat(atLimit.integrity().lost()).isEqualTo(1);
        assertThat(atLimit.status()).isEqualTo(Status.PASS);
        Verdict over = VerdictBuilder.build(passing().integrity(1000, 998, 0, 0, 0).build(), one, NOW);
        assertThat(c(over, CriterionId.LOST)).satisfies(cr -> {
            assertThat(cr.observed()).isEqualTo(2.0);
            assertThat(cr.threshold()).isEqualTo(1.0);
            assertThat(cr.pass()).isFalse();
        });
        assertThat(over.status()).isEqualTo(Status.FAIL);
        assertThat(over.failedCriteria()).containsExactly("lost");
    }

    @Test
    void duplicatedAndUnexpectedAtTheirBoundaries() {
        assertThat(v(passing().integrity(1000, 1000, 0, 0, 0)).status()).isEqualTo(Status.PASS);
        Verdict dup = v(passing().integrity(1000, 1000, 1, 0, 200));
        assertThat(c(dup, CriterionId.DUPLICATED).pass()).isFalse();
        assertThat(dup.integrity().republished()).isEqualTo(200);
        Verdict unexpected = v(passing().integrity(1000, 1000, 0, 1, 0));
        assertThat(unexpected.failedCriteria()).containsExactly("unexpected");
        Thresholds lax = Thresholds.parse(Map.of("max_duplicated", 1, "max_unexpected", 1)).thresholds();
        Verdict ok = VerdictBuilder.build(passing().integrity(1000, 1000, 1, 1, 0).build(), lax, NOW);
        assertThat(ok.status()).isEqualTo(Status.PASS);
    }

    @Test
    void errorRateAndLoadTestCriteriaAtTheirBoundaries() {
        Observation.Builder lt = Observation.builder("chaos_load_test_3", RunType.LOAD_TEST).isFinal(true)
                .requests(1000, 50).decisions(900L, 100L).targetHealthy(true).loadTest(1000.0, 5.0)
                .integrity(950, 950, 0, 0, 0); // its requests answered 202, each with one decision
        Verdict atLimit = v(lt);
        assertThat(atLimit.criteria()).extracting(Criterion::id)
                .containsExactly(CriterionId.LOST, CriterionId.DUPLICATED, CriterionId.UNEXPECTED, CriterionId.ERROR_RATE,
                        CriterionId.PROCESSING, CriterionId.RECOVERED, CriterionId.P95, CriterionId.KO_PCT);
        assertThat(atLimit.integrity().expected()).isEqualTo(950);
        assertThat(c(atLimit, CriterionId.ERROR_RATE).observed()).isEqualTo(5.0);
        assertThat(atLimit.status()).isEqualTo(Status.PASS);
        assertThat(v(lt.requests(1000, 51)).failedCriteria()).containsExactly("error_rate");
        assertThat(v(lt.requests(1000, 0).loadTest(1000.5, 5.0)).failedCriteria()).containsExactly("p95");
        assertThat(v(lt.loadTest(10.0, 5.01)).failedCriteria()).containsExactly("ko_pct");
        // a 202 without a decision is lost, one decided twice is duplicated
        Verdict integrity = v(lt.loadTest(10.0, 1.0).integrity(950, 948, 1, 0, 0));
        assertThat(integrity.failedCriteria()).containsExactly("lost", "duplicated");
        assertThat(integrity.integrity().lost()).isEqualTo(2);
    }

    @Test
    void processingAndRecoveredAreMinimums() {
        assertThat(c(v(passing().decisions(0L, 1L)), CriterionId.PROCESSING).pass()).isTrue();
        assertThat(c(v(passing().decisions(1L, null)), CriterionId.PROCESSING).pass()).isTrue();
        Verdict stopped = v(passing().decisions(0L, 0L));
        assertThat(c(stopped, CriterionId.PROCESSING)).satisfies(cr -> {
            assertThat(cr.observed()).isZero();
            assertThat(cr.threshold()).isEqualTo(1.0);
            assertThat(cr.pass()).isFalse();
        });
        Verdict down = v(passing().targetHealthy(false));
        assertThat(down.failedCriteria()).containsExactly("recovered");
        assertThat(down.recovery().targetHealthy()).isFalse();
    }

    @Test
    void catchUpAtItsBoundaryAndWhenItNeverCaughtUp() {
        assertThat(c(v(passing().catchUp(120.0, 200)), CriterionId.CATCH_UP).pass()).isTrue();
        assertThat(c(v(passing().catchUp(120.001, 200)), CriterionId.CATCH_UP).pass()).isFalse();
        // never caught up while watched longer than the threshold: a fail, observed = the time watched
        Criterion never = c(v(passing().catchUp(null, 130)), CriterionId.CATCH_UP);
        assertThat(never.pass()).isFalse();
        assertThat(never.observed()).isEqualTo(130.0);
        // not caught up yet and not watched long enough: cannot judge
        Verdict tooShort = v(passing().catchUp(null, 60));
        assertThat(c(tooShort, CriterionId.CATCH_UP).pass()).isNull();
        assertThat(tooShort.status()).isEqualTo(Status.INCONCLUSIVE);
    }

    @Test
    void noSamplesIsNeverAPass() {
        Verdict nothing = v(Observation.builder("chaos_nats_latency_4", RunType.NATS_LATENCY).isFinal(true));
        assertThat(nothing.criteria()).isNotEmpty().allMatch(cr -> cr.pass() == null && cr.observed() == null);
        assertThat(nothing.status()).isEqualTo(Status.INCONCLUSIVE);
        // verifier ran, nothing was sent: lost and duplicated cannot be judged, unexpected can
        Verdict nothingSent = v(passing().integrity(0, 0, 0, 0, 0));
        assertThat(c(nothingSent, CriterionId.LOST).pass()).isNull();
        assertThat(c(nothingSent, CriterionId.DUPLICATED).pass()).isNull();
        assertThat(c(nothingSent, CriterionId.UNEXPECTED).pass()).isTrue();
        assertThat(nothingSent.status()).isEqualTo(Status.INCONCLUSIVE);
        Observation.Builder lt = Observation.builder("chaos_load_test_3", RunType.LOAD_TEST).isFinal(true)
                .requests(0, 0).decisions(1L, 1L).targetHealthy(true).loadTest(null, null);
        assertThat(v(lt).status()).isEqualTo(Status.INCONCLUSIVE);
    }

    @Test
    void failBeatsInconclusiveBeatsPass() {
        Verdict failAndNoSample = v(passing().integrity(1000, 990, 0, 0, 0).catchUp(null, 10));
        assertThat(c(failAndNoSample, CriterionId.CATCH_UP).pass()).isNull();
        assertThat(failAndNoSample.status()).isEqualTo(Status.FAIL);
        assertThat(Status.worst(Status.PASS, Status.INCONCLUSIVE)).isEqualTo(Status.INCONCLUSIVE);
        assertThat(Status.worst(Status.FAIL, Status.INCONCLUSIVE)).isEqualTo(Status.FAIL);
        assertThat(Status.worst(Status.INCONCLUSIVE, Status.FAIL)).isEqualTo(Status.FAIL);
        assertThat(Status.combine(List.of(Status.PASS, Status.FAIL, Status.PENDING))).isEqualTo(Status.PENDING);
        assertThat(Status.combine(List.of())).isEqualTo(Status.INCONCLUSIVE);
    }

    @Test
    void liveVerdictIsPendingAndCallsNothingLost() {
        Verdict live = v(passing().isFinal(false).integrity(1000, 900, 0, 0, 0));
        assertThat(live.status()).isEqualTo(Status.PENDING);
        assertThat(live.isFinal()).isFalse();
        assertThat(live.integrity().lost()).isZero();
        assertThat(live.integrity().overdue()).isEqualTo(100);
        assertThat(c(live, CriterionId.LOST).observed()).isZero();
        Verdict fin = v(passing().integrity(1000, 900, 0, 0, 0));
        assertThat(fin.integrity().lost()).isEqualTo(100);
        assertThat(fin.integrity().overdue()).isZero();
        // even a failure seen live is pending until final
        assertThat(v(passing().isFinal(false).integrity(1000, 1000, 5, 0, 0)).status()).isEqualTo(Status.PENDING);
    }

    @Test
    void baselineHasNoRecoveryCriteria() {
        Verdict b = v(Observation.builder("baseline", RunType.BASELINE).isFinal(true).integrity(10, 10, 0, 0, 0).decisions(10L, null));
        assertThat(b.criteria()).extracting(cr -> cr.id().json()).containsExactly("lost", "duplicated", "unexpected", "processing");
        assertThat(b.status()).isEqualTo(Status.PASS);
    }

    @Test
    void planCombinesItsSteps() {
        Verdict pass = v(passing());
        Verdict fail = v(passing().integrity(1000, 999, 0, 0, 0));
        Verdict inconclusive = v(passing().catchUp(null, 1));
        Verdict pending = v(passing().isFinal(false));
        assertThat(VerdictBuilder.plan("plan_1", List.of(pass, pass), null, T, NOW).status()).isEqualTo(Status.PASS);
        assertThat(VerdictBuilder.plan("plan_1", List.of(pass, inconclusive), null, T, NOW).status()).isEqualTo(Status.INCONCLUSIVE);
        assertThat(VerdictBuilder.plan("plan_1", List.of(inconclusive, fail, pass), null, T, NOW).status()).isEqualTo(Status.FAIL);
        Verdict live = VerdictBuilder.plan("plan_1", List.of(fail, pending), null, T, NOW);
        assertThat(live.status()).isEqualTo(Status.PENDING);
        assertThat(live.isFinal()).isFalse();
        assertThat(live.steps()).extracting(Verdict.Step::status).containsExactly(Status.FAIL, Status.PENDING);
        assertThat(VerdictBuilder.plan("plan_1", List.of(), null, T, NOW).status()).isEqualTo(Status.INCONCLUSIVE);
        Verdict summed = VerdictBuilder.plan("plan_1", List.of(pass, fail), null, T, NOW);
        assertThat(summed.integrity().expected()).isEqualTo(2000);
        assertThat(summed.integrity().lost()).isEqualTo(1);
        assertThat(summed.criteria()).isEmpty();
        // the plan's own window can fail it even when every step passed
        Observation own = Observation.builder("plan_1", RunType.PLAN).isFinal(true).integrity(3000, 2999, 0, 0, 0)
                .decisions(10L, 10L).targetHealthy(true).catchUp(1.0, 10).build();
        Verdict withOwn = VerdictBuilder.plan("plan_1", List.of(pass, pass), own, T, NOW);
        assertThat(withOwn.status()).isEqualTo(Status.FAIL);
        assertThat(withOwn.failedCriteria()).containsExactly("lost");
        assertThat(withOwn.type()).isEqualTo("plan");
        assertThatThrownBy(() -> VerdictBuilder.plan("p", List.of(), passing().build(), T, NOW))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thresholdsParseEveryProblemWithItsField() {
        Map<String, Object> bad = new LinkedHashMap<>();
        bad.put("max_lost", 1.5);
        bad.put("max_duplicated", -1);
        bad.put("max_error_pct", "5");
        bad.put("max_ko_pct", 101);
        bad.put("p95_ms", 0);
        bad.put("max_catch_up", 10);
        Thresholds.Parsed p = Thresholds.parse(bad);
        assertThat(p.ok()).isFalse();
        assertThat(p.thresholds()).isNull();
        assertThat(p.problems()).extracting(Problem::field)
                .containsExactlyInAnyOrder("max_catch_up", "max_lost", "max_duplicated", "max_error_pct", "max_ko_pct", "p95_ms");
        Thresholds.Parsed good = Thresholds.parseJson("{\"max_lost\": 3, \"p95_ms\": 250.5, \"max_catch_up_s\": 30}");
        assertThat(good.problems()).isEmpty();
        assertThat(good.thresholds()).isEqualTo(new Thresholds(3, 0, 0, 5, 30, 250.5, 5));
        assertThat(Thresholds.parse(null).thresholds()).isEqualTo(Thresholds.DEFAULTS);
        assertThat(Thresholds.parseJson("[1]").problems()).extracting(Problem::field).containsExactly("criteria");
        assertThat(Thresholds.parse(Thresholds.DEFAULTS.toMap()).thresholds()).isEqualTo(Thresholds.DEFAULTS);
    }

    @Test
    void verdictJsonHasExactlyTheSchemaAndRoundTrips() throws Exception {
        Verdict v = v(passing().integrity(1000, 1000, 2, 0, 100).catchUp(null, 10));
        com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(v.toJson());
        assertThat(iterable(n.fieldNames())).containsExactly("status", "final", "id", "type", "evaluated_at_ms",
                "criteria", "integrity", "recovery", "steps", "fault", "reasons");
        assertThat(iterable(n.get("criteria").get(0).fieldNames())).containsExactly("id", "description", "observed", "threshold", "pass");
        assertThat(iterable(n.get("integrity").fieldNames())).containsExactly("expected", "delivered", "lost", "duplicated",
                "overdue", "unexpected", "republished");
        assertThat(iterable(n.get("recovery").fieldNames())).containsExactly("catch_up_s", "target_healthy",
                "observed_after_s", "decisions_during", "decisions_after");
        assertThat(n.get("status").asText()).isEqualTo("fail");
        assertThat(n.get("criteria").get(0).get("observed").isIntegralNumber()).isTrue();
        assertThat(Verdict.parse(v.toJson())).isEqualTo(v);
        assertThatThrownBy(() -> Verdict.parse("{\"status\":\"pass\"}")).hasMessageContaining("verdict.json.");
        assertThatThrownBy(() -> Verdict.parse(v.toJson().replace("\"fail\"", "\"great\""))).hasMessageContaining("status");
    }

    @Test
    void aMessageFaultThatMatchedNothingIsInconclusiveWithItsReason() throws Exception {
        Observation.Builder mf = Observation.builder("chaos_message_faults_1", RunType.MESSAGE_FAULTS).isFinal(true)
                .integrity(1000, 1000, 0, 0, 0).decisions(600L, 400L).targetHealthy(true).catchUp(3.0, 60);
        Verdict nothing = v(mf.fault(new FaultCounters("signals.>", "to_server", 0, 0, 0, 0, 0)));
        assertThat(nothing.failedCriteria()).isEmpty();
        assertThat(nothing.status()).as("every criterion passes, but the fault did nothing").isEqualTo(Status.INCONCLUSIVE);
        assertThat(nothing.reasons()).extracting(Verdict.Reason::id).containsExactly("fault_matched_nothing");
        assertThat(nothing.reasons().get(0).message()).contains("signals.>").contains("to_server").contains("matched 0");
        assertThat(Verdict.parse(nothing.toJson())).isEqualTo(nothing);
        assertThat(io.stampede.reports.cli.VerdictCommand.table(nothing))
                .contains("fault: subject=signals.> direction=to_server matched=0 delayed=0 dropped=0 duplicated=0 reordered=0\n")
                .contains("reason: fault_matched_nothing: the fault on subject signals.> (to_server) matched 0 messages")
                .endsWith("status: inconclusive (fault_matched_nothing)\n");

        Verdict hit = v(mf.fault(new FaultCounters("signals.>", "to_client", 303, 0, 73, 0, 0)));
        assertThat(hit.status()).isEqualTo(Status.PASS);
        assertThat(hit.reasons()).isEmpty();
        assertThat(hit.fault().dropped()).isEqualTo(73);
        assertThat(Verdict.parse(hit.toJson())).isEqualTo(hit);

        Verdict failing = v(mf.integrity(1000, 990, 0, 0, 0).fault(new FaultCounters(">", "to_client", 0, 0, 0, 0, 0)));
        assertThat(failing.status()).as("fail beats inconclusive").isEqualTo(Status.FAIL);
        Verdict live = VerdictBuilder.build(mf.isFinal(false).build(), T, NOW);
        assertThat(live.status()).isEqualTo(Status.PENDING);
        assertThat(live.reasons().get(0).message()).contains("so far");

        // a verdict.json written before fault / reasons existed
        String old = v(passing()).toJson().replaceAll(",\\s*\"fault\" : null,\\s*\"reasons\" : \\[ \\]", "");
        assertThat(old).doesNotContain("reasons");
        assertThat(Verdict.parse(old).fault()).isNull();
        assertThat(Verdict.parse(old).reasons()).isEmpty();
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> l = new java.util.ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }
}
