package io.stampede.proxy;

/**
 * Decides when a chunk read from one side of a connection may be written to the other side; one
 * policy per direction, swapped as a whole when the set of faults changes. Called on the proxy
 * loop thread for every chunk read, so it must neither block nor allocate.
 *
 * <p>The pipe keeps order by itself: whatever this returns, a chunk is never released before the
 * chunk ahead of it. This is the seam for more faults: a message-aware policy (NATS {@code PUB},
 * {@code HPUB}, {@code MSG}, {@code HMSG} frames with their byte counts) gets the chunk's bytes
 * here and may hold one subject longer; dropping or duplicating frames would additionally need a
 * rewriting stage between the read and the pipe's queue, which the pipe's byte ring allows.
 */
public interface ChunkPolicy {

    /**
     * @param arrivalNanos         {@link System#nanoTime()} right after the read that produced the chunk
     * @param bytes                chunk length
     * @param previousReleaseNanos release time of the chunk ahead in the same direction
     * @return the {@link System#nanoTime()} at which the chunk may be written
     */
    long releaseAt(long arrivalNanos, int bytes, long previousReleaseNanos);

    /** True when this policy holds nothing back (pass-through fast path). */
    default boolean passThrough() {
        return false;
    }

    ChunkPolicy PASS_THROUGH = new ChunkPolicy() {
        @Override
        public long releaseAt(long arrivalNanos, int bytes, long previousReleaseNanos) {
            return arrivalNanos;
        }

        @Override
        public boolean passThrough() {
            return true;
        }
    };
}
