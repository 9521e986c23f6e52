package io.stampede.loadgen.cli;

import io.stampede.loadgen.agent.LoadAgent;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loadgen agent}: a load agent (NATS micro service) until SIGTERM. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Serve as a load agent: a NATS micro service (stampede-loadgen) that runs shares of `loadgen run --agents N`.")
public final class AgentCommand implements Callable<Integer> {
    @Option(names = "--nats-url", defaultValue = "${env:NATS_URL:-nats://127.0.0.1:4222}",
            description = "NATS server(s), comma-separated for a cluster (default: $NATS_URL or nats://127.0.0.1:4222)")
    String natsUrl;

    @Option(names = "--name", defaultValue = "${env:AGENT_NAME}",
            description = "agent name, [A-Za-z0-9_.-]{1,64} (default: $AGENT_NAME or <host>-<pid>)")
    String name;

    @Override
    public Integer call() throws Exception {
        LoadAgent a = new LoadAgent(natsUrl, name == null || name.isBlank() ? null : name).start();
        System.err.println("load agent " + a.name() + " (" + a.id() + ") on " + natsUrl);
        a.awaitShutdown();
        return 0;
    }
}
