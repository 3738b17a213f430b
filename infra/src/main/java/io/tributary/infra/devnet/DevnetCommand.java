package io.tributary.infra.devnet;

import io.tributary.infra.Environment;
import io.tributary.infra.Tributary;
import io.tributary.schemas.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tributary devnet up|down|status}: the local network of chains, Kafka and Postgres. */
@Command(
        name = "devnet",
        description = "Start, inspect and stop the local devnet: three anvil chains, a Kafka broker, a Postgres.",
        subcommands = {DevnetCommand.Up.class, DevnetCommand.Down.class, DevnetCommand.Status.class},
        mixinStandardHelpOptions = true)
public final class DevnetCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The --dir option every devnet command shares. */
    static final class DirOption {
        @Option(names = "--dir", paramLabel = "DIR",
                description = "Devnet directory (default: target/devnet under the repository root).")
        Path dir;

        Path resolve() {
            Path chosen = dir != null ? dir : Environment.current().defaultDevnetDir();
            return chosen.toAbsolutePath().normalize();
        }
    }

    /** The devnet's parts with the topics of the topic registry. */
    static DevnetConfig config(Path dir, Path anvil, int partitions) {
        Environment env = Environment.current();
        return new DevnetConfig(dir, anvil != null ? anvil : env.anvil(), env.cacheDir(), ChainSpec.defaults(),
                Topics.all().stream().map(Topics.Topic::name).toList(), partitions);
    }

    /** Prints where everything is. */
    static void printSummary(PrintWriter out, DevnetInfo info) {
        out.printf("devnet ready: %s%n", DevnetInfo.file(Path.of(info.dir())));
        for (DevnetInfo.Chain chain : info.chains()) {
            out.printf("  %-16s chain id %-7d %-11s block %5d ms  %s  %s  pid %d%n", chain.name(), chain.chainId(),
                    chain.role().name().toLowerCase(), chain.blockTimeMillis(), chain.rpcUrl(), chain.wsUrl(), chain.pid());
        }
        out.printf("  %-16s %s  %d topics x %d partitions  (in the supervisor, pid %d)%n", "kafka",
                info.kafka().bootstrapServers(), info.kafka().topics().size(), info.kafka().partitions(), info.kafka().pid());
        out.printf("  %-16s %s  user %s  pid %d%n", "postgres", info.postgres().jdbcUrl(), info.postgres().user(),
                info.postgres().pid());
        for (DevnetInfo.Chain chain : info.chains()) {
            if (chain.contracts() != null) {
                StringBuilder line = new StringBuilder();
                chain.contracts().addresses().forEach((name, address) -> line.append("  ").append(name).append(' ').append(address));
                out.printf("  %-16s%s%n", "contracts " + chain.name().split("-")[0], line);
            }
        }
        if (info.deployment() != null) {
            var roles = info.deployment().roles();
            out.printf("  %-16s deployer #%d, aggregator #%d, relayer #%d, guardians #%s (%d of %d), client #%d, workers #%s, intake #%d, operator #%d%n",
                    "dev key roles", roles.deployer(), roles.aggregator(), roles.relayer(), roles.guardians(),
                    info.home().contracts() == null ? 0 : info.home().contracts().threshold(), roles.guardians().size(),
                    roles.client(), roles.workers(), roles.intake(), roles.operator());
        }
        if (info.ingest() != null) {
            out.printf("  %-16s %s  connector %s (chain.events, chain.blocks)  relayer state %s%n", "kafka connect",
                    info.ingest().connectRestUrl(), info.ingest().connectorName(), info.ingest().relayerStateDir());
        }
        if (info.flink() != null) {
            out.printf("  %-16s %s  job %s %s (MiniCluster; state in %s)%n", "flink", info.flink().restUrl(),
                    info.flink().jobName(), info.flink().jobId(), info.flink().stateDir());
        }
        if (info.deployment() != null && info.home().contracts() != null) {
            int operator = info.deployment().roles().operator();
            out.printf("  %-16s operator #%d %s finalizes and fails rounds (in the supervisor), state %s%n", "keeper",
                    operator, info.home().devKeys().get(operator).address(),
                    Path.of(info.dir()).resolve(io.tributary.infra.KeeperCommand.STATE_DIR));
        }
        if (info.metrics() != null) {
            for (DevnetInfo.Endpoint endpoint : info.metrics().endpoints()) {
                out.printf("  %-16s %-40s job %s%n", "metrics " + endpoint.part(), endpoint.url(), endpoint.job());
            }
            out.printf("  %-16s prometheus --config.file=%s --web.listen-address=127.0.0.1:9090%n", "prometheus",
                    info.metrics().prometheusConfig());
        }
        DevnetInfo.DevKey key = info.home().devKeys().get(0);
        out.printf("  %-16s %s (%d funded accounts per chain; private keys in devnet.json)%n", "dev account",
                key.address(), info.home().devKeys().size());
        out.printf("  %-16s %d, logs in %s%n", "supervisor pid", info.supervisorPid(), Path.of(info.dir()).resolve("logs"));
        out.flush();
    }

    /** Cleans up a stale devnet in {@code dir}, saying so; returns false if one is running there. */
    static boolean prepareDir(Path dir, PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        DevnetLock.Status status = DevnetLock.inspect(dir);
        switch (status.state()) {
            case RUNNING -> {
                err.println("A devnet is already running in " + dir
                        + status.supervisorPid().stream().mapToObj(p -> " (supervisor pid " + p + ")").findFirst().orElse("")
                        + ". Stop it first: ./tributary devnet down --dir " + dir);
                return false;
            }
            case STALE -> {
                DevnetControl.Stopped stale = DevnetControl.cleanStale(dir);
                out.println("Removed the devnet.json of a devnet that is no longer running"
                        + stale.supervisorPid().map(p -> " (supervisor pid " + p + ")").orElse("")
                        + (stale.pids().isEmpty() ? "" : "; stopped its leftover processes " + stale.pids()));
                return true;
            }
            default -> {
                return true;
            }
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = {"Start the devnet on 127.0.0.1 (free ports) and write DIR/devnet.json when it is ready.",
                "In the foreground it runs until Ctrl-C; with --detach it runs in the background."})
    public static final class Up implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        DirOption dirOption = new DirOption();

        @Option(names = "--detach", description = "Run in the background (log in DIR/devnet.log) and return once ready.")
        boolean detach;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "3",
                description = "Partitions of every Kafka topic (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--anvil", paramLabel = "PATH", description = "The anvil binary (default: the pinned one in contracts/node_modules).")
        Path anvil;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "180",
                description = "With --detach: how long to wait for the devnet to be ready (default: ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path dir = dirOption.resolve();
            DevnetConfig config = config(dir, anvil, partitions);
            if (!prepareDir(dir, out, err)) {
                return 1;
            }
            return detach ? detached(config, out, err) : foreground(config, out, err);
        }

        private int detached(DevnetConfig config, PrintWriter out, PrintWriter err) throws InterruptedException, IOException {
            List<String> args = new ArrayList<>(List.of("devnet", "up", "--dir", config.dir().toString(),
                    "--partitions", Integer.toString(config.partitions()), "--anvil", config.anvil().toString()));
            out.println("Starting the devnet in the background (log: " + config.dir().resolve(DetachedDevnet.LOG_FILE) + ") ...");
            out.flush();
            long t0 = System.nanoTime();
            try {
                DevnetInfo info = DetachedDevnet.launch(config.dir(), Environment.jvmFlags(), Environment.classpath(),
                        Tributary.class.getName(), args, Duration.ofSeconds(timeoutSeconds));
                printSummary(out, info);
                out.printf("Ready in %.1f s. Stop it with: ./tributary devnet down --dir %s%n",
                        (System.nanoTime() - t0) / 1e9, config.dir());
                return 0;
            } catch (DetachedDevnet.StartFailedException e) {
                err.println(e.getMessage());
                e.logTail().forEach(line -> err.println("  | " + line));
                return 1;
            }
        }

        private int foreground(DevnetConfig config, PrintWriter out, PrintWriter err) throws InterruptedException {
            CountDownLatch stopped = new CountDownLatch(1);
            CountDownLatch startReturned = new CountDownLatch(1);
            Devnet[] running = new Devnet[1];
            Thread hook = new Thread(() -> {
                out.println("Stopping the devnet ...");
                out.flush();
                synchronized (running) {
                    if (running[0] != null) {
                        running[0].close();
                    }
                }
                try {
                    // A signal during startup: let start() notice and stop what it just started.
                    startReturned.await(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                synchronized (running) {
                    if (running[0] != null) {
                        running[0].close();
                    }
                }
                out.println("Devnet stopped.");
                out.flush();
                stopped.countDown();
            }, "devnet-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("Starting the devnet in " + config.dir() + " ...");
            out.flush();
            long t0 = System.nanoTime();
            try {
                Devnet devnet = Devnet.start(config, line -> {
                    out.println("  " + line);
                    out.flush();
                });
                synchronized (running) {
                    running[0] = devnet;
                }
            } catch (IOException | RuntimeException e) {
                err.println("The devnet did not start: " + e.getMessage());
                err.flush();
                removeHook(hook);
                return 1;
            } catch (InterruptedException e) {
                return 130; // stopped by a signal while starting; the hook cleans up
            } finally {
                startReturned.countDown();
            }
            synchronized (running) {
                printSummary(out, running[0].info());
            }
            out.printf("Ready in %.1f s. Ctrl-C (or ./tributary devnet down --dir %s) stops it.%n",
                    (System.nanoTime() - t0) / 1e9, config.dir());
            out.flush();
            stopped.await();
            return 0;
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already shutting down and runs the hook
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Stop the devnet running in DIR: every process it started, nothing else.")
    public static final class Down implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        DirOption dirOption = new DirOption();

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path dir = dirOption.resolve();
            Optional<DevnetControl.Stopped> stopped = DevnetControl.down(dir, Duration.ofSeconds(30));
            if (stopped.isEmpty()) {
                out.println("No devnet is running in " + dir + ".");
                return 0;
            }
            DevnetControl.Stopped result = stopped.get();
            out.println("Devnet in " + dir + " stopped"
                    + result.supervisorPid().map(p -> " (supervisor pid " + p + ")").orElse("")
                    + "; processes gone: " + result.pids()
                    + (result.killed().isEmpty() ? "" : "; had to SIGKILL " + result.killed()) + ".");
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show the devnet running in DIR and whether every part answers.")
    public static final class Status implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        DirOption dirOption = new DirOption();

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path dir = dirOption.resolve();
            DevnetLock.Status status = DevnetLock.inspect(dir);
            if (status.state() != DevnetLock.State.RUNNING || !java.nio.file.Files.exists(DevnetInfo.file(dir))) {
                out.println(switch (status.state()) {
                    case RUNNING -> "A devnet is starting in " + dir + " (not ready yet).";
                    case STALE -> "A stale devnet.json is in " + dir + " (its devnet is gone); `devnet up` will clean it.";
                    default -> "No devnet is running in " + dir + ".";
                });
                return status.state() == DevnetLock.State.RUNNING ? 0 : 3;
            }
            DevnetInfo info = DevnetInfo.read(DevnetInfo.file(dir));
            printSummary(out, info);
            return printChecks(out, DevnetProbe.probe(info)) ? 0 : 1;
        }
    }

    /** Prints one line per part; returns whether all answered as expected. */
    public static boolean printChecks(PrintWriter out, List<DevnetProbe.Check> checks) {
        boolean ok = true;
        for (DevnetProbe.Check check : checks) {
            out.printf("  %-4s %-16s %s%n", check.ok() ? "ok" : "FAIL", check.part(), check.detail());
            ok &= check.ok();
        }
        out.flush();
        return ok;
    }
}
