package io.stampede.demo;

import org.slf4j.bridge.SLF4JBridgeHandler;

/** Route java.util.logging (jnats, JDK) into SLF4J so every line comes out as JSON. */
public final class Logging {
    private Logging() {}

    public static void init() {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
    }
}
