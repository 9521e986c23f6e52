package io.stampede.proxy;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * The proxy's off-heap memory: every direct buffer (connection rings, held message frames) is
 * taken from here and given back here, so what is held is counted in one place against one
 * budget ({@code PROXY_MEMORY_BUDGET_BYTES}) and freed at once when given back (not when the
 * garbage collector gets round to it). Loop-confined.
 */
final class Memory {
    private static final Method INVOKE_CLEANER;
    private static final Object UNSAFE;

    static {
        Method m = null;
        Object u = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            u = f.get(null);
            m = c.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // no Unsafe: buffers are freed by the garbage collector instead
        }
        INVOKE_CLEANER = m;
        UNSAFE = u;
    }

    private final long budget;
    private long rings;
    private long held;
    private long peak;
    private long refusals;

    Memory(long budget) {
        this.budget = budget;
    }

    /** A direct buffer for a ring, or null when it would take the proxy past its budget. */
    ByteBuffer ring(int size) {
        return take(size, true);
    }

    /** A direct buffer for held frames, or null when it would take the proxy past its budget. */
    ByteBuffer held(int size) {
        return take(size, false);
    }

    private ByteBuffer take(int size, boolean ring) {
        if (rings + held + size > budget) {
            refusals++;
            return null;
        }
        ByteBuffer b;
        try {
            b = ByteBuffer.allocateDirect(size);
        } catch (OutOfMemoryError e) {
            refusals++;
            return null; // -XX:MaxDirectMemorySize below the budget: the same answer
        }
        if (ring) {
            rings += size;
        } else {
            held += size;
        }
        peak = Math.max(peak, rings + held);
        return b;
    }

    void giveBack(ByteBuffer b, boolean ring) {
        if (ring) {
            rings -= b.capacity();
        } else {
            held -= b.capacity();
        }
        free(b);
    }

    static void free(ByteBuffer b) {
        if (INVOKE_CLEANER != null && b.isDirect()) {
            try {
                INVOKE_CLEANER.invoke(UNSAFE, b);
            } catch (ReflectiveOperationException | RuntimeException ignored) {
                // left to the garbage collector
            }
        }
    }

    long budget() {
        return budget;
    }

    long ringBytes() {
        return rings;
    }

    long heldBytes() {
        return held;
    }

    long peak() {
        return peak;
    }

    /** Times a buffer was refused because of the budget (reads waited or frames went unheld). */
    long refusals() {
        return refusals;
    }

    void resetPeak() {
        peak = rings + held;
        refusals = 0;
    }
}
