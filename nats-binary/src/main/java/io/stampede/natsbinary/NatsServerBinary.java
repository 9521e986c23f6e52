package io.stampede.natsbinary;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the {@code nats-server} binary is, for Java code that starts its own server (loadgen's
 * bench, testkit's {@code NatsServer}): {@code $NATS_SERVER_BIN}, else the first executable
 * {@code nats-server} on {@code PATH}, else Debian's {@code /usr/sbin}, else {@code /usr/local/bin}.
 * The launcher script {@code stampede} looks the same way in bash.
 */
public final class NatsServerBinary {
    /** the environment variable that names the binary, checked first */
    public static final String ENV = "NATS_SERVER_BIN";

    private NatsServerBinary() {}

    /** The binary's path ({@code $NATS_SERVER_BIN} as given, else an absolute path), empty when none is found. */
    public static Optional<String> find() {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return Optional.of(env);
        }
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.add("/usr/sbin");
        dirs.add("/usr/local/bin");
        for (String d : dirs) {
            File f = new File(d, "nats-server");
            if (f.canExecute()) {
                return Optional.of(f.getAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /**
     * {@link #find()}, else an {@link IllegalStateException} saying
     * {@code "nats-server not found: " + advice}.
     */
    public static String require(String advice) {
        return find().orElseThrow(() -> new IllegalStateException("nats-server not found: " + advice));
    }
}
