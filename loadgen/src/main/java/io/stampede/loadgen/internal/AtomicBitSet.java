package io.stampede.loadgen.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A thread-safe bit set over non-negative sequence numbers, grown in fixed segments ("chunks",
 * 2^22 bits = 512 KiB by default) on first touch: 10^7 sequence numbers cost 1.25 MiB, and
 * nothing is allocated per message once a chunk exists.
 *
 * <p>Chunks can be released ({@link #releaseBelow(long)}) once their bits no longer matter: a
 * released chunk is never allocated again; reads of its bits give 0 and the {@code *Tracked}
 * operations report {@link #RELEASED} so a caller can tell "not set" from "no longer known".
 */
public final class AtomicBitSet {
    /** Result of a {@code *Tracked} operation on a bit of a released chunk. */
    public static final int RELEASED = -1;
    public static final int DEFAULT_CHUNK_BITS_LOG2 = 22;
    private static final long[] RELEASED_CHUNK = new long[0];
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int chunkBitsLog2;
    private final int wordsPerChunk;
    private final AtomicReferenceArray<long[]> chunks;
    private final java.util.concurrent.atomic.AtomicInteger live = new java.util.concurrent.atomic.AtomicInteger();
    private int releasedChunks; // chunks [0, releasedChunks) are released; written by releaseBelow's caller only

    /** @param maxBits the largest sequence number + 1 this set may hold */
    public AtomicBitSet(long maxBits) {
        this(maxBits, DEFAULT_CHUNK_BITS_LOG2);
    }

    /** @param chunkBitsLog2 log2 of the bits per chunk, 6..30 */
    public AtomicBitSet(long maxBits, int chunkBitsLog2) {
        if (chunkBitsLog2 < 6 || chunkBitsLog2 > 30) {
            throw new IllegalArgumentException("chunk bits log2 must be within 6..30, got " + chunkBitsLog2);
        }
        this.chunkBitsLog2 = chunkBitsLog2;
        this.wordsPerChunk = (1 << chunkBitsLog2) >>> 6;
        long n = (maxBits + (1L << chunkBitsLog2) - 1) >>> chunkBitsLog2;
        if (maxBits < 0 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many bits: " + maxBits);
        }
        chunks = new AtomicReferenceArray<>((int) Math.max(1, n));
    }

    public long capacity() {
        return (long) chunks.length() << chunkBitsLog2;
    }

    public long chunkBits() {
        return 1L << chunkBitsLog2;
    }

    private long[] chunk(long bit, boolean create) {
        int c = (int) (bit >>> chunkBitsLog2);
        long[] words = chunks.get(c);
        if (words == null && create) {
            if (chunks.compareAndSet(c, null, new long[wordsPerChunk])) { // a release in between wins: stays released
                live.incrementAndGet();
            }
            words = chunks.get(c);
        }
        return words;
    }

    private int wordIndex(long bit) {
        return (int) ((bit >>> 6) & (wordsPerChunk - 1));
    }

    /** Sets the bit; returns whether it was already set (true for a released chunk: nothing to set). */
    public boolean getAndSet(long bit) {
        return getAndSetTracked(bit) != 0;
    }

    /** Sets the bit: 1 if it was set, 0 if not, {@link #RELEASED} if its chunk was released (nothing changed). */
    public int getAndSetTracked(long bit) {
        if (bit < 0 || bit >= capacity()) {
            throw new IndexOutOfBoundsException("bit " + bit);
        }
        long[] words = chunk(bit, true);
        if (words == RELEASED_CHUNK) {
            return RELEASED;
        }
        long mask = 1L << (bit & 63);
        long before = (long) WORDS.getAndBitwiseOr(words, wordIndex(bit), mask);
        return (before & mask) != 0 ? 1 : 0;
    }

    /** Clears the bit; returns whether it was set (false for a released chunk). */
    public boolean getAndClear(long bit) {
        if (bit < 0 || bit >= capacity()) {
            return false;
        }
        long[] words = chunk(bit, false);
        if (words == null || words == RELEASED_CHUNK) {
            return false;
        }
        long mask = 1L << (bit & 63);
        long before = (long) WORDS.getAndBitwiseAnd(words, wordIndex(bit), ~mask);
        return (before & mask) != 0;
    }

    public boolean get(long bit) {
        return getTracked(bit) == 1;
    }

    /** 1 if set, 0 if not, {@link #RELEASED} if its chunk was released. */
    public int getTracked(long bit) {
        if (bit < 0 || bit >= capacity()) {
            return 0;
        }
        long[] words = chunk(bit, false);
        if (words == null) {
            return 0;
        }
        if (words == RELEASED_CHUNK) {
            return RELEASED;
        }
        return (((long) WORDS.getVolatile(words, wordIndex(bit))) & (1L << (bit & 63))) != 0 ? 1 : 0;
    }

    /** Number of bits set in {@code this AND NOT other} within [from, to); released chunks count 0. */
    public long countAndNot(AtomicBitSet other, long from, long to) {
        long n = 0;
        for (long b = from; b < to; ) {
            if ((b & 63) == 0 && b + 64 <= to) {
                n += Long.bitCount(word(b) & ~other.word(b));
                b += 64;
            } else {
                if (get(b) && !other.get(b)) {
                    n++;
                }
                b++;
            }
        }
        return n;
    }

    /** Number of bits set in {@code this AND other} within [from, to); released chunks count 0. */
    public long countAnd(AtomicBitSet other, long from, long to) {
        long n = 0;
        for (long b = from; b < to; ) {
            if ((b & 63) == 0 && b + 64 <= to) {
                n += Long.bitCount(word(b) & other.word(b));
                b += 64;
            } else {
                if (get(b) && other.get(b)) {
                    n++;
                }
                b++;
            }
        }
        return n;
    }

    /** Number of bits set within [from, to); released chunks count 0. */
    public long count(long from, long to) {
        long n = 0;
        for (long b = from; b < to; ) {
            if ((b & 63) == 0 && b + 64 <= to) {
                n += Long.bitCount(word(b));
                b += 64;
            } else {
                if (get(b)) {
                    n++;
                }
                b++;
            }
        }
        return n;
    }

    private long word(long bit) {
        if (bit >= capacity()) {
            return 0;
        }
        long[] words = chunk(bit, false);
        if (words == null || words == RELEASED_CHUNK) {
            return 0;
        }
        return (long) WORDS.getVolatile(words, wordIndex(bit));
    }

    /**
     * Releases every chunk lying entirely below {@code bit} (not the one containing it); the
     * caller decides when bits no longer matter and serialises calls.
     *
     * @return the first bit not released (a multiple of {@link #chunkBits()})
     */
    public long releaseBelow(long bit) {
        long upTo = Math.min(Math.max(0, bit), capacity()) >>> chunkBitsLog2;
        while (releasedChunks < upTo) {
            long[] before = chunks.getAndSet(releasedChunks++, RELEASED_CHUNK);
            if (before != null) {
                live.decrementAndGet();
            }
        }
        return releasedUpTo();
    }

    /** Bits below this are released. */
    public long releasedUpTo() {
        return (long) releasedChunks << chunkBitsLog2;
    }

    /** Chunks currently allocated (not released). */
    public int liveChunks() {
        return live.get();
    }

    /** Bytes held by allocated chunks. */
    public long allocatedBytes() {
        return (long) liveChunks() * wordsPerChunk * 8;
    }
}
