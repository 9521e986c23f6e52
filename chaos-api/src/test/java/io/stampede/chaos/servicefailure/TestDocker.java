package io.stampede.chaos.servicefailure;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test support for a real Docker engine: no image can be pulled, so targets run host binaries
 * from an empty rootfs image with {@code -v /usr:/usr:ro} and host networking.
 */
final class TestDocker {
    static final String IMAGE = "stampede-test-usr:1";
    static final String PYTHON = "/usr/bin/python3";

    private TestDocker() {}

    /** Fails under CI (the engine is part of CI), skips locally when no engine answers. */
    static DockerEngine requireEngine() {
        DockerEngine engine = new DockerEngine(DockerEngine.DEFAULT_SOCKET);
        String why;
        try {
            engine.apiVersion();
            return engine;
        } catch (IOException e) {
            why = "no Docker engine answers on " + DockerEngine.DEFAULT_SOCKET + ": " + e.getMessage();
        }
        if (System.getenv("CI") != null) {
            fail(why + " (CI is set: .ci/run must start dockerd)");
        }
        assumeTrue(false, why + " — start one with: setsid dockerd >/tmp/dockerd.log 2>&1 </dev/null &");
        return engine;
    }

    /** Builds the empty-rootfs image once; later calls find it by name. */
    static synchronized void ensureImage() throws Exception {
        if (docker("image", "inspect", IMAGE).exit == 0) {
            return;
        }
        Path root = Files.createTempDirectory("stampede-rootfs");
        for (String d : List.of("usr", "tmp", "etc", "proc", "sys", "dev", "sbin")) {
            Files.createDirectories(root.resolve(d));
        }
        // bin/lib/lib64 into usr like a merged-usr host; sbin stays a directory for --init's docker-init
        Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
        Files.createSymbolicLink(root.resolve("lib"), Path.of("usr/lib"));
        Files.createSymbolicLink(root.resolve("lib64"), Path.of("usr/lib64"));
        Path tar = root.resolveSibling(root.getFileName() + ".tar");
        run(List.of("tar", "-C", root.toString(), "-cf", tar.toString(), "."), 30).check();
        docker("import", tar.toString(), IMAGE).check();
    }

    /** Starts {@code python3 -m http.server port} in a container; returns its id. */
    static String runHttpServer(String name, int port) throws Exception {
        Result r = docker("run", "-d", "--name", name, "--network", "host", "--init", "-v", "/usr:/usr:ro",
                "--label", "stampede-test=1", IMAGE, PYTHON, "-m", "http.server", Integer.toString(port),
                "--bind", "127.0.0.1");
        r.check();
        return r.out.trim();
    }

    static void forceRemove(String name) {
        try {
            docker("rm", "-f", name);
        } catch (Exception ignored) {
            // best effort cleanup
        }
    }

    record Result(int exit, String out) {
        Result check() {
            if (exit != 0) {
                throw new AssertionError("command failed (" + exit + "): " + out);
            }
            return this;
        }
    }

    static Result docker(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("docker");
        cmd.addAll(List.of(args));
        return run(cmd, 30);
    }

    static Result run(List<String> cmd, int timeoutS) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
