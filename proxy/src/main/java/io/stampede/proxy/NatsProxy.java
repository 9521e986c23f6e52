package io.stampede.proxy;

import io.stampede.proxy.api.ProxyFault;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A TCP proxy in front of NATS that can hold bytes back (latency, jitter, bandwidth) or reset
 * connections, without ever reordering the bytes of a connection.
 *
 * <pre>
 *  client ──► [read, stamp arrival, release = arrival + delay] ─ up pipe ring ──► [write at release] ──► nats-server
 *  client ◄── [write at release] ◄── down pipe ring ─ [read, stamp arrival]  ◄──────────────────────────── nats-server
 *                      one loop thread: Selector + deadline queue of pipes
 * </pre>
 *
 * <p>One thread runs everything: accepts, reads, writes and a queue of pipes ordered by the release
 * time of their oldest held chunk. It waits in {@code select} while the next release is more than
 * {@value #SELECT_MARGIN_MICROS} µs away, polls with short parks closer than that and spins the last
 * {@value #SPIN_MICROS} µs, so releases are late by microseconds, never early. Without a fault a
 * read chunk is written straight away from the same buffer (one copy into user space and out).
 */
public final class NatsProxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NatsProxy.class);
    static final long SELECT_MARGIN_MICROS = 2_000;
    static final long SPIN_MICROS = 100;
    private static final long SELECT_MARGIN_NANOS = SELECT_MARGIN_MICROS * 1_000;
    private static final long SPIN_NANOS = SPIN_MICROS * 1_000;
    private static final long PARK_NANOS = 30_000;
    private static final Object ACCEPT = new Object();

    private final ProxyConfig config;
    private final Selector selector;
    private final ServerSocketChannel acceptor;
    private final FaultTable faults = new FaultTable();
    private final Memory memory;
    private final FrameStore store;
    private final ScheduledExecutorService expiry;
    private final java.util.Map<String, ScheduledFuture<?>> expiryTasks = new java.util.concurrent.ConcurrentHashMap<>();
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread loopThread;
    private final Instant startedAt = Instant.now();
    private volatile boolean running = true;
    private volatile Throwable loopFailure;

    // ---- loop-confined state ----
    private final Set<Connection> connections = new LinkedHashSet<>();
    private final PriorityQueue<Pipe> deadlines =
            new PriorityQueue<>(64, Comparator.comparingLong((Pipe p) -> p.queuedDeadline));
    private final Consumer<SelectionKey> keyHandler = this::onKey;
    private final Pipe.LatenessRecorder lateness = this::recordLateness;
    private final Histogram lateToServer = new Histogram(3_600_000_000L, 3);
    private final Histogram lateToClient = new Histogram(3_600_000_000L, 3);
    private FaultTable.Plan plan = FaultTable.Plan.NONE;
    private long connectionSeq;
    private long accepted;
    private long resets;
    private long bytesToServer;
    private long bytesToClient;
    private long maxQueued;
    private long readStalls;
    private long oversizeClosed;
    private long lastIoNanos;
    private final long busyPollNanos;

    private NatsProxy(ProxyConfig config) throws IOException {
        this.config = config;
        this.busyPollNanos = config.busyPollMicros() * 1_000L;
        this.memory = new Memory(config.memoryBudgetBytes());
        this.store = new FrameStore(memory);
        this.selector = Selector.open();
        this.acceptor = ServerSocketChannel.open();
        acceptor.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        acceptor.bind(config.listenAddress(), 1024);
        acceptor.configureBlocking(false);
        acceptor.register(selector, SelectionKey.OP_ACCEPT, ACCEPT);
        this.expiry = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nats-proxy-expiry");
            t.setDaemon(true);
            return t;
        });
        this.loopThread = new Thread(this::run, "nats-proxy-loop");
        loopThread.setDaemon(true);
    }

    public static NatsProxy start(ProxyConfig config) throws IOException {
        List<String> problems = config.validate();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid proxy config: " + problems);
        }
        NatsProxy p = new NatsProxy(config);
        p.loopThread.start();
        log.info("nats proxy listening on {} in front of {}", p.listenAddress(), config.upstreamAddress());
        return p;
    }

    public ProxyConfig config() {
        return config;
    }

    public InetSocketAddress listenAddress() {
        try {
            return (InetSocketAddress) acceptor.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public int listenPort() {
        return listenAddress().getPort();
    }

    // ---------------------------------------------------------------- faults (any thread)

    /** Adds or replaces a fault; open connections are affected at once. */
    public void putFault(String id, ProxyFault fault) {
        putFaultQuietly(id, fault);
        log.info("fault {} applied: {}", id, fault.toJson().encode());
    }

    /** {@link #putFault} without the log line (the admin API logs after answering); its applied_at. */
    String putFaultQuietly(String id, ProxyFault fault) {
        List<String> problems = fault.validate();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        faults.put(id, fault);
        scheduleExpiry(id, fault);
        if (fault.dropConnections()) {
            // open connections are reset by the loop before this returns
            await(call(() -> {
                applyPlan(faults.current(), true);
                return null;
            }));
        } else {
            // published: the loop runs the new plan before its next read or accept, so whatever
            // it reads after this returns is affected; the wake-up makes it reschedule held bytes
            // now. No waiting for the loop (a thread hand-off each way on a busy box).
            selector.wakeup();
        }
        FaultTable.Entry e = faults.get(id);
        return e == null ? Instant.now().toString() : e.appliedAt().toString();
    }

    private final Histogram adminCalls = new Histogram(60_000_000L, 2);

    synchronized void recordAdminCall(long nanos) {
        adminCalls.recordValue(Math.min(60_000_000L, nanos / 1_000));
    }

    private synchronized JsonObject adminCallPercentiles() {
        return percentiles(adminCalls);
    }

    /** Removes a fault (idempotent); bytes it held are released in order at once. */
    public boolean removeFault(String id) {
        return removeFaultWithCounters(id) != null;
    }

    /**
     * Removes a fault (idempotent); what it held is released at once.
     *
     * @return its final message counters ({@code {}} for a byte fault), null when it was not there
     */
    public JsonObject removeFaultWithCounters(String id) {
        JsonObject c = removeFaultQuietly(id);
        if (c != null) {
            log.info("fault {} removed {}", id, c.encode());
        }
        return c;
    }

    /** {@link #removeFaultWithCounters} without the log line. */
    JsonObject removeFaultQuietly(String id) {
        ScheduledFuture<?> t = expiryTasks.remove(id);
        if (t != null) {
            t.cancel(false);
        }
        FaultTable.Removed r = faults.remove(id);
        if (r == null) {
            return null;
        }
        MessageFault mf = r.entry().runtime();
        if (mf == null) {
            selector.wakeup(); // a byte fault: the loop releases what it held on its next turn
            return new JsonObject();
        }
        // a message fault's final counters: once the loop runs without it (they are loop-confined)
        return await(call(() -> {
            syncPlan();
            return mf.counters();
        }));
    }

    public JsonObject faults() {
        return faults.toJson();
    }

    /** The fault with {@code applied_at} and, for a message fault, its {@code counters}. */
    public JsonObject fault(String id) {
        FaultTable.Entry e = faults.get(id);
        if (e == null) {
            return null;
        }
        JsonObject j = e.fault().toJson().put("applied_at", e.appliedAt().toString());
        if (e.runtime() != null) {
            j.put("counters", await(call(e.runtime()::counters)));
        }
        return j;
    }

    /** Prometheus text: connections, bytes, held, memory, and each message fault's counters. */
    public String metrics() {
        return await(call(this::metricsOnLoop));
    }

    private String metricsOnLoop() {
        StringBuilder b = new StringBuilder(1024);
        long held = 0;
        for (Connection c : connections) {
            held += c.up.queuedBytes() + c.down.queuedBytes();
        }
        gauge(b, "nats_proxy_connections", "open client connections", connections.size());
        counter(b, "nats_proxy_bytes_to_server_total", "bytes written to nats-server", bytesToServer);
        counter(b, "nats_proxy_bytes_to_client_total", "bytes written to clients", bytesToClient);
        gauge(b, "nats_proxy_queued_bytes", "bytes held in rings and held frames", held);
        gauge(b, "nats_proxy_offheap_bytes", "direct buffers taken from the memory budget", memory.ringBytes() + memory.heldBytes());
        gauge(b, "nats_proxy_memory_budget_bytes", "the memory budget", memory.budget());
        counter(b, "nats_proxy_budget_refusals_total", "buffers refused by the memory budget", memory.refusals());
        String[] names = {"matched", "delayed", "dropped", "duplicated", "reordered", "unheld_over_budget"};
        for (String n : names) {
            b.append("# TYPE nats_proxy_messages_").append(n).append("_total counter\n");
            for (MessageFault f : plan.messageFaults()) {
                long v = switch (n) {
                    case "matched" -> f.matched;
                    case "delayed" -> f.delayed;
                    case "dropped" -> f.dropped;
                    case "duplicated" -> f.duplicated;
                    case "reordered" -> f.reordered;
                    default -> f.unheldOverBudget;
                };
                b.append("nats_proxy_messages_").append(n).append("_total{fault=\"").append(f.id)
                        .append("\",subject=\"").append(f.filter).append("\"} ").append(v).append('\n');
            }
        }
        return b.toString();
    }

    private static void gauge(StringBuilder b, String name, String help, long v) {
        b.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(v).append('\n');
    }

    private static void counter(StringBuilder b, String name, String help, long v) {
        b.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(v).append('\n');
    }

    /** Connections, bytes each way, held bytes, delay accuracy, active faults. */
    public JsonObject stats() {
        JsonObject s = await(call(this::statsOnLoop));
        for (var pool : java.lang.management.ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                s.put("direct_buffer_bytes", pool.getMemoryUsed());
            }
        }
        long gcCount = 0;
        long gcMillis = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        s.put("gc", new JsonObject().put("count", gcCount).put("time_ms", gcMillis));
        long rss = residentSetBytes();
        if (rss > 0) {
            s.put("rss_bytes", rss);
        }
        s.put("admin_call_us", adminCallPercentiles());
        return s.put("faults", faults.toJson());
    }

    /**
     * Null while the proxy carries traffic; otherwise why it does not: the loop thread ended (and
     * with what), the listening socket is closed, or the loop did not run a no-op task within
     * {@code timeoutMs} (wedged). Any thread; waits at most {@code timeoutMs}.
     */
    public String unhealthyReason(long timeoutMs) {
        Throwable died = loopFailure;
        if (died != null) {
            return "proxy loop died: " + died;
        }
        if (!running || !loopThread.isAlive()) {
            return "proxy loop is not running (closed)";
        }
        if (!acceptor.isOpen()) {
            return "listening socket " + config.listenHost() + ":" + config.listenPort() + " is closed";
        }
        try {
            call(() -> Boolean.TRUE).get(timeoutMs, TimeUnit.MILLISECONDS);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while checking the proxy loop";
        } catch (java.util.concurrent.TimeoutException e) {
            return "proxy loop did not answer within " + timeoutMs + " ms";
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable again = loopFailure;
            return again != null ? "proxy loop died: " + again : "proxy loop did not answer: " + e.getCause();
        }
    }

    private static long residentSetBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return -1;
    }

    private void scheduleExpiry(String id, ProxyFault fault) {
        ScheduledFuture<?> old = expiryTasks.remove(id);
        if (old != null) {
            old.cancel(false);
        }
        if (fault.expiresAt() != null) {
            long ms = Math.max(0, Duration.between(Instant.now(), fault.expiresAt()).toMillis());
            expiryTasks.put(id, expiry.schedule(() -> {
                FaultTable.Entry e = faults.get(id);
                if (e != null && e.fault().equals(fault)) {
                    log.info("fault {} expired at {}", id, fault.expiresAt());
                    removeFault(id);
                }
            }, ms, TimeUnit.MILLISECONDS));
        }
    }

    /** Admin threads never hang on a dead loop: the fault table stays the truth either way. */
    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("proxy loop did not answer: " + e, e);
        }
    }

    private <T> CompletableFuture<T> call(Supplier<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (!running) {
            f.completeExceptionally(new IllegalStateException("proxy closed"));
            return f;
        }
        tasks.add(() -> {
            try {
                syncPlan(); // what it reads (counters, faults) includes every change made before the call
                f.complete(task.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        selector.wakeup();
        return f;
    }

    // ---------------------------------------------------------------- loop

    private void run() {
        try {
            while (running) {
                syncPlan();
                runTasks();
                long now = System.nanoTime();
                releaseDue(now);
                long wait = deadlines.isEmpty() ? Long.MAX_VALUE : deadlines.peek().queuedDeadline - now;
                if (busyPollNanos > 0 && now - lastIoNanos < busyPollNanos && wait > SPIN_NANOS) {
                    // traffic just passed: the next chunk is likely close, skip the kernel wake-up
                    if (selector.selectNow(keyHandler) > 0) {
                        lastIoNanos = System.nanoTime();
                    } else {
                        Thread.onSpinWait();
                    }
                } else if (wait == Long.MAX_VALUE) {
                    selector.select(keyHandler, 0);
                } else if (wait > SELECT_MARGIN_NANOS) {
                    // epoll waits in whole milliseconds: wake up early, finish by polling
                    selector.select(keyHandler, (wait - SELECT_MARGIN_NANOS / 2) / 1_000_000);
                } else if (wait > SPIN_NANOS) {
                    if (selector.selectNow(keyHandler) == 0) {
                        LockSupport.parkNanos(Math.min(PARK_NANOS, wait - SPIN_NANOS));
                    }
                } else {
                    selector.selectNow(keyHandler);
                }
            }
        } catch (Throwable t) {
            loopFailure = t;
            log.error("nats proxy loop died", t);
        } finally {
            running = false;
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run(); // answers pending admin calls rather than leaving them waiting
            }
            for (Connection c : new ArrayList<>(connections)) {
                c.close(false);
            }
            connections.clear();
            try {
                selector.close();
                acceptor.close();
            } catch (IOException ignored) {
                // shutting down
            }
        }
    }

    private void runTasks() {
        Runnable r;
        while ((r = tasks.poll()) != null) {
            r.run();
        }
    }

    private void releaseDue(long now) {
        while (!deadlines.isEmpty() && deadlines.peek().queuedDeadline <= now) {
            Pipe p = deadlines.poll();
            p.inDeadlineQueue = false;
            p.releaseDue(now, lateness);
            afterPipeChange(p);
        }
    }

    /** Writes what is released, re-queues what is held, updates interest; closes on error or end. */
    private void afterPipeChange(Pipe p) {
        Connection c = p.conn;
        if (c.closed) {
            return;
        }
        try {
            if (c.connected && p.needsFlush()) {
                count(p, p.flush());
            }
            if (p.hasHeld() && !p.inDeadlineQueue) {
                p.queuedDeadline = p.oldestHeldRelease();
                p.inDeadlineQueue = true;
                deadlines.add(p);
            }
            maxQueued = Math.max(maxQueued, p.queuedBytes());
            c.updateInterest();
            if (c.finished()) {
                closeConnection(c, false);
            }
        } catch (IOException e) {
            closeConnection(c, true);
        }
    }

    private void count(Pipe p, long written) {
        if (p.toServer) {
            bytesToServer += written;
        } else {
            bytesToClient += written;
        }
    }

    private void onKey(SelectionKey key) {
        Object a = key.attachment();
        if (a == ACCEPT) {
            accept();
            return;
        }
        Connection.Endpoint e = (Connection.Endpoint) a;
        Connection c = e.conn;
        lastIoNanos = System.nanoTime();
        if (c.closed || !key.isValid()) {
            return;
        }
        try {
            int ready = key.readyOps();
            if ((ready & SelectionKey.OP_CONNECT) != 0) {
                c.server.finishConnect();
                c.connected = true;
                c.updateInterest();
                return;
            }
            if ((ready & SelectionKey.OP_WRITE) != 0) {
                count(e.writePipe, e.writePipe.flush());
            }
            if ((ready & SelectionKey.OP_READ) != 0) {
                syncPlan(); // a fault put just now applies to this read
                Pipe p = e.readPipe;
                int n = p.read(p.toServer ? plan.toServer() : plan.toClient());
                if (n > 0 || n < 0) {
                    afterPipeChange(p);
                    if (!p.wantsRead() && !p.srcEof) {
                        readStalls++;
                    }
                }
            }
            c.updateInterest();
            if (c.finished()) {
                closeConnection(c, false);
            }
        } catch (IOException ex) {
            closeConnection(c, true);
        }
    }

    private void accept() {
        SocketChannel client;
        try {
            client = acceptor.accept();
        } catch (IOException e) {
            log.warn("accept failed", e);
            return;
        }
        if (client == null) {
            return;
        }
        accepted++;
        syncPlan();
        SocketChannel server = null;
        try {
            client.configureBlocking(false);
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (plan.dropConnections()) {
                resets++;
                client.setOption(StandardSocketOptions.SO_LINGER, 0);
                client.close();
                return;
            }
            server = SocketChannel.open();
            server.configureBlocking(false);
            server.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Connection c;
            try {
                c = new Connection(++connectionSeq, client, server, config.ringLimit(), memory, store);
            } catch (IllegalStateException budget) {
                log.warn("connection refused: {}", budget.getMessage());
                resets++;
                client.setOption(StandardSocketOptions.SO_LINGER, 0);
                client.close();
                server.close();
                return;
            }
            c.setFaults(plan.messageFaults(), System.nanoTime());
            c.clientEnd.key = client.register(selector, 0, c.clientEnd);
            if (server.connect(config.upstreamAddress())) {
                c.serverEnd.key = server.register(selector, 0, c.serverEnd);
                c.connected = true;
                c.updateInterest();
            } else {
                c.serverEnd.key = server.register(selector, SelectionKey.OP_CONNECT, c.serverEnd);
            }
            connections.add(c);
        } catch (IOException e) {
            log.warn("cannot reach upstream {}: {}", config.upstreamAddress(), e.toString());
            try {
                client.setOption(StandardSocketOptions.SO_LINGER, 0);
                client.close();
                if (server != null) {
                    server.close();
                }
            } catch (IOException ignored) {
                // already failing
            }
        }
    }

    private void closeConnection(Connection c, boolean reset) {
        if (c.closed) {
            return;
        }
        c.close(reset);
        oversizeClosed += c.up.oversizePassed + c.down.oversizePassed;
        if (reset) {
            resets++;
        }
        connections.remove(c);
        if (c.up.inDeadlineQueue) {
            deadlines.remove(c.up);
            c.up.inDeadlineQueue = false;
        }
        if (c.down.inDeadlineQueue) {
            deadlines.remove(c.down);
            c.down.inDeadlineQueue = false;
        }
    }

    /** Runs the latest published plan if the loop does not run it yet (a volatile read otherwise). */
    private void syncPlan() {
        FaultTable.Plan p = faults.current();
        if (p != plan) {
            applyPlan(p, false);
        }
    }

    private void applyPlan(FaultTable.Plan next, boolean dropNow) {
        plan = next;
        if (dropNow) {
            for (Connection c : new ArrayList<>(connections)) {
                closeConnection(c, true);
            }
            return;
        }
        long now = System.nanoTime();
        for (Connection c : new ArrayList<>(connections)) {
            c.setFaults(next.messageFaults(), now);
            reschedule(c.up, next.toServer(), now);
            reschedule(c.down, next.toClient(), now);
        }
    }

    private void reschedule(Pipe p, ChunkPolicy policy, long now) {
        if (!p.hasHeld()) {
            return;
        }
        if (p.inDeadlineQueue) {
            deadlines.remove(p);
            p.inDeadlineQueue = false;
        }
        p.reschedule(policy);
        p.releaseDue(now, lateness);
        afterPipeChange(p);
    }

    private void recordLateness(boolean toServer, long lateNanos, long heldNanos) {
        (toServer ? lateToServer : lateToClient).recordValue(Math.max(0, lateNanos) / 1_000);
    }

    private JsonObject statsOnLoop() {
        long queued = 0;
        long heldFrames = 0;
        long heldFrameBytes = 0;
        long tls = 0;
        long oversize = 0;
        for (Connection c : connections) {
            queued += c.up.queuedBytes() + c.down.queuedBytes();
            heldFrames += c.up.heldFrames() + c.down.heldFrames();
            heldFrameBytes += c.up.heldFrameBytes() + c.down.heldFrameBytes();
            tls += c.tls ? 1 : 0;
            oversize += c.up.oversizePassed + c.down.oversizePassed;
        }
        oversize += oversizeClosed;
        JsonObject counters = new JsonObject();
        for (MessageFault f : plan.messageFaults()) {
            counters.put(f.id, f.counters());
        }
        return new JsonObject()
                .put("listen", config.listenHost() + ":" + listenPort())
                .put("upstream", config.upstreamHost() + ":" + config.upstreamPort())
                .put("started_at", startedAt.toString())
                .put("connections", connections.size())
                .put("connections_accepted", accepted)
                .put("connections_reset", resets)
                .put("bytes_to_server", bytesToServer)
                .put("bytes_to_client", bytesToClient)
                .put("queued_bytes", queued)
                .put("queued_bytes_max", maxQueued)
                .put("queued_bytes_limit_per_direction", config.ringLimit())
                .put("read_stalls", readStalls)
                .put("connections_tls", tls)
                .put("frames_passed_oversize", oversize)
                .put("held_frames", heldFrames)
                .put("held_frame_bytes", heldFrameBytes)
                .put("memory", new JsonObject()
                        .put("budget_bytes", memory.budget())
                        .put("ring_bytes", memory.ringBytes())
                        .put("held_bytes", memory.heldBytes())
                        .put("peak_bytes", memory.peak())
                        .put("budget_refusals", memory.refusals())
                        .put("over_budget", memory.refusals() > 0))
                .put("message_counters", counters)
                .put("delay_lateness_us", new JsonObject()
                        .put("to_server", percentiles(lateToServer))
                        .put("to_client", percentiles(lateToClient)));
    }

    private static JsonObject percentiles(Histogram h) {
        return new JsonObject()
                .put("count", h.getTotalCount())
                .put("p50", h.getValueAtPercentile(50))
                .put("p99", h.getValueAtPercentile(99))
                .put("max", h.getMaxValue());
    }

    /** Clears delay accuracy, queued bytes max and read stalls (to measure one phase at a time). */
    public void resetPeaks() {
        await(call(() -> {
            lateToServer.reset();
            lateToClient.reset();
            maxQueued = 0;
            readStalls = 0;
            memory.resetPeak();
            synchronized (this) {
                adminCalls.reset();
            }
            return null;
        }));
    }

    /** Test hook: the loop thread throws {@code e} from its next task, as a bug in the loop would. */
    void failLoopForTest(Error e) {
        tasks.add(() -> {
            throw e;
        });
        selector.wakeup();
    }

    /** Test hook: closes the listening socket under the loop, as a failed accept path would leave it. */
    void closeListenerForTest() throws IOException {
        acceptor.close();
        selector.wakeup();
    }

    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        selector.wakeup();
        expiry.shutdownNow();
        try {
            loopThread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
