package io.stampede.chaos.lifecycle;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Append-only JSON-lines record of every experiment state change, forced to disk before the
 * change is acknowledged, so a restarted API knows which faults were left applied.
 *
 * <p>A crash can tear the last line (half a record, half a UTF-8 character, no newline). Reading
 * skips and reports such a line instead of failing, and opening starts the next append on a new
 * line so a torn tail never swallows the record after it. {@link #compact} rewrites the file
 * with one record per experiment (atomically: temp file, fsync, rename).
 */
public final class Journal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    /** What {@link #read} found: the complete records and how many lines it had to skip. */
    public record Contents(List<JsonObject> records, int skipped, boolean tornTail) {}

    private final Path file;
    private FileChannel channel;
    private boolean repairedTornTail;

    public Journal(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            this.repairedTornTail = lastByteIsNotNewline(file);
            this.channel = open(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open journal " + file, e);
        }
    }

    private static boolean lastByteIsNotNewline(Path file) throws IOException {
        if (!Files.exists(file) || Files.size(file) == 0) {
            return false;
        }
        try (FileChannel r = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer last = ByteBuffer.allocate(1);
            r.read(last, r.size() - 1);
            return last.get(0) != '\n';
        }
    }

    private static FileChannel open(Path file) throws IOException {
        boolean tornTail = lastByteIsNotNewline(file);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        if (tornTail) {
            // the next record must not be glued onto a torn tail
            ch.write(ByteBuffer.wrap(new byte[] {'\n'}));
            ch.force(false);
        }
        return ch;
    }

    public Path file() {
        return file;
    }

    /** Whether the file ended in a torn line when this process opened it (a newline was added). */
    public boolean repairedTornTail() {
        return repairedTornTail;
    }

    /** Blocking: write one record and fsync. Throws {@link UncheckedIOException} when the disk refuses. */
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

    /**
     * Replaces the file's content by {@code records} (one line each), atomically, and keeps
     * appending to the new file.
     */
    public synchronized void compact(Collection<JsonObject> records) {
        Path tmp = file.resolveSibling(file.getFileName() + ".compact");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                StringBuilder sb = new StringBuilder();
                for (JsonObject r : records) {
                    sb.append(r.encode()).append('\n');
                }
                ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
                out.force(true);
            }
            channel.close();
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            channel = open(file);
        } catch (IOException e) {
            throw new UncheckedIOException("journal compaction failed: " + file, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a leftover temp file is harmless: the next compaction truncates it
            }
            if (!channel.isOpen()) {
                try {
                    channel = open(file);
                } catch (IOException reopen) {
                    log.error("journal {} could not be reopened after a failed compaction: {}", file, reopen.toString());
                }
            }
        }
    }

    /**
     * Every complete record. Lines that are not a JSON object (a torn tail, bytes that are not
     * UTF-8) are skipped and counted; they were never acknowledged.
     */
    public static Contents read(Path file) {
        List<JsonObject> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return new Contents(out, 0, false);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read journal " + file, e);
        }
        // decoding replaces malformed bytes instead of throwing; such a line then fails to parse
        String text = new String(bytes, StandardCharsets.UTF_8);
        boolean endsWithNewline = text.isEmpty() || text.charAt(text.length() - 1) == '\n';
        String[] lines = text.split("\n", -1);
        int skipped = 0;
        boolean tornTail = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(new JsonObject(line));
            } catch (RuntimeException torn) {
                skipped++;
                if (i == lines.length - 1 && !endsWithNewline) {
                    tornTail = true;
                }
                log.warn("journal {}: line {} is not a complete record (torn by a crash?), skipped: {}", file, i + 1,
                        line.length() > 80 ? line.substring(0, 80) + "…" : line);
            }
        }
        return new Contents(out, skipped, tornTail);
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
