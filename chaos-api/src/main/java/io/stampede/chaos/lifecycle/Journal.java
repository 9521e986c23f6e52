package io.stampede.chaos.lifecycle;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Append-only JSON-lines record of every experiment state change, forced to disk before the
 * change is acknowledged, so a restarted API knows which faults were left applied.
 */
public final class Journal implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;

    public Journal(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open journal " + file, e);
        }
    }

    public Path file() {
        return file;
    }

    /** Blocking: write one record and fsync. */
    public synchronized void append(JsonObject record) {
        ByteBuffer buf = ByteBuffer.wrap((record.encode() + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("journal write failed: " + file, e);
        }
    }

    /** Every complete record; a torn last line (crash mid-write) is skipped. */
    public static List<JsonObject> read(Path file) {
        List<JsonObject> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(new JsonObject(line));
                } catch (RuntimeException torn) {
                    // only the last line can be torn; nothing after it was acknowledged
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read journal " + file, e);
        }
        return out;
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing at shutdown
        }
    }
}
