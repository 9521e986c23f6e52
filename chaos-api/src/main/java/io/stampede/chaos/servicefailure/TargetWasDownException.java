package io.stampede.chaos.servicefailure;

/**
 * The target was not healthy-running when the experiment started, so no fault was injected; the
 * experiment must be reported as such and its revert leaves the target as it was.
 */
public final class TargetWasDownException extends Exception {
    private final String target;

    public TargetWasDownException(String target, String why) {
        super("target '" + target + "' was already down before the experiment, no fault injected: " + why);
        this.target = target;
    }

    public String target() {
        return target;
    }
}
