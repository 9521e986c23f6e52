package io.stampede.chaos;

import io.stampede.chaos.experiment.Backpressure;
import io.stampede.chaos.experiment.DuplicateMessages;
import io.stampede.chaos.experiment.LoadTest;
import io.stampede.chaos.experiment.MessageFaults;
import io.stampede.chaos.experiment.NatsLatency;
import io.stampede.chaos.experiment.ServiceFailure;
import io.stampede.chaos.inject.FaultInjector;
import io.stampede.chaos.inject.InjectorFactory;
import io.stampede.chaos.inject.Injectors;
import java.nio.file.Path;
import java.util.List;

/** {@code STAMPEDE_INJECTORS=recording}: every type gets a {@link RecordingInjector} in $STAMPEDE_RECORDING_DIR. */
public final class RecordingInjectorFactory implements InjectorFactory {
    @Override
    public String name() {
        return "recording";
    }

    @Override
    public List<FaultInjector<?>> create(ChaosConfig config) {
        String dir = System.getenv("STAMPEDE_RECORDING_DIR");
        return all(Path.of(dir == null ? config.dataDir().resolve("recording").toString() : dir), 0);
    }

    public static List<FaultInjector<?>> all(Path dir, long applyDelayMs) {
        return List.of(
                new RecordingInjector<>(NatsLatency.class, dir, applyDelayMs),
                new RecordingInjector<>(ServiceFailure.class, dir, applyDelayMs),
                new RecordingInjector<>(Backpressure.class, dir, applyDelayMs),
                new RecordingInjector<>(LoadTest.class, dir, applyDelayMs),
                new RecordingInjector<>(DuplicateMessages.class, dir, applyDelayMs),
                new RecordingInjector<>(MessageFaults.class, dir, applyDelayMs));
    }

    /** Every type slow: apply, revert and stats take the given milliseconds. */
    public static Injectors slow(Path dir, long applyMs, long revertMs, long statsMs) {
        return new Injectors(List.of(
                new RecordingInjector<>(NatsLatency.class, dir, applyMs, revertMs, statsMs),
                new RecordingInjector<>(ServiceFailure.class, dir, applyMs, revertMs, statsMs),
                new RecordingInjector<>(Backpressure.class, dir, applyMs, revertMs, statsMs),
                new RecordingInjector<>(LoadTest.class, dir, applyMs, revertMs, statsMs),
                new RecordingInjector<>(DuplicateMessages.class, dir, applyMs, revertMs, statsMs),
                new RecordingInjector<>(MessageFaults.class, dir, applyMs, revertMs, statsMs)));
    }

    public static Injectors injectors(Path dir) {
        return new Injectors(all(dir, 0));
    }
}
