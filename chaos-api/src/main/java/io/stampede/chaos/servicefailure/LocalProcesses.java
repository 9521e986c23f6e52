package io.stampede.chaos.servicefailure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Pid files, process trees and signals for local-process targets. Blocking: worker threads only.
 *
 * <p>The injector works with {@link ProcId}: a process is identified by pid, start time (clock
 * ticks since boot, {@code /proc/<pid>/stat} field 22) and command line, and
 * {@link #signal(String, List)} re-reads both right before it signals, so a pid that was reused
 * since it was listed is left alone. The chaos API itself, its ancestors and pid &lt;= 1 are never
 * signalled. The {@link ProcessHandle} methods below are unchecked helpers for tests and cleanup.
 */
final class LocalProcesses {
    private LocalProcesses() {}

    /** A process as it was identified; compare with {@link #read(long)} before acting on it. */
    record ProcId(long pid, long startTicks, String cmdline) {
        /** Still the same process: same start time and command line, and not a zombie. */
        boolean alive() {
            return read(pid).filter(now -> now.startTicks == startTicks && now.cmdline.equals(cmdline)).isPresent();
        }
    }

    /** The number written in a pid file (first line), empty when the file is missing or holds no number. */
    static java.util.OptionalLong pidFromFile(Path pidFile) {
        try {
            String first = Files.readString(pidFile).trim().split("\\s+", 2)[0];
            return java.util.OptionalLong.of(Long.parseLong(first));
        } catch (IOException | NumberFormatException e) {
            return java.util.OptionalLong.empty();
        }
    }

    /** The live (not zombie) process with this pid as it is now, from /proc. */
    static Optional<ProcId> read(long pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        try {
            Path proc = Path.of("/proc", Long.toString(pid));
            String stat = Files.readString(proc.resolve("stat"));
            // fields after "(comm)": [0] = field 3 (state) ... [19] = field 22 (starttime)
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            char state = f[0].charAt(0);
            if (state == 'Z' || state == 'X') {
                return Optional.empty();
            }
            byte[] raw = Files.readAllBytes(proc.resolve("cmdline"));
            String cmdline = new String(raw, java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ').trim();
            return Optional.of(new ProcId(pid, Long.parseLong(f[19]), cmdline));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Why this pid must never be signalled, or null: pid &lt;= 1, the chaos API's own process, or
     * one of its ancestors (its tree would contain the API).
     */
    static String protectedReason(long pid) {
        if (pid <= 1) {
            return "pid " + pid + " is " + (pid == 1 ? "init (pid 1)" : "not a process");
        }
        ProcessHandle self = ProcessHandle.current();
        if (pid == self.pid()) {
            return "pid " + pid + " is the chaos API itself";
        }
        for (ProcessHandle p = self.parent().orElse(null); p != null; p = p.parent().orElse(null)) {
            if (p.pid() == pid) {
                return "pid " + pid + " is an ancestor of the chaos API (pid " + self.pid() + ")";
            }
        }
        return null;
    }

    /** Whether the command line (arguments joined by spaces) contains one of the patterns. */
    static boolean matches(ProcId id, List<String> patterns) {
        return patterns.stream().anyMatch(p -> !p.isEmpty() && id.cmdline().contains(p));
    }

    /** The process then its live descendants (parents before children), each identified now. */
    static List<ProcId> tree(ProcId root) {
        List<ProcId> all = new ArrayList<>();
        if (!root.alive()) {
            return all;
        }
        all.add(root);
        ProcessHandle.of(root.pid()).ifPresent(h -> h.descendants()
                .forEach(d -> read(d.pid()).filter(id -> protectedReason(id.pid()) == null).ifPresent(all::add)));
        return all;
    }

    /**
     * {@code kill -<signal>} on each process that is still the one identified (re-checked right
     * before the call); never on a protected pid. After a STOP, a pid whose identity changed in
     * the meantime (reused between the check and the kill) is sent CONT again. Returns the
     * processes signalled.
     */
    static List<ProcId> signal(String signal, List<ProcId> processes) throws IOException, InterruptedException {
        List<ProcId> checked = processes.stream()
                .filter(p -> protectedReason(p.pid()) == null && p.alive()).toList();
        kill(signal, checked.stream().map(ProcId::pid).toList());
        if (signal.equals("STOP")) {
            List<Long> changed = checked.stream().filter(p -> !p.alive()).map(ProcId::pid)
                    .filter(pid -> protectedReason(pid) == null).toList();
            kill("CONT", changed);
        }
        return checked;
    }

    /** SIGSTOP then SIGKILL the tree (identities re-checked before each signal); waits until none of it runs. */
    static void killTree(ProcId root, long timeoutMs) throws IOException, InterruptedException {
        // stop first so the parent cannot respawn children between the two steps
        signal("STOP", tree(root));
        List<ProcId> all = tree(root);
        signal("KILL", all);
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!all.stream().allMatch(LocalProcesses::gone)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("process tree of pid " + root.pid() + " still running after SIGKILL");
            }
            Thread.sleep(5);
        }
    }

    /** Fully exited (no thread left, see {@link #gone(ProcessHandle)}), or the pid now names another process. */
    static boolean gone(ProcId p) {
        Optional<ProcId> now = read(p.pid());
        if (now.isPresent()) {
            return now.get().startTicks() != p.startTicks();
        }
        String[] tasks = Path.of("/proc", Long.toString(p.pid()), "task").toFile().list();
        return tasks == null || tasks.length <= 1;
    }

    /** Whether the process, if still the same one, is stopped (state T). */
    static boolean stopped(ProcId p) {
        return p.alive() && stateOf(p.pid()) == 'T';
    }

    private static char stateOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException | RuntimeException e) {
            return '?';
        }
    }

    private static void kill(String signal, List<Long> pids) throws IOException, InterruptedException {
        if (pids.isEmpty()) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of("kill", "-" + signal));
        pids.forEach(p -> cmd.add(Long.toString(p)));
        Process kill = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        kill.getOutputStream().close();
        String out = new String(kill.getInputStream().readAllBytes());
        if (!kill.waitFor(5, TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            throw new IOException("kill -" + signal + " did not finish");
        }
        // exit 1 with "No such process" only means one of them already exited
        if (kill.exitValue() != 0 && !out.contains("No such process")
                && pids.stream().anyMatch(p -> read(p).isPresent())) {
            throw new IOException("kill -" + signal + " " + pids + " failed: " + out.trim());
        }
    }

    // ---------------------------------------------------------------- unchecked helpers (tests, cleanup)

    /** The live process a pid file names, if any. */
    static Optional<ProcessHandle> fromPidFile(Path pidFile) {
        String text;
        try {
            text = Files.readString(pidFile).trim();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
        try {
            return ProcessHandle.of(Long.parseLong(text)).filter(LocalProcesses::running);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The process with this pid only if it is the same one (same start time) and still running. */
    static Optional<ProcessHandle> same(long pid, long startMillis) {
        return ProcessHandle.of(pid)
                .filter(p -> startMillis <= 0 || startMillis(p) == startMillis)
                .filter(LocalProcesses::running);
    }

    static long startMillis(ProcessHandle p) {
        return p.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    /** Alive and not a zombie waiting to be reaped. */
    static boolean running(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return p.isAlive();
        }
    }

    /** The process then all its descendants (parents before children). */
    static List<ProcessHandle> tree(ProcessHandle root) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(root);
        root.descendants().forEach(all::add);
        return all;
    }

    /** {@code kill -<signal>} on each pid, unchecked (tests); protected pids are still skipped. */
    static void signalUnchecked(String signal, List<ProcessHandle> processes) throws IOException, InterruptedException {
        kill(signal, processes.stream().map(ProcessHandle::pid).filter(pid -> protectedReason(pid) == null).toList());
    }

    /** SIGKILL the tree of a handle (tests, cleanup) and wait until none of it runs. */
    static void killTree(ProcessHandle root, long timeoutMs) throws IOException, InterruptedException {
        Optional<ProcId> id = read(root.pid());
        if (id.isPresent()) {
            killTree(id.get(), timeoutMs);
        }
    }

    /**
     * Whether the process has fully exited. A multi-threaded process (a JVM) shows its leader as a
     * zombie while its other threads still exit and its sockets are still open; only when no
     * thread is left are its ports free for a restart.
     */
    static boolean gone(ProcessHandle p) {
        if (running(p)) {
            return false;
        }
        String[] tasks = Path.of("/proc", Long.toString(p.pid()), "task").toFile().list();
        return tasks == null || tasks.length <= 1;
    }

    /** Whether the process is stopped (state T) by a signal. */
    static boolean stopped(ProcessHandle p) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'T';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
