package io.stampede.loadgen.internal;

import com.lmax.disruptor.EventHandler;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.stampede.loadgen.DuplicateMode;
import io.stampede.loadgen.PublishMode;
import io.stampede.loadgen.SignalIds;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The consumer side of the ring: one per NATS connection, each taking every n-th slot. Waits until
 * the event is due, publishes its body (written by the pacer thread; when unpaced, written here);
 * records lateness
 * (publish time minus intended time) and counts every outcome (sent, buffered, failed; acks in
 * JetStream mode).
 *
 * <p>Core mode allocates nothing of its own per original (jnats does: see the benchmark).
 * Allocations per message happen where an id must become a String: JetStream mode, duplicates,
 * and core mode while a STREAM duplicate experiment needs {@code Nats-Msg-Id} on originals.
 */
public final class Publisher implements EventHandler<SendEvent> {
    private final int index;
    private final int count;
    private final Connection conn;
    private final JetStream js;
    private final ConnectionState state;
    private final PayloadTemplate template;
    private long accepted;
    private final long[] slotState;
    private final String[] subjects;
    private final String runPrefix;
    private final PublishMode mode;
    private final Counters total;
    private final SentListener listener;
    private final Semaphore outstanding;
    private final int maxOutstanding;
    private final Pacer waiter;
    private final boolean unpaced;
    /** Non-null when this thread fills bodies itself (unpaced: no third busy thread). */
    private final PayloadFiller filler;
    /** The system file's fixed headers and id header; without them originals share one read-only header object. */
    private final io.stampede.loadgen.MessageShape shape;
    private boolean failing;

    public Publisher(int index, int count, Connection conn, ConnectionState state, PayloadTemplate template, String[] subjects,
                     String runPrefix, PublishMode mode, Counters total, SentListener listener, int maxOutstandingAcks,
                     Pacer waiter, boolean unpaced, long[] slotState, PayloadFiller fillsHere,
                     io.stampede.loadgen.MessageShape shape) {
        this.shape = shape;
        this.slotState = slotState;
        this.filler = fillsHere;
        this.waiter = waiter;
        this.unpaced = unpaced;
        this.index = index;
        this.count = count;
        this.conn = conn;
        this.state = state;
        this.template = template;
        this.subjects = subjects;
        this.runPrefix = runPrefix;
        this.mode = mode;
        this.total = total;
        this.listener = listener;
        this.outstanding = new Semaphore(maxOutstandingAcks);
        this.maxOutstanding = maxOutstandingAcks;
        JetStream j = null;
        if (mode == PublishMode.JETSTREAM) {
            try {
                j = conn.jetStream();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        this.js = j;
    }

    /** JetStream publishes still waiting for their ack. */
    public int outstandingAcks() {
        return maxOutstanding - outstanding.availablePermits();
    }

    @Override
    public void onEvent(SendEvent ev, long sequence, boolean endOfBatch) {
        if (count > 1 && (sequence % count) != index) {
            return;
        }
        final boolean dup = ev.duplicate;
        final ActiveSet.Duplicates dupOf = ev.duplicateOf;
        final Counters[] exps = dup ? null : ev.active.originalCounters();
        if (!unpaced) {
            // events arrive up to PacerLoop.LOOKAHEAD_NANOS early: send each when due
            long now = System.nanoTime();
            if (now < ev.intendedNanos) {
                waiter.awaitUntil(ev.intendedNanos, null, null);
                now = System.nanoTime();
            }
            final long late = now - ev.intendedNanos;
            total.recordLatenessNanos(late);
            if (dup) {
                dupOf.counters().recordLatenessNanos(late);
            } else {
                for (Counters c : exps) {
                    c.recordLatenessNanos(late);
                }
            }
        }
        final boolean connected = state.connected();
        if (failing && !connected) {
            // the client already refused a message and the server is still away: count, do not block again
            // (when this thread fills, the event has no body yet and poolSlot is a previous message's)
            if (filler == null && ev.poolSlot >= 0) {
                slotState[ev.poolSlot] = -1;
            }
            fail(dup, dupOf, exps);
            if (!dup) {
                listener.failed(ev.seq); // never announced with sending(): a verifier ignores it, an agent's ledger reports it
            }
            return;
        }
        if (filler != null) {
            filler.fill(ev, sequence, ev.seq, ev.sentAtNanos);
        }
        byte[] body = ev.payload;
        String subject = subjects[ev.symbol];
        if (!dup) {
            listener.sending(ev.seq);
        }
        try {
            if (mode == PublishMode.CORE) {
                conn.publish(subject, headersFor(ev, dup, dupOf), body);
            } else {
                publishJetStream(ev, dup, dupOf, exps, subject, body);
            }
            if (ev.poolSlot >= 0) {
                slotState[ev.poolSlot] = accepted; // read by the pacer when the slot comes round again
            }
            accepted++;
            failing = false;
        } catch (IllegalStateException | InterruptedException e) {
            // queue full, reconnect buffer full, or closed: jnats did not take the message
            failing = true;
            if (ev.poolSlot >= 0) {
                slotState[ev.poolSlot] = -1; // jnats never took it
            }
            fail(dup, dupOf, exps);
            if (!dup) {
                listener.failed(ev.seq);
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        if (dup) {
            dupOf.counters().duplicates.increment();
            total.duplicates.increment();
        } else {
            total.sent.increment();
            for (Counters c : exps) {
                c.sent.increment();
            }
        }
        if (!connected) {
            total.buffered.increment();
            if (dup) {
                dupOf.counters().buffered.increment();
            } else {
                for (Counters c : exps) {
                    c.buffered.increment();
                }
            }
        }
    }

    private void fail(boolean dup, ActiveSet.Duplicates dupOf, Counters[] exps) {
        total.failed.increment();
        if (dup) {
            dupOf.counters().failed.increment();
        } else {
            for (Counters c : exps) {
                c.failed.increment();
            }
        }
    }

    private Headers headersFor(SendEvent ev, boolean dup, ActiveSet.Duplicates dupOf) {
        ActiveSet a = ev.active;
        if (dup) {
            Headers h = new Headers();
            String id = SignalIds.format(runPrefix, ev.seq);
            h.put(dupOf.mode() == DuplicateMode.STREAM ? HeaderNames.NATS_MSG_ID : HeaderNames.MESSAGE_ID, id);
            h.put(HeaderNames.DUPLICATE, dupOf.experimentId());
            h.put(HeaderNames.EXPERIMENT, dupOf.experimentId());
            return shaped(h, ev.seq);
        }
        if (a.duplicate() != null && a.duplicate().mode() == DuplicateMode.STREAM) {
            // the stream can only drop a duplicate if the original had the same Nats-Msg-Id
            Headers h = a.originalHeaders() == null ? new Headers() : new Headers(a.originalHeaders());
            h.put(HeaderNames.NATS_MSG_ID, SignalIds.format(runPrefix, ev.seq));
            return shaped(h, ev.seq);
        }
        if (shape.hasHeaders()) {
            return shaped(a.originalHeaders() == null ? new Headers() : new Headers(a.originalHeaders()), ev.seq);
        }
        return a.originalHeaders();
    }

    /** Adds the fixed headers and, when the id travels in a header, the id (a duplicate carries the same). */
    private Headers shaped(Headers h, long seq) {
        if (!shape.hasHeaders()) {
            return h;
        }
        shape.headers().forEach(h::put);
        if (shape.idHeader() != null) {
            h.put(shape.idHeader(), SignalIds.format(runPrefix, seq));
        }
        return h;
    }

    private void publishJetStream(SendEvent ev, boolean dup, ActiveSet.Duplicates dupOf, Counters[] exps, String subject,
                                  byte[] body) throws InterruptedException {
        String id = SignalIds.format(runPrefix, ev.seq);
        Headers h;
        PublishOptions po = null;
        if (dup) {
            h = new Headers();
            h.put(HeaderNames.DUPLICATE, dupOf.experimentId());
            h.put(HeaderNames.EXPERIMENT, dupOf.experimentId());
            if (dupOf.mode() == DuplicateMode.STREAM) {
                po = PublishOptions.builder().messageId(id).build();
            } else {
                h.put(HeaderNames.MESSAGE_ID, id);
            }
            h = shaped(h, ev.seq);
        } else {
            h = ev.active.originalHeaders() == null ? null : new Headers(ev.active.originalHeaders());
            if (shape.hasHeaders()) {
                h = shaped(h == null ? new Headers() : h, ev.seq);
            }
            po = PublishOptions.builder().messageId(id).build();
        }
        // bounded outstanding acks: a slow stream shows up as publisher lateness, not as memory
        while (!outstanding.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
        }
        try {
            js.publishAsync(subject, h, body, po).whenComplete(new AckCallback(this, ev.seq, dup, dupOf, exps));
        } catch (RuntimeException e) {
            outstanding.release();
            throw e;
        }
    }

    /** Completion of one JetStream publish; allocated per message in JetStream mode only. */
    private static final class AckCallback implements BiConsumer<PublishAck, Throwable> {
        private final Publisher p;
        private final long seq;
        private final boolean dup;
        private final ActiveSet.Duplicates dupOf;
        private final Counters[] exps;

        AckCallback(Publisher p, long seq, boolean dup, ActiveSet.Duplicates dupOf, Counters[] exps) {
            this.p = p;
            this.seq = seq;
            this.dup = dup;
            this.dupOf = dupOf;
            this.exps = exps;
        }

        @Override
        public void accept(PublishAck ack, Throwable error) {
            p.outstanding.release();
            if (error != null || ack == null || ack.hasError()) {
                p.fail(dup, dupOf, exps);
                if (!dup) {
                    p.listener.failed(seq);
                }
                return;
            }
            p.total.acked.increment();
            boolean isDup = ack.isDuplicate();
            if (isDup) {
                p.total.ackDuplicates.increment();
            }
            if (dup) {
                dupOf.counters().acked.increment();
                if (isDup) {
                    dupOf.counters().ackDuplicates.increment();
                }
            } else {
                for (Counters c : exps) {
                    c.acked.increment();
                    if (isDup) {
                        c.ackDuplicates.increment();
                    }
                }
            }
        }
    }
}
