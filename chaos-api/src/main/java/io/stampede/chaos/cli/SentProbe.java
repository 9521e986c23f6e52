package io.stampede.chaos.cli;

/**
 * A probe as published.
 *
 * @param sentAtMicros   the {@code {sent_at}} in its body (epoch microseconds)
 * @param publishedNanos {@link System#nanoTime()} just before the publish: end-to-end latency starts here
 */
record SentProbe(String id, long seq, String subject, long sentAtMicros, long publishedNanos) { }
