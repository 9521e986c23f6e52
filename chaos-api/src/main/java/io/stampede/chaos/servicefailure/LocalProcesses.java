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
 * Pid files, process trees and signals for local-process targets. A process is identified by
 * pid plus start time so that a reused pid is never signalled. Blocking: worker threads only.
 */
final class LocalProcesses {
    private LocalProcesses() {}

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

    /** {@code kill -<signal>} on each pid; pids that vanished meanwhile are ignored. */
    static void signal(String signal, List<ProcessHandle> processes) throws IOException, InterruptedException {
        if (processes.isEmpty()) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of("kill", "-" + signal));
        processes.forEach(p -> cmd.add(Long.toString(p.pid())));
        Process kill = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        kill.getOutputStream().close();
        String out = new String(kill.getInputStream().readAllBytes());
        if (!kill.waitFor(5, TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            throw new IOException("kill -" + signal + " did not finish");
        }
        // exit 1 with "No such process" only means one of them already exited
        if (kill.exitValue() != 0 && processes.stream().anyMatch(LocalProcesses::running)
                && !out.contains("No such process")) {
            throw new IOException("kill -" + signal + " " + cmd.subList(2, cmd.size()) + " failed: " + out.trim());
        }
    }

    /** SIGKILL the tree and wait until none of it runs. */
    static void killTree(ProcessHandle root, long timeoutMs) throws IOException, InterruptedException {
        List<ProcessHandle> all = tree(root);
        // stop first so the parent cannot respawn children between the two steps
        signal("STOP", all);
        all = tree(root);
        all.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!all.stream().allMatch(LocalProcesses::gone)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("process tree of pid " + root.pid() + " still running after SIGKILL");
            }
            Thread.sleep(5);
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
