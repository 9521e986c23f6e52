package io.stampede.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * Log correlation with Stampede's experiments. Work that carries the {@code Stampede-Experiment}
 * header (one or more experiment ids, comma-separated) is counted per experiment and outcome; once
 * a second, one summary line per experiment is logged with {@code _chaos_experiment_id} and
 * {@code _chaos_type} in the MDC, the keys the chaos API's own lines carry, so one grep for an
 * experiment id tells its story across services. Nothing is logged per message.
 */
public final class ExperimentLog implements AutoCloseable {
    public static final String HEADER = "Stampede-Experiment";
    public static final String MDC_ID = "_chaos_experiment_id";
    public static final String MDC_TYPE = "_chaos_type";
    /** {@code chaos_<type>_<digits>}; a type may itself contain underscores. */
    private static final Pattern ID = Pattern.compile("chaos_([a-z0-9_]+?)_(\\d+)");
    /** A header naming more experiments than this is truncated (the rest is not counted). */
    static final int MAX_IDS_PER_HEADER = 16;
    /** Experiments tracked at once; beyond that new ids are not counted until the next summary. */
    static final int MAX_TRACKED = 1024;

    private final Logger log;
    private final List<String> outcomes;
    private final Map<String, LongAdder[]> counts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;

    /** @param outcomes the outcome names counted; {@link #record} takes an index into them */
    public ExperimentLog(Logger log, String service, List<String> outcomes) {
        this.log = log;
        this.outcomes = List.copyOf(outcomes);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, service + "-experiment-log");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::flush, 1, 1, TimeUnit.SECONDS);
    }

    /** The experiment type in an id {@code chaos_<type>_<digits>}, or null when it is not one. */
    public static String typeOf(String experimentId) {
        Matcher m = ID.matcher(experimentId);
        return m.matches() ? m.group(1) : null;
    }

    /** Counts one piece of work for every experiment the header names (no-op for null). */
    public void record(String header, int outcome) {
        if (header == null || header.isEmpty()) {
            return;
        }
        int start = 0;
        for (int n = 0; n < MAX_IDS_PER_HEADER && start <= header.length(); n++) {
            int comma = header.indexOf(',', start);
            int end = comma < 0 ? header.length() : comma;
            String id = header.substring(start, end).trim();
            if (!id.isEmpty() && id.length() <= 200) {
                LongAdder[] c = counts.get(id);
                if (c == null && counts.size() < MAX_TRACKED) {
                    c = counts.computeIfAbsent(id, k -> newCounters());
                }
                if (c != null) {
                    c[outcome].increment();
                }
            }
            if (comma < 0) {
                break;
            }
            start = comma + 1;
        }
    }

    private LongAdder[] newCounters() {
        LongAdder[] c = new LongAdder[outcomes.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = new LongAdder();
        }
        return c;
    }

    /** One line per experiment seen since the last summary; experiments with nothing new are dropped. */
    void flush() {
        try {
            for (String id : new ArrayList<>(counts.keySet())) {
                LongAdder[] c = counts.get(id);
                long[] v = new long[c.length];
                long total = 0;
                for (int i = 0; i < c.length; i++) {
                    v[i] = c[i].sumThenReset();
                    total += v[i];
                }
                if (total == 0) {
                    counts.remove(id, c);
                    continue;
                }
                StringBuilder sb = new StringBuilder("experiment traffic in the last second:");
                for (int i = 0; i < v.length; i++) {
                    sb.append(' ').append(outcomes.get(i)).append('=').append(v[i]);
                }
                String type = typeOf(id);
                try (var a = MDC.putCloseable(MDC_ID, id); var b = type == null ? null : MDC.putCloseable(MDC_TYPE, type)) {
                    log.info(sb.toString());
                }
            }
        } catch (RuntimeException e) {
            log.warn("experiment log summary failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        flush();
    }
}
