package io.stampede.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Held message frames, copied out of the connection rings into shared blocks (so one held frame
 * does not pin a ring and frames leave in any order). A block is given back to {@link Memory}
 * when its last frame has been written and it is not the one being filled; one spare is kept.
 * A frame larger than a block gets a block of its own. Loop-confined.
 */
final class FrameStore {
    static final int BLOCK = 256 * 1024;

    private final Memory memory;
    private ByteBuffer[] blocks = new ByteBuffer[16];
    private int[] refs = new int[16];
    private int[] used = new int[16];
    private int current = -1;
    private ByteBuffer spare;

    FrameStore(Memory memory) {
        this.memory = memory;
    }

    /**
     * Copies ring positions {@code [start, start+len)} into a block.
     *
     * @return {@code block << 32 | offset}, or -1 when the memory budget is reached
     */
    long put(ByteBuffer ring, int mask, long start, int len) {
        int id;
        if (len > BLOCK) {
            ByteBuffer b = memory.held(len);
            if (b == null) {
                return -1;
            }
            id = newId(b);
        } else {
            if (current < 0 || BLOCK - used[current] < len) {
                int old = current;
                ByteBuffer b = spare != null ? spare : memory.held(BLOCK);
                if (b == null) {
                    return -1;
                }
                spare = null;
                current = newId(b);
                if (old >= 0 && refs[old] == 0) {
                    retire(old);
                }
            }
            id = current;
        }
        ByteBuffer b = blocks[id];
        int off = used[id];
        int cap = ring.capacity();
        ring.clear(); // absolute bulk copies check against the limit
        b.clear();
        long p = start;
        int o = off;
        int left = len;
        while (left > 0) {
            int ri = (int) (p & mask);
            int n = Math.min(left, cap - ri);
            b.put(o, ring, ri, n);
            p += n;
            o += n;
            left -= n;
        }
        used[id] = off + len;
        refs[id]++;
        return ((long) id << 32) | off;
    }

    /** Writes from a held frame; returns bytes written. */
    int write(SocketChannel ch, long handle, int from, int to) throws IOException {
        ByteBuffer b = blocks[(int) (handle >>> 32)];
        int off = (int) handle;
        b.limit(off + to).position(off + from);
        return ch.write(b);
    }

    /** One frame of the block is no longer needed. */
    void release(long handle) {
        int id = (int) (handle >>> 32);
        if (--refs[id] == 0 && id != current) {
            retire(id);
        }
    }

    private int newId(ByteBuffer b) {
        int id = firstUnused();
        blocks[id] = b;
        refs[id] = 0;
        used[id] = 0;
        return id;
    }

    private int firstUnused() {
        for (int i = 0; i < blocks.length; i++) {
            if (blocks[i] == null) {
                return i;
            }
        }
        int n = blocks.length;
        blocks = java.util.Arrays.copyOf(blocks, n * 2);
        refs = java.util.Arrays.copyOf(refs, n * 2);
        used = java.util.Arrays.copyOf(used, n * 2);
        return n;
    }

    private void retire(int id) {
        ByteBuffer b = blocks[id];
        blocks[id] = null;
        if (b.capacity() == BLOCK && spare == null) {
            spare = b;
        } else {
            memory.giveBack(b, false);
        }
    }

    /** Gives back the spare and an empty current block (nothing held any more). */
    void trim() {
        if (current >= 0 && refs[current] == 0) {
            int c = current;
            current = -1;
            retire(c);
        }
        if (spare != null) {
            memory.giveBack(spare, false);
            spare = null;
        }
    }
}
