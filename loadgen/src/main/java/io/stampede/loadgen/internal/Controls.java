package io.stampede.loadgen.internal;

import java.util.concurrent.locks.LockSupport;

/** The live control state the pacer polls: current active set and the running flag. */
public final class Controls {
    private volatile ActiveSet current;
    private volatile boolean running = true;
    private volatile Thread pacer;

    public Controls(ActiveSet initial) {
        this.current = initial;
    }

    public ActiveSet current() {
        return current;
    }

    public boolean running() {
        return running;
    }

    public void pacerThread(Thread t) {
        pacer = t;
    }

    public void update(ActiveSet next) {
        current = next;
        wake();
    }

    public void stop() {
        running = false;
        wake();
    }

    private void wake() {
        Thread t = pacer;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
