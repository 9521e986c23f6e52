package io.stampede.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * One direction of one proxied connection: bytes read from {@code src} wait in a byte ring until
 * they may go, then go to {@code dst} in order. Confined to the proxy loop thread.
 *
 * <p>Positions are absolute byte counts; the ring index is {@code position & mask}:
 * <pre>
 *   head ≤ released ≤ committed ≤ tail
 *   [head, released)      may be written now
 *   [released, committed) decided, held by a byte fault's marks (end, arrival, release time)
 *   [committed, tail)     the frame not yet complete (message mode only)
 * </pre>
 * A {@link NatsParser} always follows the frames (no call per frame while no message fault
 * applies: pass-through costs a scan of the control lines, nothing else). With message faults on
 * this direction ("message mode") each complete frame is decided as it completes: kept (moved down
 * over anything cut out before it, so with nothing cut out nothing moves), dropped (not kept),
 * or held (copied to the {@link FrameStore} with a release time, in a heap on (release, arrival)).
 * A held frame whose time has come is queued as a <em>cut</em> at the committed position: the
 * writer sends the ring up to the cut, then the frame, then goes on. Cuts sit at frame
 * boundaries, so frames are never interleaved.
 */
final class Pipe implements NatsParser.Sink {
    static final int INITIAL_RING = 64 * 1024;
    static final int MAX_MARKS = 64 * 1024;
    /**
     * What a ring may grow to with nothing held, so reads go on (in bigger pieces) while the other
     * side is briefly not writable; beyond it a slow reader slows the sender through TCP.
     */
    static final int PASS_RING = 256 * 1024;
    private static final MessageFault[] NO_FAULTS = new MessageFault[0];

    final Connection conn;
    final boolean toServer;
    final SocketChannel src;
    final SocketChannel dst;
    final NatsParser parser;
    private final Memory memory;
    private final FrameStore store;
    private final int maxRing;

    private ByteBuffer ring;
    private int mask;
    private long head;
    private long released;
    private long committed;
    private long tail;

    private long[] markEnd = new long[64];
    private long[] markArrival = new long[64];
    private long[] markRelease = new long[64];
    private int markHead;
    private int markCount;
    private long lastRelease;

    // ---- message mode
    private MessageFault[] faults = NO_FAULTS;
    private long[] laneLast = new long[0];
    private long[] laneMaxSeq = new long[0];
    // held frames: slots in parallel arrays, a binary heap of slots ordered by (release, seq)
    private long[] hRelease;
    private long[] hArrival;
    private long[] hSeq;
    private long[] hHandle;
    private int[] hLen;
    private int[] hLane;
    private int[] heap;
    private int heldCount;
    private int[] freeSlots;
    private int freeCount;
    private int slotCount;
    private long heldBytes;
    // cuts: FIFO of (ring position, slot)
    private long[] cutPos = new long[16];
    private int[] cutSlot = new int[16];
    private int cutHead;
    private int cutCount;
    private int writingSlot = -1;
    private int writingDone;
    private long seq;
    // during a scan in message mode
    private long w;
    private long lastEnd;
    private long scanNow;

    /** frames passed without a decision because they alone filled a ring that could not grow */
    long oversizePassed;
    /** the budget refused a bigger ring: no new try until something was written */
    private boolean growRefused;
    boolean srcEof;
    boolean dstShut;
    /** release time of the oldest held chunk or frame while this pipe sits in the loop's deadline queue */
    long queuedDeadline;
    boolean inDeadlineQueue;

    Pipe(Connection conn, boolean toServer, SocketChannel src, SocketChannel dst, int maxRing,
         Memory memory, FrameStore store, NatsParser.Listener listener) {
        this.conn = conn;
        this.toServer = toServer;
        this.src = src;
        this.dst = dst;
        this.maxRing = maxRing;
        this.memory = memory;
        this.store = store;
        this.parser = new NatsParser(listener);
        this.ring = memory.ring(Math.min(INITIAL_RING, maxRing));
        if (ring == null) {
            throw new IllegalStateException("memory budget reached: no ring for a new connection");
        }
        this.mask = ring.capacity() - 1;
    }

    long queuedBytes() {
        return tail - head + heldBytes;
    }

    long heldFrameBytes() {
        return heldBytes;
    }

    int heldFrames() {
        return heldCount + cutCount + (writingSlot >= 0 ? 1 : 0);
    }

    int ringCapacity() {
        return ring.capacity();
    }

    boolean hasHeld() {
        return markCount > 0 || heldCount > 0;
    }

    long oldestHeldRelease() {
        long r = Long.MAX_VALUE;
        if (markCount > 0) {
            r = markRelease[markHead];
        }
        if (heldCount > 0) {
            r = Math.min(r, hRelease[heap[0]]);
        }
        return r;
    }

    private boolean messageMode() {
        return faults.length > 0 || heldCount > 0 || cutCount > 0 || writingSlot >= 0;
    }

    private boolean cutDue() {
        return cutCount > 0 && head >= cutPos[cutHead];
    }

    boolean wantsWrite() {
        return head < released || writingSlot >= 0 || cutDue();
    }

    /**
     * False while the ring is full and may not grow: the kernel buffers fill and TCP pushes back
     * on the sender. A ring grows only to hold what a fault holds or a frame bigger than it; with
     * no fault a slow reader on the other side slows the sender, as without the proxy.
     */
    boolean wantsRead() {
        return !srcEof && markCount < MAX_MARKS
                && (tail - head < ring.capacity() || mayGrow() || (head == committed && committed < tail));
    }

    private boolean mayGrow() {
        int cap = ring.capacity();
        return !growRefused && cap < maxRing && (markCount > 0 || tail - committed > cap / 2 || cap < PASS_RING);
    }

    private boolean empty() {
        return head == tail && markCount == 0 && cutCount == 0 && writingSlot < 0 && heldCount == 0;
    }

    /** Released bytes or frames to write, or an end of stream to pass on. */
    boolean needsFlush() {
        return wantsWrite() || (srcEof && empty() && !dstShut);
    }

    boolean finished() {
        return srcEof && empty() && dstShut;
    }

    /** The message faults of the plan that apply to this direction and client. */
    void setFaults(MessageFault[] all, String clientName, long now) {
        int n = 0;
        for (MessageFault f : all) {
            if (f.appliesTo(toServer, clientName)) {
                n++;
            }
        }
        MessageFault[] next = n == 0 ? NO_FAULTS : new MessageFault[n];
        n = 0;
        for (MessageFault f : all) {
            if (f.appliesTo(toServer, clientName)) {
                next[n++] = f;
            }
        }
        if (Arrays.equals(next, faults)) {
            return;
        }
        long[] nextLast = new long[next.length];
        long[] nextMax = new long[next.length];
        Arrays.fill(nextMax, -1);
        for (int i = 0; i < next.length; i++) {
            for (int j = 0; j < faults.length; j++) {
                if (faults[j] == next[i]) {
                    nextLast[i] = laneLast[j];
                    nextMax[i] = laneMaxSeq[j];
                }
            }
        }
        // frames held by a fault that is gone are released now; the others keep their times
        for (int k = 0; k < heldCount; k++) {
            int s = heap[k];
            int lane = hLane[s];
            int to = -1;
            if (lane >= 0) {
                for (int i = 0; i < next.length; i++) {
                    if (next[i] == faults[lane]) {
                        to = i;
                    }
                }
            }
            if (to < 0) {
                hRelease[s] = Math.min(hRelease[s], now);
            }
            hLane[s] = to;
        }
        for (int k = heldCount / 2 - 1; k >= 0; k--) {
            siftDown(k);
        }
        faults = next;
        laneLast = nextLast;
        laneMaxSeq = nextMax;
    }

    /**
     * Reads once into the ring, decides the frames completed by it (message mode) and stamps what
     * it commits with its release time.
     *
     * @return bytes read, 0 if none, -1 at end of stream
     */
    int read(ChunkPolicy policy) throws IOException {
        if (tail - head == ring.capacity()) {
            if (!grow()) {
                if (head == committed && committed < tail) {
                    // one undecided frame fills a ring that may not grow (PROXY_MAX_QUEUED_BYTES or
                    // the budget): it passes as it is rather than wedging the connection
                    commit(tail, System.nanoTime(), policy);
                    oversizePassed++;
                }
                return 0;
            }
        }
        int cap = ring.capacity();
        int idx = (int) (tail & mask);
        int free = (int) (cap - (tail - head));
        ring.limit(idx + Math.min(free, cap - idx)).position(idx);
        int n = src.read(ring);
        long now = System.nanoTime();
        if (n < 0) {
            srcEof = true;
            commit(tail, now, policy); // an incomplete last frame goes as it is
            return -1;
        }
        if (n == 0) {
            return 0;
        }
        long from = tail;
        tail += n;
        if (!messageMode()) {
            parser.scan(ring, mask, from, tail, null);
            commit(tail, now, policy);
            return n;
        }
        w = committed;
        lastEnd = committed;
        scanNow = now;
        parser.scan(ring, mask, from, tail, this);
        long ps = parser.frameStart();
        long passEnd = ps < lastEnd ? tail : ps; // [lastEnd, passEnd): bytes that pass unparsed
        keep(lastEnd, passEnd);
        long rest = tail - passEnd;
        if (w != passEnd) {
            move(w, passEnd, rest);
            if (ps >= lastEnd) {
                parser.rebase(w - passEnd);
            }
            tail = w + rest;
        }
        commit(w, now, policy);
        return n;
    }

    /** Message mode: one complete frame {@code [start, end)}; the parser matches its subject in place. */
    @Override
    public void frame(int kind, long start, long end) {
        if (start < lastEnd) {
            // began before message mode did: its head has gone already, the rest follows it
            keep(lastEnd, end);
            lastEnd = end;
            return;
        }
        lastEnd = end;
        MessageFault[] fs = faults;
        if (kind == NatsParser.OTHER || fs.length == 0) {
            keep(start, end);
            return;
        }
        long delay = 0;
        boolean dup = false;
        boolean reorder = false;
        int lane = -1;
        for (int i = 0; i < fs.length; i++) {
            MessageFault f = fs[i];
            if (!parser.subjectMatches(f.filter)) { // in place: length, literal prefix, then tokens
                continue;
            }
            f.matched++;
            if (f.drawDrop()) {
                f.dropped++;
                return;
            }
            if (f.drawDuplicate()) {
                f.duplicated++;
                dup = true;
            }
            if (f.delayNanos > 0) {
                delay += f.drawDelay();
                f.delayed++;
            }
            long r = f.drawReorder();
            if (r > 0) {
                delay += r;
                reorder = true;
            }
            if (lane < 0 && (f.delayNanos > 0 || f.reorderNanos > 0)) {
                lane = i;
            }
        }
        int len = (int) (end - start);
        long s = ++seq;
        if (lane < 0) {
            long at = w;
            keep(start, end);
            if (dup) {
                // the copy goes right behind the original: a cut at its end, not through the heap
                int slot = copy(at, len, scanNow, s, -1);
                if (slot >= 0) {
                    pushCut(at + len, slot);
                }
            }
            return;
        }
        long release = scanNow + delay;
        if (!reorder) {
            release = Math.max(release, laneLast[lane]); // order per fault (so per subject) is kept
            laneLast[lane] = release;
        }
        if (!hold(start, len, release, s, lane)) {
            fs[lane].unheldOverBudget++;
            keep(start, end);
            return;
        }
        if (dup) {
            hold(start, len, release, s, lane);
        }
    }

    /** Keeps ring bytes {@code [from, to)}: moves them down to {@code w} if something was cut out. */
    private void keep(long from, long to) {
        long len = to - from;
        if (len <= 0) {
            return;
        }
        if (w != from) {
            move(w, from, len);
        }
        w += len;
    }

    /** Moves ring bytes down ({@code dst < src}), wrap-aware; overlapping is fine going down. */
    private void move(long dstPos, long srcPos, long len) {
        int cap = ring.capacity();
        ring.clear(); // absolute bulk copies check against the limit
        while (len > 0) {
            int si = (int) (srcPos & mask);
            int di = (int) (dstPos & mask);
            int n = (int) Math.min(len, Math.min(cap - si, cap - di));
            ring.put(di, ring, si, n);
            srcPos += n;
            dstPos += n;
            len -= n;
        }
    }

    private boolean hold(long start, int len, long release, long s, int lane) {
        int slot = copy(start, len, release, s, lane);
        if (slot < 0) {
            return false;
        }
        heap[heldCount] = slot;
        siftUp(heldCount++);
        return true;
    }

    /** Copies a frame to the store: its slot, or -1 when the memory budget is reached. */
    private int copy(long start, int len, long release, long s, int lane) {
        long h = store.put(ring, mask, start, len);
        if (h < 0) {
            return -1;
        }
        int slot = allocSlot();
        hRelease[slot] = release;
        hArrival[slot] = scanNow;
        hSeq[slot] = s;
        hHandle[slot] = h;
        hLen[slot] = len;
        hLane[slot] = lane;
        heldBytes += len;
        return slot;
    }

    private void commit(long end, long now, ChunkPolicy policy) {
        long n = end - committed;
        if (n <= 0) {
            return;
        }
        committed = end;
        long release = policy.passThrough() ? now : Math.max(policy.releaseAt(now, (int) n, lastRelease), lastRelease);
        if (markCount == 0 && release <= now) {
            released = end;
            lastRelease = now;
        } else {
            pushMark(end, now, release);
            lastRelease = release;
        }
    }

    /**
     * Releases every held chunk and frame whose time has come.
     *
     * @param lateness receives how late each release is, in nanoseconds (delayed ones only)
     */
    void releaseDue(long now, LatenessRecorder lateness) {
        while (markCount > 0) {
            int i = markHead;
            long r = markRelease[i];
            if (r > now) {
                break;
            }
            released = markEnd[i];
            if (r > markArrival[i]) {
                lateness.record(toServer, now - r, r - markArrival[i]);
            }
            markHead = (i + 1) & (markEnd.length - 1);
            markCount--;
        }
        while (heldCount > 0 && hRelease[heap[0]] <= now) {
            int slot = heap[0];
            heap[0] = heap[--heldCount];
            if (heldCount > 0) {
                siftDown(0);
            }
            long r = hRelease[slot];
            if (r > hArrival[slot]) {
                lateness.record(toServer, now - r, r - hArrival[slot]);
            }
            int lane = hLane[slot];
            if (lane >= 0) {
                if (hSeq[slot] < laneMaxSeq[lane]) {
                    faults[lane].reordered++;
                } else {
                    laneMaxSeq[lane] = hSeq[slot];
                }
            }
            pushCut(committed, slot);
        }
    }

    /** New byte faults: held chunks get release times from their arrival under the new policy. */
    void reschedule(ChunkPolicy policy) {
        long prevEnd = released;
        long prevRelease = Long.MIN_VALUE;
        int len = markEnd.length - 1;
        for (int k = 0; k < markCount; k++) {
            int i = (markHead + k) & len;
            long arrival = markArrival[i];
            long r = policy.passThrough() ? arrival
                    : policy.releaseAt(arrival, (int) (markEnd[i] - prevEnd), prevRelease == Long.MIN_VALUE ? arrival : prevRelease);
            r = Math.max(r, prevRelease);
            markRelease[i] = r;
            prevRelease = r;
            prevEnd = markEnd[i];
        }
        if (markCount > 0) {
            lastRelease = prevRelease;
        }
    }

    /**
     * Writes released bytes and due frames to {@code dst} until done or the socket buffer is full.
     *
     * @return bytes written
     */
    long flush() throws IOException {
        long written = 0;
        outer:
        while (true) {
            if (writingSlot >= 0) {
                int s = writingSlot;
                int wr = store.write(dst, hHandle[s], writingDone, hLen[s]);
                written += wr;
                writingDone += wr;
                if (writingDone < hLen[s]) {
                    break;
                }
                store.release(hHandle[s]);
                heldBytes -= hLen[s];
                freeSlots[freeCount++] = s;
                writingSlot = -1;
                continue;
            }
            long limit = released;
            if (cutCount > 0 && cutPos[cutHead] < limit) {
                limit = cutPos[cutHead];
            }
            while (head < limit) {
                int idx = (int) (head & mask);
                int len = (int) Math.min(limit - head, ring.capacity() - idx);
                ring.limit(idx + len).position(idx);
                int wr = dst.write(ring);
                head += wr;
                written += wr;
                if (wr > 0) {
                    growRefused = false;
                }
                if (wr < len) {
                    break outer;
                }
            }
            if (cutDue()) {
                writingSlot = cutSlot[cutHead];
                writingDone = 0;
                cutHead = (cutHead + 1) & (cutPos.length - 1);
                cutCount--;
                continue;
            }
            break;
        }
        if (head == tail && markCount == 0 && cutCount == 0 && writingSlot < 0) {
            // empty: start the next read at index 0 so it gets the whole ring in one call
            parser.rebase(-tail);
            head = 0;
            released = 0;
            committed = 0;
            tail = 0;
            if (ring.capacity() > PASS_RING && heldCount == 0) {
                shrink();
            }
            if (heldCount == 0) {
                store.trim();
            }
        }
        if (srcEof && empty() && !dstShut) {
            dstShut = true;
            dst.shutdownOutput();
        }
        return written;
    }

    /** Gives back the ring and every held frame (the connection is closed). */
    void free() {
        if (writingSlot >= 0) {
            store.release(hHandle[writingSlot]);
            writingSlot = -1;
        }
        while (cutCount > 0) {
            store.release(hHandle[cutSlot[cutHead]]);
            cutHead = (cutHead + 1) & (cutPos.length - 1);
            cutCount--;
        }
        for (int k = 0; k < heldCount; k++) {
            store.release(hHandle[heap[k]]);
        }
        heldCount = 0;
        heldBytes = 0;
        store.trim();
        if (ring != null) {
            memory.giveBack(ring, true);
            ring = null;
        }
    }

    // ---------------------------------------------------------------- storage

    private int allocSlot() {
        if (freeCount > 0) {
            return freeSlots[--freeCount];
        }
        if (hRelease == null || slotCount == hRelease.length) {
            int n = hRelease == null ? 256 : hRelease.length * 2;
            hRelease = hRelease == null ? new long[n] : Arrays.copyOf(hRelease, n);
            hArrival = hArrival == null ? new long[n] : Arrays.copyOf(hArrival, n);
            hSeq = hSeq == null ? new long[n] : Arrays.copyOf(hSeq, n);
            hHandle = hHandle == null ? new long[n] : Arrays.copyOf(hHandle, n);
            hLen = hLen == null ? new int[n] : Arrays.copyOf(hLen, n);
            hLane = hLane == null ? new int[n] : Arrays.copyOf(hLane, n);
            heap = heap == null ? new int[n] : Arrays.copyOf(heap, n);
            freeSlots = freeSlots == null ? new int[n] : Arrays.copyOf(freeSlots, n);
        }
        return slotCount++;
    }

    private boolean before(int a, int b) {
        return hRelease[a] < hRelease[b] || (hRelease[a] == hRelease[b] && hSeq[a] < hSeq[b]);
    }

    private void siftUp(int k) {
        int x = heap[k];
        while (k > 0) {
            int parent = (k - 1) >>> 1;
            int p = heap[parent];
            if (!before(x, p)) {
                break;
            }
            heap[k] = p;
            k = parent;
        }
        heap[k] = x;
    }

    private void siftDown(int k) {
        int x = heap[k];
        int half = heldCount >>> 1;
        while (k < half) {
            int c = 2 * k + 1;
            int r = c + 1;
            if (r < heldCount && before(heap[r], heap[c])) {
                c = r;
            }
            if (!before(heap[c], x)) {
                break;
            }
            heap[k] = heap[c];
            k = c;
        }
        heap[k] = x;
    }

    private void pushCut(long pos, int slot) {
        if (cutCount == cutPos.length) {
            int n = cutPos.length;
            long[] p = new long[n * 2];
            int[] s = new int[n * 2];
            for (int k = 0; k < cutCount; k++) {
                int i = (cutHead + k) & (n - 1);
                p[k] = cutPos[i];
                s[k] = cutSlot[i];
            }
            cutPos = p;
            cutSlot = s;
            cutHead = 0;
        }
        int i = (cutHead + cutCount) & (cutPos.length - 1);
        cutPos[i] = pos;
        cutSlot[i] = slot;
        cutCount++;
    }

    private void pushMark(long end, long arrival, long release) {
        if (markCount == markEnd.length) {
            growMarks();
        }
        int i = (markHead + markCount) & (markEnd.length - 1);
        markEnd[i] = end;
        markArrival[i] = arrival;
        markRelease[i] = release;
        markCount++;
    }

    private void growMarks() {
        int n = markEnd.length;
        long[] e = new long[n * 2];
        long[] a = new long[n * 2];
        long[] r = new long[n * 2];
        for (int k = 0; k < markCount; k++) {
            int i = (markHead + k) & (n - 1);
            e[k] = markEnd[i];
            a[k] = markArrival[i];
            r[k] = markRelease[i];
        }
        markEnd = e;
        markArrival = a;
        markRelease = r;
        markHead = 0;
    }

    /** Doubles the ring (only while a fault holds more than it), keeping absolute positions. */
    private boolean grow() {
        int oldCap = ring.capacity();
        if (!mayGrow()) {
            return false;
        }
        int newCap = oldCap * 2;
        ByteBuffer bigger = memory.ring(newCap);
        if (bigger == null) {
            growRefused = true; // budget reached: hold no more, let TCP push back (counted)
            return false;
        }
        copyInto(bigger);
        memory.giveBack(ring, true);
        ring = bigger;
        mask = newCap - 1;
        return true;
    }

    /** Back to the pass-through ring once empty, so what a fault held is given back at once. */
    private void shrink() {
        ByteBuffer small = memory.ring(PASS_RING);
        if (small == null) {
            return;
        }
        memory.giveBack(ring, true);
        ring = small;
        mask = PASS_RING - 1;
    }

    private void copyInto(ByteBuffer bigger) {
        int oldCap = ring.capacity();
        int newCap = bigger.capacity();
        int newMask = newCap - 1;
        ring.clear(); // absolute bulk copies check against the limit
        long p = head;
        while (p < tail) {
            int oi = (int) (p & mask);
            int ni = (int) (p & newMask);
            int len = (int) Math.min(tail - p, Math.min(oldCap - oi, newCap - ni));
            bigger.put(ni, ring, oi, len);
            p += len;
        }
    }

    /** Receives delay accuracy samples from pipes. */
    interface LatenessRecorder {
        void record(boolean toServer, long lateNanos, long heldNanos);
    }
}
