package io.stampede.chaos.lifecycle;

import io.stampede.chaos.experiment.ExperimentState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every known experiment by id, and the id sequence. Lock-free for readers; the history of
 * finished experiments is bounded (the oldest go first, never one whose fault may be applied).
 */
final class ExperimentRegistry {
    private final ConcurrentHashMap<String, Experiment> byId = new ConcurrentHashMap<>();
    private final int maxHistory;
    private long lastIdDigits;

    ExperimentRegistry(int maxHistory) {
        this.maxHistory = maxHistory;
    }

    void put(Experiment e) {
        byId.put(e.id(), e);
        seen(e.id());
        if (e.planId() != null) {
            seen(e.planId());
        }
    }

    void remove(String id) {
        byId.remove(id);
    }

    Optional<Experiment> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Newest first. */
    List<Experiment> list() {
        List<Experiment> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparingLong((Experiment e) -> digitsOf(e.id())).reversed());
        return all;
    }

    List<Experiment> active() {
        return byId.values().stream().filter(e -> !e.state().isFinal()).toList();
    }

    /** Not final, or final with a fault still to revert: what admission must count. */
    List<Experiment> live() {
        return byId.values().stream().filter(e -> !e.state().isFinal() || e.fault().mayBeApplied()).toList();
    }

    List<Experiment> all() {
        return List.copyOf(byId.values());
    }

    long count(String type, ExperimentState s) {
        return byId.values().stream().filter(e -> e.type().equals(type) && e.state() == s).count();
    }

    /** Drops the oldest finished experiments beyond the history limit; returns them. */
    List<Experiment> trim() {
        List<Experiment> finished = byId.values().stream()
                .filter(e -> e.state().isFinal() && !e.fault().mayBeApplied())
                .sorted(Comparator.comparingLong(e -> digitsOf(e.id())))
                .toList();
        List<Experiment> dropped = new ArrayList<>();
        for (int i = 0; i < finished.size() - maxHistory; i++) {
            byId.remove(finished.get(i).id());
            dropped.add(finished.get(i));
        }
        return dropped;
    }

    synchronized String nextDigits() {
        lastIdDigits = Math.max(System.currentTimeMillis(), lastIdDigits + 1);
        return Long.toString(lastIdDigits);
    }

    private synchronized void seen(String id) {
        lastIdDigits = Math.max(lastIdDigits, digitsOf(id));
    }

    static long digitsOf(String id) {
        int i = id.lastIndexOf('_');
        try {
            return Long.parseLong(id.substring(i + 1));
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
