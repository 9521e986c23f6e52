package io.stampede.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The NATS proxy as its own process, so traffic keeps flowing whatever happens to the chaos API:
 * {@code java -jar proxy/target/proxy.jar
 * [--listen=127.0.0.1:4223] [--upstream=127.0.0.1:4222] [--admin=127.0.0.1:4224]}
 * (or the {@code PROXY_*} environment keys of {@link ProxyConfig}). Stops on SIGTERM/SIGINT.
 */
public final class ProxyMain {
    private static final Logger log = LoggerFactory.getLogger(ProxyMain.class);

    private ProxyMain() {}

    public static void main(String[] args) throws Exception {
        ProxyConfig config;
        try {
            config = ProxyConfig.from(System.getenv(), args);
        } catch (RuntimeException e) {
            System.err.println("nats proxy: " + e.getMessage());
            System.exit(2);
            return;
        }
        List<String> problems = config.validate();
        if (!problems.isEmpty()) {
            System.err.println("nats proxy: invalid configuration: " + problems);
            System.exit(2);
        }
        NatsProxy proxy = NatsProxy.start(config);
        AdminServer admin = AdminServer.start(proxy);
        // one line a supervisor (or test) can wait for
        System.out.println("NATS_PROXY_READY listen=" + proxy.listenPort() + " admin=" + admin.port());
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("nats proxy stopping");
            admin.close();
            proxy.close();
            stopped.countDown();
        }, "nats-proxy-shutdown"));
        stopped.await();
    }
}
