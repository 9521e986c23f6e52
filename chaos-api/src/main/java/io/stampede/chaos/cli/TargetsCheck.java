package io.stampede.chaos.cli;

import static io.stampede.chaos.cli.CheckText.describe;
import static io.stampede.chaos.cli.CheckText.quote;
import static io.stampede.chaos.cli.CheckText.reason;

import io.stampede.chaos.servicefailure.ContainerTarget;
import io.stampede.chaos.servicefailure.ProcessTarget;
import io.stampede.chaos.servicefailure.TargetConfig;
import io.stampede.chaos.servicefailure.TargetsConfig;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Every target, in file order, as a crash experiment would act on it: its health URL answers 200,
 * a process's pid file names a live process (a missing or stale pid is a warning: the process may
 * just be stopped while its entry is right).
 */
final class TargetsCheck {
    private final CheckReport report;
    private final CheckHttp http;
    private final Map<String, String> env;

    TargetsCheck(CheckReport report, CheckHttp http, Map<String, String> env) {
        this.report = report;
        this.http = http;
        this.env = env;
    }

    void check(Map<String, Object> targets) {
        TargetsConfig cfg = TargetsConfig.ofSystemFile(targets, env);
        for (String p : cfg.problems()) {
            report.failLine(p.startsWith("targets") ? p : "targets: " + p);
        }
        cfg.targets().forEach((name, t) -> {
            try {
                target(name, t);
            } catch (RuntimeException e) {
                report.fail("targets." + name, "unexpected " + describe(e));
            }
        });
    }

    private void target(String name, TargetConfig t) {
        String at = "targets." + name;
        if (t.healthUrl() != null) {
            health(at + ".health_url", t);
        }
        if (t instanceof ProcessTarget p) {
            process(at, p);
        } else if (t instanceof ContainerTarget c) {
            report.ok(at, "container " + c.container() + " (not looked up in docker by check)");
        }
    }

    private void health(String key, TargetConfig t) {
        try {
            HttpResponse<String> r = http.get(t.healthUrl());
            int s = r.statusCode();
            if (s == 200) {
                report.ok(key, t.healthUrl() + " answered 200");
            } else if (s >= 200 && s < 300) {
                report.warn(key, t.healthUrl() + " answered " + s + ": a crash experiment waits for 200 to measure recovery");
            } else {
                report.fail(key, t.healthUrl() + " answered " + s + " (expected 200)");
            }
        } catch (Exception e) {
            report.fail(key, t.healthUrl() + " unreachable: " + reason(e));
        }
    }

    private void process(String at, ProcessTarget p) {
        String key = at + ".pid_file";
        Path file = p.pidFile();
        String text;
        try {
            text = Files.readString(file).strip();
        } catch (NoSuchFileException e) {
            report.warn(key, "no pid file at " + file + ": is " + p.name() + " running? a crash experiment needs its pid");
            return;
        } catch (Exception e) {
            report.warn(key, "cannot read " + file + " (" + reason(e) + "): is " + p.name() + " running? a crash experiment needs its pid");
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(text);
        } catch (NumberFormatException e) {
            report.warn(key, file + " holds no pid (" + quote(text, 40) + ")");
            return;
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (h.isEmpty() && !Files.isDirectory(Path.of("/proc", Long.toString(pid)))) {
            report.warn(key, "pid " + pid + " from " + file + " is not running: is " + p.name() + " down?");
            return;
        }
        Optional<String> cmd = h.flatMap(x -> x.info().commandLine());
        if (cmd.isPresent() && !p.match().isEmpty() && p.match().stream().noneMatch(cmd.get()::contains)) {
            report.warn(key, "pid " + pid + " is alive but its command line does not contain " + String.join(" or ", p.match())
                    + ": a crash experiment would not take it for " + p.name());
            return;
        }
        report.ok(key, "pid " + pid + " from " + file + " is alive");
    }
}
