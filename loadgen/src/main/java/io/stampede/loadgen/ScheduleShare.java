package io.stampede.loadgen;

import java.util.ArrayList;
import java.util.List;

/**
 * This generator's part of a schedule shared by {@code count} generators (load agents): all start
 * at {@code startAtEpochMs}, each sends at {@code rate / count}, and generator {@code index}'s
 * j-th original has sequence number {@code j·count + index} and is due at
 * {@code start + (j·count + index) / rate}. So the merged schedule is exactly the asked rate, with
 * the agents' intended times interleaved, and one run prefix names every message once.
 *
 * <p>A rate change re-anchors each agent's schedule where it applies (see {@code PacerLoop}): the
 * merged rate stays right, the interleaving after it holds only within the agents' reaction times.
 * The start is an epoch time, so agents on several hosts rely on their clocks agreeing (NTP).
 *
 * @param index          0..count-1
 * @param count          generators sharing the schedule
 * @param startAtEpochMs common start (epoch ms); a start already past means "now", and the originals
 *                       due since are sent at once (they show as lateness)
 */
public record ScheduleShare(int index, int count, long startAtEpochMs) {
    /** The whole schedule, starting when the generator starts. */
    public static final ScheduleShare WHOLE = new ScheduleShare(0, 1, 0);

    public boolean whole() {
        return count == 1 && startAtEpochMs == 0;
    }

    /** Sequence number of this share's {@code j}-th original. */
    public long seq(long j) {
        return j * count + index;
    }

    public List<String> validate() {
        List<String> p = new ArrayList<>();
        if (count < 1 || count > 4096) {
            p.add("share count must be within 1..4096, got " + count);
        }
        if (index < 0 || index >= count) {
            p.add("share index must be within 0.." + (count - 1) + ", got " + index);
        }
        if (startAtEpochMs < 0) {
            p.add("share start must be an epoch ms >= 0 (0: when started), got " + startAtEpochMs);
        }
        return p;
    }
}
