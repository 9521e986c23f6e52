package io.stampede.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One direction of one proxied connection: bytes read from {@code src} wait in a byte ring until
 * their chunk's release time, then go to {@code dst} in order. Confined to the proxy loop thread.
 *
 * <p>Positions ({@link #head}, {@link #released}, {@link #tail}) are absolute byte counts; the
 * ring index is {@code position & mask}. Chunks not yet released are kept as marks (end position,
 * arrival, release time) in parallel arrays, so nothing is allocated per chunk.
 */
final class Pipe {
    static final int INITIAL_RING = 64 * 1024;
    static final int MAX_MARKS = 64 * 1024;

    final Connection conn;
    final boolean toServer;
    final SocketChannel src;
    final SocketChannel dst;
    private int maxRing;

    private ByteBuffer ring;
    private int mask;
    private long head;
    private long released;
    private long tail;

    private long[] markEnd = new long[256];
    private long[] markArrival = new long[256];
    private long[] markRelease = new long[256];
    private int markHead;
    private int markCount;
    private long lastRelease;

    boolean srcEof;
    boolean dstShut;
    /** release time of the oldest held chunk while this pipe sits in the loop's deadline queue */
    long queuedDeadline;
    boolean inDeadlineQueue;

    Pipe(Connection conn, boolean toServer, SocketChannel src, SocketChannel dst, int maxRing) {
        this.conn = conn;
        this.toServer = toServer;
        this.src = src;
        this.dst = dst;
        this.maxRing = maxRing;
        this.ring = ByteBuffer.allocateDirect(Math.min(INITIAL_RING, maxRing));
        this.mask = ring.capacity() - 1;
    }

    long queuedBytes() {
        return tail - head;
    }

    int ringCapacity() {
        return ring.capacity();
    }

    boolean hasHeld() {
        return markCount > 0;
    }

    long oldestHeldRelease() {
        return markRelease[markHead];
    }

    boolean wantsWrite() {
        return head < released;
    }

    /** False while the ring is full: the kernel buffers fill and TCP pushes back on the sender. */
    boolean wantsRead() {
        return !srcEof && (tail - head < ring.capacity() || ring.capacity() < maxRing) && markCount < MAX_MARKS;
    }

    /** Released bytes to write, or an end of stream to pass on. */
    boolean needsFlush() {
        return head < released || (srcEof && head == tail && !dstShut);
    }

    boolean finished() {
        return srcEof && head == tail && dstShut;
    }

    /**
     * Reads once into the ring and stamps the chunk with its release time.
     *
     * @return bytes read, 0 if none, -1 at end of stream
     */
    int read(ChunkPolicy policy) throws IOException {
        if (tail - head == ring.capacity()) {
            grow();
        }
        int cap = ring.capacity();
        int idx = (int) (tail & mask);
        int free = (int) (cap - (tail - head));
        ring.limit(idx + Math.min(free, cap - idx)).position(idx);
        int n = src.read(ring);
        if (n < 0) {
            srcEof = true;
            return -1;
        }
        if (n == 0) {
            return 0;
        }
        long now = System.nanoTime();
        tail += n;
        long release = policy.passThrough() ? now : Math.max(policy.releaseAt(now, n, lastRelease), lastRelease);
        if (markCount == 0 && release <= now) {
            released = tail;
            lastRelease = now;
        } else {
            pushMark(tail, now, release);
            lastRelease = release;
        }
        return n;
    }

    /**
     * Releases every held chunk whose time has come.
     *
     * @param lateness receives how late each release is, in nanoseconds (delayed chunks only)
     */
    void releaseDue(long now, LatenessRecorder lateness) {
        while (markCount > 0) {
            int i = markHead;
            long r = markRelease[i];
            if (r > now) {
                return;
            }
            released = markEnd[i];
            if (r > markArrival[i]) {
                lateness.record(toServer, now - r, r - markArrival[i]);
            }
            markHead = (i + 1) & (markEnd.length - 1);
            markCount--;
        }
    }

    /** New faults: held chunks get release times from their arrival under the new policy. */
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
     * Writes released bytes to {@code dst} until done or the socket buffer is full.
     *
     * @return bytes written
     */
    long flush() throws IOException {
        long written = 0;
        while (head < released) {
            int idx = (int) (head & mask);
            int len = (int) Math.min(released - head, ring.capacity() - idx);
            ring.limit(idx + len).position(idx);
            int w = dst.write(ring);
            head += w;
            written += w;
            if (w < len) {
                break;
            }
        }
        if (head == tail && markCount == 0) {
            // empty: start the next read at index 0 so it gets the whole ring in one call
            head = 0;
            released = 0;
            tail = 0;
        }
        if (srcEof && head == tail && !dstShut) {
            dstShut = true;
            dst.shutdownOutput();
        }
        return written;
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

    /** Doubles the ring (rare: only while a fault holds more than it), keeping absolute positions. */
    private void grow() {
        int oldCap = ring.capacity();
        if (oldCap >= maxRing) {
            return;
        }
        int newCap = oldCap * 2;
        ByteBuffer bigger;
        try {
            bigger = ByteBuffer.allocateDirect(newCap);
        } catch (OutOfMemoryError e) {
            // out of direct memory (-XX:MaxDirectMemorySize): hold no more, let TCP push back
            maxRing = oldCap;
            return;
        }
        int newMask = newCap - 1;
        ByteBuffer old = ring.duplicate();
        long p = head;
        while (p < tail) {
            int oi = (int) (p & mask);
            int ni = (int) (p & newMask);
            int len = (int) Math.min(tail - p, Math.min(oldCap - oi, newCap - ni));
            old.limit(oi + len).position(oi);
            bigger.limit(ni + len).position(ni);
            bigger.put(old);
            p += len;
        }
        ring = bigger;
        mask = newMask;
    }

    /** Receives delay accuracy samples from pipes. */
    interface LatenessRecorder {
        void record(boolean toServer, long lateNanos, long heldNanos);
    }
}
