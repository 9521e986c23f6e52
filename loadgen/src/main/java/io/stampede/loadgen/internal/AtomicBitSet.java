package io.stampede.loadgen.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A thread-safe bit set over non-negative sequence numbers, grown in fixed chunks of 2^22 bits
 * (512 KiB) on first touch: 10^7 sequence numbers cost 1.25 MiB, and nothing is allocated
 * per message once a chunk exists.
 */
public final class AtomicBitSet {
    private static final int CHUNK_BITS_LOG2 = 22;
    private static final int WORDS_PER_CHUNK = (1 << CHUNK_BITS_LOG2) >>> 6;
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final AtomicReferenceArray<long[]> chunks;

    /** @param maxBits the largest sequence number + 1 this set may hold */
    public AtomicBitSet(long maxBits) {
        long n = (maxBits + (1L << CHUNK_BITS_LOG2) - 1) >>> CHUNK_BITS_LOG2;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many bits: " + maxBits);
        }
        chunks = new AtomicReferenceArray<>((int) Math.max(1, n));
    }

    public long capacity() {
        return (long) chunks.length() << CHUNK_BITS_LOG2;
    }

    private long[] chunk(long bit, boolean create) {
        int c = (int) (bit >>> CHUNK_BITS_LOG2);
        long[] words = chunks.get(c);
        if (words == null && create) {
            chunks.compareAndSet(c, null, new long[WORDS_PER_CHUNK]);
            words = chunks.get(c);
        }
        return words;
    }

    /** Sets the bit; returns whether it was already set. */
    public boolean getAndSet(long bit) {
        if (bit < 0 || bit >= capacity()) {
            throw new IndexOutOfBoundsException("bit " + bit);
        }
        long[] words = chunk(bit, true);
        int w = (int) ((bit >>> 6) & (WORDS_PER_CHUNK - 1));
        long mask = 1L << (bit & 63);
        long before = (long) WORDS.getAndBitwiseOr(words, w, mask);
        return (before & mask) != 0;
    }

    /** Clears the bit; returns whether it was set. */
    public boolean getAndClear(long bit) {
        if (bit < 0 || bit >= capacity()) {
            return false;
        }
        long[] words = chunk(bit, false);
        if (words == null) {
            return false;
        }
        int w = (int) ((bit >>> 6) & (WORDS_PER_CHUNK - 1));
        long mask = 1L << (bit & 63);
        long before = (long) WORDS.getAndBitwiseAnd(words, w, ~mask);
        return (before & mask) != 0;
    }

    public boolean get(long bit) {
        if (bit < 0 || bit >= capacity()) {
            return false;
        }
        long[] words = chunk(bit, false);
        if (words == null) {
            return false;
        }
        int w = (int) ((bit >>> 6) & (WORDS_PER_CHUNK - 1));
        return (((long) WORDS.getVolatile(words, w)) & (1L << (bit & 63))) != 0;
    }

    /** Number of bits set in {@code this AND NOT other} within [from, to). */
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

    private long word(long bit) {
        if (bit >= capacity()) {
            return 0;
        }
        long[] words = chunk(bit, false);
        if (words == null) {
            return 0;
        }
        return (long) WORDS.getVolatile(words, (int) ((bit >>> 6) & (WORDS_PER_CHUNK - 1)));
    }

    /** Bytes held by allocated chunks. */
    public long allocatedBytes() {
        long n = 0;
        for (int i = 0; i < chunks.length(); i++) {
            if (chunks.get(i) != null) {
                n += (long) WORDS_PER_CHUNK * 8;
            }
        }
        return n;
    }
}
