package io.stampede.loadgen.cli;

import io.stampede.loadgen.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar loadgen/target/loadgen.jar run|agent|bench ...} */
@Command(name = "loadgen", mixinStandardHelpOptions = true, version = "stampede-loadgen 0.1.0",
        description = "Stampede's NATS load generator: open-model paced publishing, duplicates, delivery verification.",
        subcommands = {RunCommand.class, AgentCommand.class, BenchCommand.class})
public final class LoadgenCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        // the CLI's own logging setup; named so that it never shadows the logback.xml of an application embedding loadgen
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "loadgen-logback.xml");
        }
        int code = new CommandLine(new LoadgenCli()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("loadgen: " + e);
                    return 1;
                })
                .execute(args);
        System.exit(code);
    }
}
