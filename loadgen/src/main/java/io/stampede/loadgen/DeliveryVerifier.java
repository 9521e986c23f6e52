package io.stampede.loadgen;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import io.stampede.loadgen.internal.AtomicBitSet;
import io.stampede.loadgen.internal.Counters;
import io.stampede.loadgen.internal.EpochClock;
import io.stampede.loadgen.internal.Saturating;
import io.stampede.loadgen.internal.SentListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Matches outcomes (e.g. the demo agent's decisions) to the ids a run sent, and counts delivered,
 * lost (no outcome within the grace period) and duplicated (more than one outcome for an id).
 *
 * <p>Memory is three bit sets over sequence numbers (sent, delivered, seen twice): 10^7 messages
 * cost 3.75 MiB whatever the id length, because ids are {@code <run prefix>-<sequence>} (see
 * {@link SignalIds}). End-to-end latency is outcome arrival minus the {@code sent_at} the outcome
 * copied from its signal (the intended send time, so a stall counts in full), in microseconds.
 *
 * <p>Lost is kept up to date while the run goes on: once a second {@link #tick()} notes how far
 * sending got; sequence numbers sent more than {@code grace} ago without an outcome count as lost,
 * and move back to delivered if their outcome arrives later. {@link #finish(Duration)} gives the
 * final count.
 *
 * <p>Retention: each tick, segments of the bit sets lying entirely below both the scanned
 * (past-grace) point and {@code newest sent − retainedMessages} are released (see {@link
 * VerifierConfig#retainedMessages()}), so memory stays bounded over a long run; the lost ids they
 * held are kept as a count. The public counts stay exact: everything inside the window is matched
 * per id; an outcome for a released id is counted as {@code untracked}.
 *
 * <p>Shared schedules ({@link #forShares}): a coordinator's verifier for {@code n} load agents,
 * where agent k's j-th original has sequence number {@code j·n + k} ({@link ScheduleShare}). It is
 * not told before each publish (the agents publish in other processes) but afterwards, by each
 * agent's progress reports ({@link #confirm}: "my originals j &lt; h were handed to NATS", and
 * {@link #failed} for the ones that were not). An outcome for an original not confirmed yet is
 * counted delivered and classified when its agent's progress arrives (so it is never called
 * unexpected only because the outcome was faster than the report). {@link #sentUpTo()} is then the
 * point below which every agent has reported; an agent that went missing ({@link #shareMissing})
 * is left out of it, and outcomes for the originals it may have sent after its last report count
 * as {@code unreported}, not as delivered, unexpected or lost.
 */
public final class DeliveryVerifier implements SentListener, AutoCloseable {
    private final VerifierConfig cfg;
    private final byte[] prefix;
    private final byte[] idKey;
    private final byte[] sentAtKey;
    /** Dotted paths (a system file's json:a.b): read with a JSON parser, not the one-key byte scan. */
    private final String[] idPath;
    private final String[] sentAtPath;
    private final AtomicBitSet sent;
    private final AtomicBitSet delivered;
    private final AtomicBitSet twice;
    /** Ids whose later outcome carried Nats-Msg-Id: a republish the output stream keeps once. */
    private final AtomicBitSet republishedBits;
    private final LongAdder republished = new LongAdder();
    private final AtomicLong sentUpTo = new AtomicLong();
    private final LongAdder expected = new LongAdder();
    private final LongAdder deliveredCount = new LongAdder();
    private final LongAdder duplicated = new LongAdder();
    private final LongAdder extra = new LongAdder();
    private final LongAdder unexpected = new LongAdder();
    private final LongAdder foreign = new LongAdder();
    private final LongAdder lateRecovered = new LongAdder();
    private final LongAdder untracked = new LongAdder();
    /** Guards the bit sets against a release in the middle of matching one outcome (never contended but once a tick). */
    private final Object bits = new Object();
    /** Lost ids in released segments, frozen at release; guarded by {@code this}. */
    private long lostReleased;
    private volatile long releasedBelow;
    private final Recorder e2e = new Recorder(Counters.HIGHEST_MICROS, 3);
    private final Histogram e2eCumulative = new Histogram(Counters.HIGHEST_MICROS, 3);
    private Histogram e2eInterval;
    /** Outcomes finish() took from the recorder that no tick() has returned yet; guarded by this. */
    private Histogram unreported;
    private final ArrayDeque<long[]> checkpoints = new ArrayDeque<>();
    private volatile long scannedUpTo;
    private volatile long lostSoFar;
    private volatile boolean finished;
    private volatile LatencySummary e2eSummary = LatencySummary.EMPTY;
    private final String prefixString;
    /** Shared-schedule mode (see the class comment): originals are confirmed by progress reports, not sending(). */
    private final boolean reported;
    private final int shares;
    /** Per share: originals j &lt; horizon[k] are confirmed (sent or failed). Guarded by {@code bits}. */
    private final long[] horizon;
    /** Per share: OPEN, DONE (finished: nothing beyond its horizon was sent) or MISSING. Guarded by {@code bits}. */
    private final byte[] shareState;
    private static final byte OPEN = 0;
    private static final byte DONE = 1;
    private static final byte MISSING = 2;
    /** Highest sequence number with an outcome not yet confirmed by its agent (-1: none). Guarded by {@code bits}. */
    private long maxPendingOutcome = -1;
    private final LongAdder unreportedOutcomes = new LongAdder();
    private volatile java.util.function.Supplier<long[]> marker;
    private Connection conn;
    private volatile Dispatcher dispatcher;

    public DeliveryVerifier(VerifierConfig cfg, String runPrefix) {
        this(cfg, runPrefix, false, 1);
    }

    /**
     * A verifier for a schedule shared by {@code shares} load agents (a coordinator's): originals
     * are expected as the agents confirm them ({@link #confirm}), see the class comment.
     */
    public static DeliveryVerifier forShares(VerifierConfig cfg, String runPrefix, int shares) {
        if (shares < 1) {
            throw new IllegalArgumentException("shares must be >= 1");
        }
        return new DeliveryVerifier(cfg, runPrefix, true, shares);
    }

    private DeliveryVerifier(VerifierConfig cfg, String runPrefix, boolean reported, int shares) {
        this.reported = reported;
        this.shares = shares;
        this.horizon = new long[shares];
        this.shareState = new byte[shares];
        this.cfg = cfg;
        this.prefix = runPrefix.getBytes(StandardCharsets.US_ASCII);
        this.prefixString = runPrefix;
        this.idKey = ("\"" + cfg.idKey() + "\"").getBytes(StandardCharsets.US_ASCII);
        this.sentAtKey = cfg.sentAtField() == null ? null : ("\"" + cfg.sentAtField() + "\"").getBytes(StandardCharsets.US_ASCII);
        this.idPath = cfg.idSource() == IdSource.JSON_FIELD && cfg.idKey().contains(".") ? cfg.idKey().split("\\.") : null;
        this.sentAtPath = cfg.sentAtField() != null && cfg.sentAtField().contains(".") ? cfg.sentAtField().split("\\.") : null;
        int seg = cfg.segmentBitsLog2();
        this.sent = new AtomicBitSet(cfg.maxMessages(), seg);
        this.delivered = new AtomicBitSet(cfg.maxMessages(), seg);
        this.twice = new AtomicBitSet(cfg.maxMessages(), seg);
        this.republishedBits = new AtomicBitSet(cfg.maxMessages(), seg);
    }

    /** Subscribes on its own connection (so outcomes never queue behind the publisher's writes). */
    public DeliveryVerifier start(String natsUrl) throws IOException, InterruptedException {
        Options o = Options.builder().server(natsUrl).connectionName("stampede-verifier").maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(250)).errorListener(new ErrorListener() { }).build();
        conn = Nats.connect(o);
        Dispatcher d = conn.createDispatcher(this::onMessage);
        d.setPendingLimits(-1, 512L << 20);
        if (cfg.stream() != null) {
            subscribeStream(d);
        } else {
            d.subscribe(cfg.subject());
        }
        dispatcher = d;
        try {
            conn.flush(Duration.ofSeconds(5)); // the subscription is live before the first publish
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("verifier subscription not confirmed by the server", e);
        }
        return this;
    }

    /**
     * One ordered push consumer (new messages only, no acks) per subject of the stream: what the
     * stream stored, so an outcome its duplicate window dropped is never seen twice here.
     */
    private void subscribeStream(Dispatcher d) throws IOException {
        try {
            io.nats.client.api.StreamInfo info = conn.jetStreamManagement().getStreamInfo(cfg.stream());
            io.nats.client.JetStream js = conn.jetStream();
            for (String subject : info.getConfiguration().getSubjects()) {
                js.subscribe(subject, d, this::onMessage, false, io.nats.client.PushSubscribeOptions.builder()
                        .stream(cfg.stream()).ordered(true)
                        .configuration(io.nats.client.api.ConsumerConfiguration.builder()
                                .deliverPolicy(io.nats.client.api.DeliverPolicy.New).build())
                        .build());
            }
        } catch (io.nats.client.JetStreamApiException e) {
            throw new IOException("outcome stream " + cfg.stream() + ": " + e.getMessage(), e);
        }
    }

    private void onMessage(Message m) {
        onOutcome(m.getData(), m.getHeaders());
    }

    /** One outcome. Public so tests (and other transports) can feed outcomes directly. */
    public void onOutcome(byte[] body, Headers headers) {
        long seq;
        if (cfg.idSource() == IdSource.HEADER) {
            String id = headers == null ? null : headers.getFirst(cfg.idKey());
            seq = id == null ? -1 : SignalIds.parse(prefixString, id);
        } else {
            seq = idFromJson(body);
        }
        if (seq < 0 || seq >= sent.capacity()) {
            foreign.increment();
            return;
        }
        if (seq < releasedBelow) {
            untracked.increment(); // its state is gone: cannot tell a first outcome from a second
            return;
        }
        synchronized (bits) {
            if (seq < releasedBelow) {
                untracked.increment();
                return;
            }
            // shared schedules: is this original confirmed by its agent yet?
            boolean pending = false;
            if (reported) {
                int k = (int) (seq % shares);
                if (seq / shares >= horizon[k]) {
                    if (shareState[k] == MISSING) {
                        unreportedOutcomes.increment(); // its agent may have sent it after its last report: unknown
                        return;
                    }
                    pending = shareState[k] == OPEN; // classified when its agent confirms it
                    if (pending && seq > maxPendingOutcome) {
                        maxPendingOutcome = seq;
                    }
                }
            }
            if (delivered.getAndSet(seq)) {
                // read from the stream, a second stored outcome is one the stream did not drop: always
                // duplicated; on a core subject a republish with Nats-Msg-Id may be one the stream drops
                if (cfg.stream() == null && headers != null && headers.getFirst("Nats-Msg-Id") != null && !twice.get(seq)) {
                    // the same Nats-Msg-Id again: a stream with a duplicate window stores it once
                    // (the demo agent republishes after a crash between publish and its KV write)
                    if (!republishedBits.getAndSet(seq) && sent.get(seq)) {
                        republished.increment(); // ids, as range() counts them: a third outcome is not a second republish
                    }
                    return;
                }
                extra.increment();
                if (!twice.getAndSet(seq)) {
                    duplicated.increment();
                }
                return;
            }
            deliveredCount.increment();
            if (pending) {
                // neither unexpected nor late yet: its agent's next progress report says
            } else if (!sent.get(seq)) {
                unexpected.increment();
            } else if (seq < scannedUpTo) {
                lateRecovered.increment(); // counted lost by an earlier tick, arrived after the grace period
            }
        }
        long sentAt = sentAtKey == null ? 0 : sentAtPath != null ? JsonPaths.number(body, sentAtPath) : numberField(body, sentAtKey);
        if (sentAt > 0) {
            long micros = EpochClock.nowEpochMicros() - sentAt;
            e2e.recordValue(Math.max(0, Math.min(micros, Counters.HIGHEST_MICROS)));
        }
    }

    /** An original is about to be handed to NATS. */
    @Override
    public void sending(long seq) {
        if (reported || seq < 0 || seq >= sent.capacity()) {
            return;
        }
        // a released segment (only far behind the newest sent id) reports "already set": not counted twice
        if (sent.getAndSetTracked(seq) == 0) {
            expected.increment();
        }
        sentUpTo.accumulateAndGet(seq + 1, Math::max);
    }

    /** The hand-over (or its JetStream ack) failed: the id is not expected any more. */
    @Override
    public void failed(long seq) {
        synchronized (bits) {
            if (seq >= 0 && seq >= releasedBelow && sent.getAndClear(seq)) {
                expected.decrement();
                if (delivered.get(seq)) {
                    unexpected.increment(); // its outcome came although NATS refused it (or its ack failed)
                }
            }
        }
    }

    // ---- shared schedules (load agents) ------------------------------------------------------

    /**
     * Agent {@code share} handed its originals j &lt; {@code handed} to NATS (or failed them, which
     * {@link #failed} says next): they are expected from now on. Cumulative and idempotent; ignored
     * for a share that finished or went missing.
     */
    public void confirm(int share, long handed) {
        requireShared();
        synchronized (bits) {
            long from = horizon[share];
            if (handed <= from || shareState[share] != OPEN) {
                return;
            }
            long added = 0;
            long seq = from * shares + share;
            for (long j = from; j < handed && seq < sent.capacity(); j++, seq += shares) {
                if (seq >= releasedBelow && sent.getAndSetTracked(seq) == 0) {
                    added++;
                }
            }
            expected.add(added);
            horizon[share] = handed;
            advanceSentUpTo();
        }
    }

    /** Agent {@code share} finished: it sent nothing beyond its confirmed originals (an outcome there is unexpected). */
    public void shareDone(int share) {
        requireShared();
        synchronized (bits) {
            if (shareState[share] != OPEN) {
                return;
            }
            shareState[share] = DONE;
            for (long seq = horizon[share] * shares + share; seq <= maxPendingOutcome; seq += shares) {
                if (seq >= releasedBelow && delivered.get(seq)) {
                    unexpected.increment();
                }
            }
            advanceSentUpTo();
        }
    }

    /**
     * Agent {@code share} stopped reporting: what it sent after its last confirmed original is
     * unknown, so outcomes for those ids (already here or later) count as {@code unreported} and
     * the ids are neither expected nor lost. It stays so if the agent reports again.
     */
    public void shareMissing(int share) {
        requireShared();
        synchronized (bits) {
            if (shareState[share] == MISSING) {
                return;
            }
            shareState[share] = MISSING;
            for (long seq = horizon[share] * shares + share; seq <= maxPendingOutcome; seq += shares) {
                if (seq >= releasedBelow && delivered.getAndClear(seq)) {
                    deliveredCount.decrement();
                    unreportedOutcomes.increment();
                    if (twice.getAndClear(seq)) {
                        duplicated.decrement();
                    }
                }
            }
            advanceSentUpTo();
        }
    }

    /** Confirmed originals of {@code share} so far (j &lt; this). */
    public long confirmed(int share) {
        synchronized (bits) {
            return horizon[share];
        }
    }

    /**
     * sentUpTo = the lowest unconfirmed sequence number of a share still reporting (every id below
     * it is known); with none left, one past the highest confirmed. Caller holds {@code bits}.
     */
    private void advanceSentUpTo() {
        long open = Long.MAX_VALUE;
        long max = 0;
        for (int k = 0; k < shares; k++) {
            long next = horizon[k] * shares + k;
            if (shareState[k] == OPEN) {
                open = Math.min(open, next);
            }
            if (horizon[k] > 0) {
                max = Math.max(max, next - shares + 1);
            }
        }
        long upTo = open == Long.MAX_VALUE ? max : open;
        sentUpTo.accumulateAndGet(upTo, Math::max);
    }

    private void requireShared() {
        if (!reported) {
            throw new IllegalStateException("not a shared-schedule verifier (DeliveryVerifier.forShares)");
        }
    }

    /** Same as {@link #sending(long)}, for feeding the verifier directly. */
    public void sent(long seq) {
        sending(seq);
    }

    /**
     * Called once a second by the stats ticker: advances the lost count over sequence numbers sent
     * more than the grace period ago, and returns this interval's e2e histogram (reused next call).
     */
    public synchronized Histogram tick() {
        long now = System.nanoTime();
        checkpoints.addLast(new long[] {sentUpTo.get(), now});
        long graceNanos = Saturating.nanos(cfg.grace()); // a grace of centuries must not throw every tick
        while (!checkpoints.isEmpty() && now - checkpoints.peekFirst()[1] >= graceNanos) {
            long upTo = checkpoints.pollFirst()[0];
            if (upTo > scannedUpTo) {
                lostSoFar += sent.countAndNot(delivered, scannedUpTo, upTo);
                scannedUpTo = upTo;
            }
        }
        release();
        e2eInterval = e2e.getIntervalHistogram(e2eInterval);
        e2eCumulative.add(e2eInterval);
        e2eSummary = LatencySummary.of(e2eCumulative);
        if (unreported != null) {
            e2eInterval.add(unreported); // taken by finish(): reported in this interval, counted once above
            unreported = null;
        }
        return e2eInterval;
    }

    /**
     * Releases the segments entirely below min(scanned, newest sent − retained): their lost count
     * is already in {@code lostSoFar} (minus late recoveries), and is frozen in {@code lostReleased}
     * for the final count. Caller holds {@code this}.
     */
    private void release() {
        long bound = Math.min(scannedUpTo, sentUpTo.get() - cfg.retainedMessages());
        long seg = sent.chunkBits();
        long target = bound <= 0 ? 0 : bound - bound % seg;
        if (target <= releasedBelow) {
            return;
        }
        synchronized (bits) {
            lostReleased += sent.countAndNot(delivered, releasedBelow, target);
            releasedBelow = target; // outcomes check this first: none touches a segment being released
            sent.releaseBelow(target);
            delivered.releaseBelow(target);
            twice.releaseBelow(target);
            republishedBits.releaseBelow(target);
        }
    }

    /**
     * What the ids in [from, to) came to so far: an experiment answers for the baseline originals
     * sent during its window. {@code missing} are sent ids with no outcome yet (overdue while they
     * may still come); {@code released} is non-zero when part of the range left the retention window.
     */
    public record RangeCounts(long expected, long delivered, long missing, long duplicated, long republished,
                              long unexpected, boolean released) {}

    public RangeCounts range(long from, long to) {
        long lo = Math.max(0, from);
        long hi = reported ? Math.min(to, sent.capacity()) : Math.min(to, sentUpTo.get());
        if (hi <= lo) {
            return new RangeCounts(0, 0, 0, 0, 0, 0, from < releasedBelow);
        }
        synchronized (bits) {
            long known = Math.min(hi, sentUpTo.get());
            long[] c = new long[7];
            if (known > lo) {
                long expectedIn = sent.count(lo, known);
                long deliveredIn = sent.countAnd(delivered, lo, known);
                c[0] = expectedIn;
                c[1] = deliveredIn;
                c[2] = expectedIn - deliveredIn;
                c[3] = twice.countAnd(sent, lo, known);
                c[4] = republishedBits.countAnd(sent, lo, known);
                c[5] = delivered.countAndNot(sent, lo, known);
            }
            // shared schedules only: ids above what every agent confirmed, one by one (a report's worth)
            for (long seq = Math.max(lo, known); seq < hi; seq++) {
                classify(seq, c, 1);
            }
            return new RangeCounts(c[0], c[1], c[2], c[3], c[4], c[5], lo < releasedBelow || c[6] > 0);
        }
    }

    /**
     * Adds ({@code sign} 1) or removes (-1) one id's share of a range count: expected, delivered,
     * missing, duplicated, republished, unexpected, released. An original its agent has not
     * confirmed yet counts as expected and missing (overdue); one a missing agent may have sent
     * after its last report counts nowhere. Caller holds {@code bits}.
     */
    private void classify(long seq, long[] c, int sign) {
        if (seq < releasedBelow) {
            c[6]++;
            return;
        }
        if (reported) {
            int k = (int) (seq % shares);
            if (seq / shares >= horizon[k]) {
                if (shareState[k] == OPEN) {
                    c[0] += sign;
                    c[2] += sign;
                    return;
                }
                if (shareState[k] == MISSING) {
                    return;
                }
            }
        }
        boolean s = sent.get(seq);
        boolean d = delivered.get(seq);
        if (s) {
            c[0] += sign;
            c[d ? 1 : 2] += sign;
            if (twice.get(seq)) {
                c[3] += sign;
            }
            if (republishedBits.get(seq)) {
                c[4] += sign;
            }
        } else if (d) {
            c[5] += sign;
        }
    }

    /**
     * A point in the run's sequence space: per share, the index j of its next original (one
     * share: the next sequence number). A window [from, to) of marks holds, per share k, its
     * originals j with {@code from[k] <= j < to[k]}: with interleaved agents the window follows
     * each agent's own progress, so no agent's originals are cut by another's timing.
     */
    public record Mark(long[] next) {
        public Mark {
            next = next.clone();
        }

        public long next(int share) {
            return next[share];
        }

        public int shares() {
            return next.length;
        }
    }

    /**
     * Where sending is now. One process: {@link #sentUpTo()}. Shared schedules: each agent's next
     * original as the marker says ({@link #marker}: the coordinator asks the agents, a short
     * request round, so call it off event loops), or what they confirmed without one.
     */
    public Mark mark() {
        if (!reported) {
            return new Mark(new long[] {sentUpTo.get()});
        }
        java.util.function.Supplier<long[]> m = marker;
        long[] at = m == null ? null : m.get();
        if (at == null) {
            synchronized (bits) {
                at = horizon.clone();
            }
        }
        return new Mark(at);
    }

    /** Shared schedules: who tells {@link #mark()} where each agent is (the coordinator). */
    public void marker(java.util.function.Supplier<long[]> m) {
        this.marker = m;
    }

    /** What the ids of the window [from, to) came to so far; {@code to} null: up to what is confirmed now. */
    public RangeCounts range(Mark from, Mark to) {
        if (!reported) {
            return range(from.next(0), to == null ? sentUpTo.get() : to.next(0));
        }
        long[] hiJ;
        synchronized (bits) {
            hiJ = to == null ? horizon.clone() : to.next;
        }
        long[] loJ = from.next;
        long lo = Long.MAX_VALUE;
        long hi = 0;
        for (int k = 0; k < shares; k++) {
            lo = Math.min(lo, loJ[k]);
            hi = Math.max(hi, Math.max(loJ[k], hiJ[k]));
        }
        if (hi <= lo) {
            return new RangeCounts(0, 0, 0, 0, 0, 0, false);
        }
        // every share's originals j in [lo, hi) as one contiguous range, minus each share's edges
        RangeCounts all = range(lo * shares, hi * shares);
        long[] c = {all.expected(), all.delivered(), all.missing(), all.duplicated(), all.republished(), all.unexpected(),
            all.released() ? 1 : 0};
        synchronized (bits) {
            for (int k = 0; k < shares; k++) {
                long a = Math.max(lo, Math.min(loJ[k], hi));
                long b = Math.max(a, Math.min(hiJ[k], hi));
                // a missing agent's originals beyond its horizon count nowhere: no need to visit them
                long cap = shareState[k] == MISSING ? Math.min(hi, horizon[k]) : hi;
                for (long j = lo; j < Math.min(a, cap); j++) {
                    classify(j * shares + k, c, -1);
                }
                for (long j = b; j < cap; j++) {
                    classify(j * shares + k, c, -1);
                }
            }
        }
        return new RangeCounts(c[0], c[1], c[2], c[3], c[4], c[5], c[6] > 0);
    }

    /** One past the highest sequence number handed to NATS so far. */
    public long sentUpTo() {
        return sentUpTo.get();
    }

    /**
     * Ids of this run decided again with a Nats-Msg-Id (a republish the output stream keeps once),
     * each id once: the whole-run count of what {@link RangeCounts#republished()} counts in a range
     * (kept as a count, so ids in released segments stay counted).
     */
    public long republished() {
        return republished.sum();
    }

    /** Bytes held by the three bit sets now (bounded by the retention window). */
    public long retainedBytes() {
        return sent.allocatedBytes() + delivered.allocatedBytes() + twice.allocatedBytes() + republishedBits.allocatedBytes();
    }

    /** Live segments of the three bit sets together, and the bits per segment. */
    public int retainedSegments() {
        return sent.liveChunks() + delivered.liveChunks() + twice.liveChunks() + republishedBits.liveChunks();
    }

    public long segmentBits() {
        return sent.chunkBits();
    }

    public VerifierStats stats() {
        long lost = finished ? lostSoFar : Math.max(0, lostSoFar - lateRecovered.sum());
        return new VerifierStats(expected.sum(), deliveredCount.sum(), lost, duplicated.sum(), extra.sum(),
                unexpected.sum(), foreign.sum(), dropped(), e2eSummary, finished, untracked.sum(), releasedBelow,
                unreportedOutcomes.sum());
    }

    /**
     * After sending stopped: waits until every sent id has an outcome or {@code grace} passed,
     * then fixes the final lost count.
     */
    public VerifierStats finish(Duration grace) throws InterruptedException {
        long deadline = Saturating.add(System.nanoTime(), Saturating.nanos(grace));
        while (System.nanoTime() < deadline && deliveredOfSent() < expected.sum()) {
            Thread.sleep(20);
        }
        synchronized (this) {
            long upTo = sentUpTo.get();
            lostSoFar = lostReleased + sent.countAndNot(delivered, releasedBelow, upTo);
            scannedUpTo = upTo;
            finished = true;
            e2eInterval = e2e.getIntervalHistogram(e2eInterval);
            e2eCumulative.add(e2eInterval);
            e2eSummary = LatencySummary.of(e2eCumulative);
            // not returned by a tick yet: the next tick() returns it, so the e2e series misses nothing
            if (unreported == null) {
                unreported = e2eInterval.copy();
            } else {
                unreported.add(e2eInterval);
            }
        }
        return stats();
    }

    private long dropped() {
        Dispatcher d = dispatcher;
        return d == null ? 0 : d.getDroppedCount();
    }

    private long deliveredOfSent() {
        return deliveredCount.sum() - unexpected.sum();
    }

    /** Cumulative end-to-end histogram (a copy). */
    public synchronized Histogram e2eHistogram() {
        return e2eCumulative.copy();
    }

    /** Finds {@code "<key>" : "<id>"} at the top level and parses the id; -1 if absent. */
    private long idFromJson(byte[] b) {
        if (idPath != null) {
            String id = JsonPaths.text(b, idPath);
            return id == null ? -1 : SignalIds.parse(prefixString, id);
        }
        int v = valueStart(b, idKey);
        if (v < 0 || v >= b.length || b[v] != '"') {
            return -1;
        }
        int from = v + 1;
        int to = from;
        while (to < b.length && b[to] != '"') {
            to++;
        }
        return to < b.length ? SignalIds.parse(prefix, b, from, to) : -1;
    }

    private static long numberField(byte[] b, byte[] key) {
        int v = valueStart(b, key);
        if (v < 0) {
            return -1;
        }
        long n = 0;
        int digits = 0;
        while (v < b.length && b[v] >= '0' && b[v] <= '9') {
            n = n * 10 + (b[v++] - '0');
            digits++;
        }
        return digits == 0 ? -1 : n;
    }

    /** Index of the first non-blank byte after {@code key :}, or -1. Keys are matched as quoted strings. */
    private static int valueStart(byte[] b, byte[] key) {
        outer:
        for (int i = 0; i <= b.length - key.length; i++) {
            for (int j = 0; j < key.length; j++) {
                if (b[i + j] != key[j]) {
                    continue outer;
                }
            }
            int k = i + key.length;
            while (k < b.length && isBlank(b[k])) {
                k++;
            }
            if (k >= b.length || b[k] != ':') {
                continue; // the quoted text was a value, not a key
            }
            k++;
            while (k < b.length && isBlank(b[k])) {
                k++;
            }
            return k;
        }
        return -1;
    }

    private static boolean isBlank(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    @Override
    public void close() {
        if (conn != null) {
            try {
                conn.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
