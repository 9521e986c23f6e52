package io.stampede.chaos.lifecycle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps at most {@code retained} experiment and plan run directories ({@code chaos_*}, {@code plan_*}):
 * the oldest (by id) of finished runs go first. Other directories (the baseline's) are left alone.
 */
final class RunRetention {
    private static final Logger log = LoggerFactory.getLogger(RunRetention.class);

    private RunRetention() {}

    /** {@code keep}: ids that must stay (active experiments and their plans). Returns how many were removed. */
    static int prune(Path runsDir, int retained, Set<String> keep) {
        if (!Files.isDirectory(runsDir)) {
            return 0;
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(runsDir)) {
            dirs = s.filter(Files::isDirectory)
                    .filter(p -> p.getFileName().toString().startsWith("chaos_") || p.getFileName().toString().startsWith("plan_"))
                    .sorted(Comparator.comparingLong(
                    (Path p) -> ExperimentRegistry.digitsOf(p.getFileName().toString())).thenComparing(Path::toString)).toList();
        } catch (IOException e) {
            log.warn("cannot list {}: {}", runsDir, e.toString());
            return 0;
        }
        int removed = 0;
        for (int i = 0; i < dirs.size() && dirs.size() - removed > retained; i++) {
            Path d = dirs.get(i);
            if (keep.contains(d.getFileName().toString())) {
                continue;
            }
            deleteTree(d);
            removed++;
        }
        if (removed > 0) {
            log.info("removed {} old run director{} (STAMPEDE_RUNS_RETAINED={})", removed, removed == 1 ? "y" : "ies", retained);
        }
        return removed;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.debug("cannot delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", dir, e.toString());
        }
    }
}
