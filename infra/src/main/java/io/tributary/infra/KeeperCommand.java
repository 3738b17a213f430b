package io.tributary.infra;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.infra.devnet.DevnetInfo;
import io.tributary.ingest.keeper.KeeperConfig;
import io.tributary.ingest.keeper.RoundKeeper;
import io.tributary.schemas.metrics.MetricsComponent;
import io.tributary.schemas.metrics.MetricsEndpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tributary keeper [--devnet DIR] [--metrics-port P] [--metrics-host H]}: the round keeper on its
 * own, for a network whose supervisor does not run one (a devnet's supervisor does: {@code devnet up}
 * starts it, and a second keeper on the same state directory is refused because the operator's
 * transaction writer locks it).
 */
@Command(
        name = "keeper",
        mixinStandardHelpOptions = true,
        description = {"Run the round keeper: finalizes every committed round once its challenge window has "
                + "passed on the home chain, and fails every round that missed its aggregation deadline.",
            "Follows chain.events, sends with the operator key. Runs until Ctrl-C."})
public final class KeeperCommand implements Callable<Integer> {

    /** Folder of the keeper's transaction state inside a devnet dir (shared with the devnet's own keeper). */
    public static final String STATE_DIR = "keeper";
    private static final Duration READY_WAIT = Duration.ofSeconds(60);

    @Spec
    CommandSpec spec;

    @Option(names = "--devnet", paramLabel = "DIR",
            description = "Devnet directory with devnet.json (default: target/devnet under the repository root).")
    Path devnet;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "The operator writer's state (default: DIR/keeper of the devnet).")
    Path stateDir;

    @Option(names = "--status-every", paramLabel = "SECONDS", defaultValue = "30",
            description = "How often the keeper's counters and stuck rounds are printed (default: ${DEFAULT-VALUE}).")
    int statusEvery;

    @Mixin
    MetricsOptions metrics = new MetricsOptions();

    /** The keeper of a devnet: its home chain and coordinator, the operator's dev key, Kafka. */
    public static KeeperConfig config(DevnetInfo info, Path stateDir) {
        DevnetInfo.Chain home = info.home();
        if (home.contracts() == null || info.deployment() == null) {
            throw new IllegalArgumentException("the devnet in " + info.dir() + " has no deployed contracts");
        }
        return KeeperConfig.builder()
                .kafkaBootstrap(info.kafka().bootstrapServers())
                .homeChain(home.rpcUrl(), home.chainId(), home.contracts().taskCoordinator())
                .operatorKey(home.devKeys().get(info.deployment().roles().operator()).privateKey())
                .stateDir(stateDir)
                .build();
    }

    /** Starts a keeper and returns once it has read {@code chain.events} up to where it stood. */
    public static RoundKeeper start(KeeperConfig config) throws IOException, InterruptedException {
        return start(config, new PrometheusRegistry());
    }

    /**
     * Like {@link #start(KeeperConfig)}, with the keeper's metrics (infra/docs/metrics.md,
     * {@code tributary-keeper}) registered in {@code metrics}.
     */
    public static RoundKeeper start(KeeperConfig config, PrometheusRegistry metrics)
            throws IOException, InterruptedException {
        RoundKeeper keeper = RoundKeeper.start(config, metrics);
        if (!keeper.awaitReady(READY_WAIT)) {
            keeper.close();
            throw new IOException("the round keeper did not catch up with chain.events within "
                    + READY_WAIT.toSeconds() + " s: " + keeper.failure().map(Throwable::toString).orElse("timed out"));
        }
        return keeper;
    }

    @Override
    public Integer call() throws Exception {
        if (statusEvery < 1) {
            throw new IllegalArgumentException("--status-every must be at least 1 second");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path dir = (devnet != null ? devnet : Environment.current().defaultDevnetDir()).toAbsolutePath().normalize();
        Path file = DevnetInfo.file(dir);
        if (!Files.exists(file)) {
            throw new IOException(file + " does not exist (is the devnet up?)");
        }
        KeeperConfig config = config(DevnetInfo.read(file), stateDir != null ? stateDir : dir.resolve(STATE_DIR));
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown, "keeper-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrometheusRegistry registry = new PrometheusRegistry();
        try (MetricsEndpoint endpoint = metrics.open(MetricsComponent.KEEPER, registry, out);
                RoundKeeper keeper = start(config, registry)) {
            out.printf("keeper running: operator %s, coordinator %s; Ctrl-C stops it%n", keeper.operator(),
                    config.coordinator());
            out.flush();
            while (!stop.await(statusEvery, TimeUnit.SECONDS)) {
                if (keeper.failure().isPresent()) {
                    spec.commandLine().getErr().println("tributary keeper: crashed: " + keeper.failure().get());
                    return 1;
                }
                out.println("keeper status: " + keeper.stats() + (keeper.stuckRounds().isEmpty() ? ""
                        : ", stuck: " + keeper.stuckRounds()));
                out.flush();
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook has run
            }
        }
        return 0;
    }
}
