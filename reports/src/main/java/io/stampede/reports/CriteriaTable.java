package io.stampede.reports;

import static io.stampede.reports.CriterionId.CATCH_UP;
import static io.stampede.reports.CriterionId.DUPLICATED;
import static io.stampede.reports.CriterionId.ERROR_RATE;
import static io.stampede.reports.CriterionId.KO_PCT;
import static io.stampede.reports.CriterionId.LOST;
import static io.stampede.reports.CriterionId.P95;
import static io.stampede.reports.CriterionId.PROCESSING;
import static io.stampede.reports.CriterionId.RECOVERED;
import static io.stampede.reports.CriterionId.UNEXPECTED;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Which criteria apply to which run type: the one place that says it (the table in
 * {@code reports/README.md} is checked against this class by a test).
 *
 * <ul>
 *   <li>Integrity ({@code lost}, {@code duplicated}, {@code unexpected}) applies wherever a
 *       delivery verifier follows messages: every type; for {@code load_test} a verifier of its own
 *       matches decisions to the requests the target answered 202 ({@code accepted.jsonl}).</li>
 *   <li>{@code error_rate} only where requests are sent: {@code load_test}.</li>
 *   <li>{@code processing} everywhere; {@code recovered} and {@code catch_up} where there is a fault
 *       that ends (not the baseline; a load test is judged by {@code recovered} only: it has no
 *       backlog of its own).</li>
 *   <li>{@code p95} and {@code ko_pct}: {@code load_test} only.</li>
 *   <li>A plan is judged over its whole window by the integrity, processing and recovery criteria
 *       (its steps add theirs through their own verdicts).</li>
 * </ul>
 */
public final class CriteriaTable {
    private static final Map<RunType, Set<CriterionId>> TABLE = new EnumMap<>(RunType.class);

    static {
        TABLE.put(RunType.NATS_LATENCY, EnumSet.of(LOST, DUPLICATED, UNEXPECTED, PROCESSING, RECOVERED, CATCH_UP));
        // faults on single messages (the proxy): what was dropped must come back by redelivery
        TABLE.put(RunType.MESSAGE_FAULTS, EnumSet.of(LOST, DUPLICATED, UNEXPECTED, PROCESSING, RECOVERED, CATCH_UP));
        TABLE.put(RunType.SERVICE_FAILURE, EnumSet.of(LOST, DUPLICATED, UNEXPECTED, PROCESSING, RECOVERED, CATCH_UP));
        TABLE.put(RunType.BACKPRESSURE, EnumSet.of(LOST, DUPLICATED, UNEXPECTED, PROCESSING, RECOVERED, CATCH_UP));
        TABLE.put(RunType.DUPLICATE_MESSAGES, EnumSet.of(LOST, DUPLICATED, UNEXPECTED, PROCESSING, RECOVERED, CATCH_UP));
        TABLE.put(RunType.LOAD_TEST, EnumSet.of(LOST, DUPLICATED, UNEXPECTED, ERROR_RATE, PROCESSING, RECOVERED, P95, KO_PCT));
        TABLE.put(RunType.PLAN, EnumSet.of(LOST, DUPLICATED, UNEXPECTED, PROCESSING, RECOVERED, CATCH_UP));
        TABLE.put(RunType.BASELINE, EnumSet.of(LOST, DUPLICATED, UNEXPECTED, PROCESSING));
    }

    private CriteriaTable() {}

    /** The criteria of {@code type}, in {@link CriterionId} order (the order of verdict.json's list). */
    public static Set<CriterionId> criteria(RunType type) {
        return Collections.unmodifiableSet(TABLE.get(type));
    }

    public static boolean applies(RunType type, CriterionId id) {
        return TABLE.get(type).contains(id);
    }
}
