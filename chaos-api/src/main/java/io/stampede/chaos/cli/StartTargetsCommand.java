package io.stampede.chaos.cli;

import io.stampede.chaos.servicefailure.ProcessTarget;
import io.stampede.chaos.servicefailure.TargetConfig;
import io.stampede.chaos.servicefailure.TargetStarter;
import io.stampede.chaos.servicefailure.TargetsConfig;
import io.stampede.system.InvalidSystemFile;
import io.stampede.system.SystemFile;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code StartTargetsCommand FILE LOG_DIR}: the launcher's {@code up --system FILE} step that starts
 * each process target of the system file whose pid file or health URL shows it is not running
 * (containers are left to their owner). One line per target; exit 0 when every process target
 * runs afterwards, 1 otherwise (or for an invalid file).
 */
public final class StartTargetsCommand {
    private StartTargetsCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.length != 2) {
            err.println("usage: StartTargetsCommand FILE LOG_DIR");
            return 2;
        }
        SystemFile f;
        try {
            f = SystemFile.load(Path.of(args[0]), env);
        } catch (InvalidSystemFile e) {
            err.println(e.getMessage());
            return 1;
        }
        if (f.targets() == null) {
            out.println("targets: none in the system file (service_failure has nothing to act on)");
            return 0;
        }
        TargetsConfig targets = TargetsConfig.ofSystemFile(f.targets(), env);
        if (!targets.valid()) {
            targets.problems().forEach(p -> err.println("FAIL " + p));
            return 1;
        }
        int failed = 0;
        for (TargetConfig t : targets.targets().values()) {
            if (!(t instanceof ProcessTarget p)) {
                out.println("target " + t.name() + ": a container, started by its owner (docker), not here");
                continue;
            }
            if (p.startCommand() == null || p.startCommand().isEmpty()) {
                out.println("target " + p.name() + ": no start_command, not started here");
                continue;
            }
            try {
                TargetStarter.Outcome o = TargetStarter.ensureRunning(p, Path.of(args[1]), p.healthTimeoutMs() > 0 ? p.healthTimeoutMs() : 60_000);
                String pid = o.pid().isPresent() ? " (pid " + o.pid().getAsLong() + ")" : "";
                out.println("target " + p.name() + (o.started() ? ": started with " + String.join(" ", p.startCommand()) + pid
                        : ": already running" + pid));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            } catch (Exception e) {
                failed++;
                err.println("FAIL target " + p.name() + ": " + e.getMessage());
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
