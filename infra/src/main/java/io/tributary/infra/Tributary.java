package io.tributary.infra;

import io.tributary.infra.devnet.DevnetCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code tributary} command line: {@code ./tributary --help} lists what it does. */
@Command(
        name = "tributary",
        mixinStandardHelpOptions = true,
        versionProvider = Tributary.Version.class,
        description = "Tributary: a cross-chain network for training machine-learning models together.",
        subcommands = {DemoCommand.class, TestCommand.class, DevnetCommand.class, RelayerCommand.class,
            KeeperCommand.class, IntakeCommand.class, StatusCommand.class,
            WorkerCommand.class, BenchCommand.class, TaskCommand.class, FlinkCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run ./tributary <command> --help for the options of a command."})
public final class Tributary implements Runnable {

    @Spec
    CommandSpec spec;

    /** Without a command: show the help. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The command line, ready to {@code execute(args)}; tests run it in-process. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Tributary());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException || e instanceof java.io.IOException) {
                commandLine.getErr().println("tributary: " + e.getMessage());
                commandLine.getErr().flush();
                return 1;
            }
            throw e;
        });
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Prints the project version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tributary " + Environment.version()};
        }
    }
}
