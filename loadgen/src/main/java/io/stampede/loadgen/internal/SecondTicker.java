package io.stampede.loadgen.internal;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;

/**
 * The once-a-second thread of a generator and of a coordinator: ticks on a fixed schedule (a slow
 * tick does not push the next ones later), until {@code done}; a tick that throws is logged and
 * the next one still runs, so one bad interval never ends the stats of a run.
 */
public final class SecondTicker {
    private static final long SECOND = 1_000_000_000L;

    private SecondTicker() {}

    /** Starts the daemon thread {@code name}; {@code what} names the tick in the log. */
    public static Thread start(String name, BooleanSupplier done, Runnable tick, Logger log, String what) {
        Thread t = new Thread(() -> {
            long next = System.nanoTime() + SECOND;
            while (!done.getAsBoolean()) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue;
                }
                next += SECOND;
                try {
                    tick.run();
                } catch (RuntimeException e) {
                    log.warn("{} failed: {}", what, e.toString());
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
