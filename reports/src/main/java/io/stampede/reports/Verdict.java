package io.stampede.reports;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The verdict of one experiment, plan or baseline run: the content of {@code verdict.json}
 * (schema in {@code reports/README.md}). Built by {@link VerdictBuilder}; serialised once, by
 * {@link #toJson()}, and read back by {@link #parse(String)}.
 *
 * @param status        pass | fail | inconclusive when final, pending when live
 * @param isFinal       the JSON key {@code final}
 * @param id            experiment id, plan id or baseline run id
 * @param type          the run type ({@link RunType#json()})
 * @param evaluatedAtMs when it was built, epoch ms
 * @param criteria      in {@link CriterionId} order, only those of {@link CriteriaTable} for the type
 * @param integrity     integrity counts
 * @param recovery      recovery observations
 * @param steps         a plan's steps (empty otherwise)
 * @param fault         what the run's message fault did (the proxy's counters), or null: none
 * @param reasons       why a verdict whose criteria pass is still inconclusive (e.g.
 *                      {@link Reason#FAULT_MATCHED_NOTHING}); empty otherwise
 */
public record Verdict(Status status, boolean isFinal, String id, String type, long evaluatedAtMs,
                      List<Criterion> criteria, Integrity integrity, Recovery recovery, List<Step> steps,
                      FaultCounters fault, List<Reason> reasons) {
    private static final ObjectMapper TREE = new ObjectMapper();

    /** Why the verdict is inconclusive beyond its criteria: an {@code id} for scripts and a sentence. */
    public record Reason(String id, String message) {
        /** The message fault matched no message during its whole window: it had no effect to judge. */
        public static final String FAULT_MATCHED_NOTHING = "fault_matched_nothing";

        public Reason {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Without a message fault and reasons. */
    public Verdict(Status status, boolean isFinal, String id, String type, long evaluatedAtMs,
                   List<Criterion> criteria, Integrity integrity, Recovery recovery, List<Step> steps) {
        this(status, isFinal, id, type, evaluatedAtMs, criteria, integrity, recovery, steps, null, List.of());
    }

    /** One step of a plan, as the plan's verdict lists it. */
    public record Step(String id, String type, Status status, boolean isFinal) {
        public Step {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(status, "status");
        }

        public static Step of(Verdict v) {
            return new Step(v.id(), v.type(), v.status(), v.isFinal());
        }
    }

    public Verdict {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        criteria = List.copyOf(criteria);
        Objects.requireNonNull(integrity, "integrity");
        Objects.requireNonNull(recovery, "recovery");
        steps = List.copyOf(steps);
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
        if (!isFinal && status != Status.PENDING) {
            throw new IllegalArgumentException("a verdict that is not final is pending, not " + status.json());
        }
        if (isFinal && status == Status.PENDING) {
            throw new IllegalArgumentException("a final verdict cannot be pending");
        }
    }

    public Optional<Criterion> criterion(CriterionId cid) {
        return criteria.stream().filter(c -> c.id() == cid).findFirst();
    }

    /** The same verdict with another status (e.g. inconclusive after a cap). */
    public Verdict withStatus(Status s, boolean asFinal) {
        return new Verdict(s, asFinal, id, type, evaluatedAtMs, criteria, integrity, recovery, steps, fault, reasons);
    }

    /** The ids of the failed criteria, in order. */
    public List<String> failedCriteria() {
        return criteria.stream().filter(Criterion::failed).map(c -> c.id().json()).toList();
    }

    /** verdict.json's text (pretty-printed, ends with a newline). */
    public String toJson() {
        return Codec.verdictToJson(this);
    }

    /**
     * The same document as {@link #toJson()}, as JSON values (String, Number, Boolean, null, List,
     * Map in key order): for a caller that embeds the verdict in a JSON body of its own.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> toMap() {
        return TREE.convertValue(Codec.verdictNode(this), LinkedHashMap.class);
    }

    /** Parses verdict.json's text; throws {@link IllegalArgumentException} naming the bad field. */
    public static Verdict parse(String json) {
        return Codec.verdictFromJson(json);
    }
}
