package io.stampede.loadgen.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.stampede.loadgen.DuplicateMode;
import io.stampede.loadgen.MessageShape;
import io.stampede.loadgen.internal.Counters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * What a coordinator and its load agents say to each other over NATS. Every message is one JSON
 * object (snake_case keys).
 *
 * <pre>
 *  coordinator                                   agent (NATS micro service {@value #SERVICE_NAME})
 *  $SRV.INFO.stampede-loadgen ─────────────────► info: id, name (metadata), endpoints
 *  stampede.loadgen.agent.&lt;id&gt;.start  ─request─► {@link Start}: its share, common start, controls → {@link Reply}
 *  stampede.loadgen.agent.&lt;id&gt;.change ─request─► {@link ControlState} (the whole state; idempotent) → {@link Reply}
 *  stampede.loadgen.agent.&lt;id&gt;.stop   ─request─► {} → {@link Reply}; the run ends, a last report follows
 *  &lt;report subject&gt; ◄────────────────────────── {@link Report} once a second, and once with last = true
 *  &lt;progress subject&gt; ◄──────────────────────── {@link Progress} every {@value #PROGRESS_PERIOD_MS} ms (and
 *                                                 right before the last report): originals handed, failed ones
 * </pre>
 *
 * A report carries the agent's cumulative counters and the lateness of that one interval as an
 * encoded HdrHistogram (µs, compressed, base64): the coordinator adds them ({@code Histogram.add}),
 * so merged percentiles are exact, never averaged.
 */
public final class AgentProtocol {
    public static final String SERVICE_NAME = "stampede-loadgen";
    public static final String SERVICE_VERSION = "0.1.0";
    /** Service metadata key holding the agent's name (unique per process by default). */
    public static final String META_NAME = "agent_name";
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    /**
     * How often an agent says how far it got: the coordinator's verifier expects an original once
     * its agent confirmed it, so this bounds how stale a window's count can be (and keeps the
     * verdict's sent rate smooth to within this much of a second).
     */
    public static final long PROGRESS_PERIOD_MS = 50;

    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private AgentProtocol() {}

    public static String endpointSubject(String instanceId, String endpoint) {
        return "stampede.loadgen.agent." + instanceId + "." + endpoint;
    }

    public static String reportSubject(String runId) {
        return "stampede.loadgen.run." + runId + ".report";
    }

    public static String progressSubject(String runId) {
        return "stampede.loadgen.run." + runId + ".progress";
    }

    /**
     * The live controls, as a whole: an agent makes its generator match it. {@code tags}: the
     * experiments of any type whose id originals carry in {@code Stampede-Experiment}
     * ({@code LoadGenerator.tag}), in the order tagged.
     */
    public record ControlState(long version, Map<String, Double> multipliers, Map<String, Duplicates> duplicates,
                               List<String> tags) {
        public static final ControlState NONE = new ControlState(0, Map.of(), Map.of(), List.of());

        public ControlState {
            multipliers = multipliers == null ? Map.of() : Map.copyOf(multipliers);
            duplicates = duplicates == null ? Map.of() : Map.copyOf(duplicates);
            tags = tags == null ? List.of() : List.copyOf(tags);
        }

        public ControlState withTag(String id, boolean on) {
            java.util.LinkedHashSet<String> n = new java.util.LinkedHashSet<>(tags);
            if (on) {
                n.add(id);
            } else {
                n.remove(id);
            }
            return new ControlState(version + 1, multipliers, duplicates, List.copyOf(n));
        }

        public ControlState withMultiplier(String id, Double m) {
            Map<String, Double> n = new LinkedHashMap<>(multipliers);
            if (m == null) {
                n.remove(id);
            } else {
                n.put(id, m);
            }
            return new ControlState(version + 1, n, duplicates, tags);
        }

        public ControlState withDuplicates(String id, Duplicates d) {
            Map<String, Duplicates> n = new LinkedHashMap<>(duplicates);
            if (d == null) {
                n.remove(id);
            } else {
                n.put(id, d);
            }
            return new ControlState(version + 1, multipliers, n, tags);
        }
    }

    public record Duplicates(double rate, long delayMs, DuplicateMode mode) {}

    /**
     * One agent's share of a run. {@code rate} is the whole run's; the agent sends rate / count.
     * {@code shape}: the system file's body, id header and fixed headers (null: the demo's signal).
     */
    public record Start(String runId, String runPrefix, int index, int count, double rate, double maxRate, Double durationS,
                        int payloadSize, String subject, List<String> symbols, String mode, int connections,
                        String waitStrategy, long startAtMs, String reportSubject, ControlState controls,
                        String progressSubject, MessageShape shape) {}

    /**
     * {@code scheduled}: after a start or change, the agent's originals scheduled so far (the index
     * j of the first that the controls just applied act on: the ring took the ones before); -1
     * when it has no run.
     */
    public record Reply(boolean ok, String error, String agentId, String name, long atMs, long scheduled) {}

    /**
     * How far an agent got: its originals j &lt; {@code handed} were handed to NATS or failed (the
     * failures since its previous progress are {@code failed}: pairs [from, to) of j, flattened),
     * {@code failedTotal} of them in all. {@code number} counts progress messages: a gap means
     * lost failures, and the coordinator says so.
     */
    public record Progress(String runId, String agentId, int index, long number, long handed, long[] failed,
                           long failedTotal, boolean last) {}

    public record Report(String runId, String agentId, String name, int index, long number, boolean last, long tsMs,
                         long scheduled, long sent, long duplicates, long buffered, long acked, long ackDuplicates,
                         long failed, long controlsVersion, String lateness) {}

    static byte[] write(Object o) {
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> T read(byte[] b, Class<T> type) {
        try {
            return JSON.readValue(b, type);
        } catch (IOException e) {
            throw new IllegalArgumentException("bad " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Compressed, base64: the form {@code HistogramLogWriter} uses, without the log line around it. */
    public static String encode(Histogram h) {
        ByteBuffer b = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(b);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(b.array(), n));
    }

    public static Histogram decode(String s) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(s)), Counters.HIGHEST_MICROS);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalArgumentException("bad histogram: " + e.getMessage(), e);
        }
    }
}
