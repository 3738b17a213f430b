package io.tributary.infra;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.ingest.relayer.Relayer;
import io.tributary.ingest.relayer.RelayerConfig;
import io.tributary.ingest.relayer.RelayerListener;
import io.tributary.ingest.relayer.Worker;
import io.tributary.schemas.metrics.MetricsComponent;
import io.tributary.schemas.metrics.MetricsEndpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tributary relayer [--guardian K]... [--submitter] --devnet DIR [--metrics-port P] [--metrics-host H]}:
 * the guardian relayer.
 * Guardian K signs Gateway calls, the submitter approves and executes them; with neither option the
 * process runs every configured guardian and the submitter (the devnet's all-in-one relayer).
 */
@Command(
        name = "relayer",
        mixinStandardHelpOptions = true,
        description = {"Run the guardian relayer that carries cross-chain messages.",
            "Guardians sign Gateway ContractCall events from chain.events; the submitter approves and "
                    + "executes them on the destination chain once enough guardians signed. Runs until Ctrl-C."})
public final class RelayerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--guardian", paramLabel = "K",
            description = "Run guardian K (1-based; repeat for several).")
    List<Integer> guardians = new ArrayList<>();

    @Option(names = "--submitter", description = "Run the submitter.")
    boolean submitter;

    @Option(names = "--devnet", paramLabel = "DIR",
            description = "Devnet directory: reads DIR/relayer.json if present, else DIR/devnet.json "
                    + "(default: target/devnet under the repository root).")
    Path devnet;

    @Option(names = "--config", paramLabel = "FILE", description = "A relayer config file (devnet.json-like); overrides --devnet.")
    Path config;

    @Option(names = "--status-every", paramLabel = "SECONDS", defaultValue = "30",
            description = "How often the submitter's status is printed (default: ${DEFAULT-VALUE}).")
    int statusEvery;

    @Mixin
    MetricsOptions metrics = new MetricsOptions();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path file = configFile();
        RelayerConfig relayerConfig = RelayerConfig.read(file);
        for (int k : guardians) {
            relayerConfig.guardian(k); // refuses an unknown guardian before anything starts
        }
        if (statusEvery < 1) {
            throw new IllegalArgumentException("--status-every must be at least 1 second");
        }
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown, "relayer-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrometheusRegistry registry = new PrometheusRegistry();
        try (MetricsEndpoint endpoint = metrics.open(MetricsComponent.RELAYER, registry, out);
                Relayer relayer = Relayer.start(relayerConfig, guardians, submitter, RelayerListener.NONE, registry)) {
            out.printf("relayer running from %s: %d guardian(s)%s; Ctrl-C stops it%n", file,
                    relayer.guardians().size(), relayer.submitter().isPresent() ? " and the submitter" : "");
            out.flush();
            while (!stop.await(statusEvery, TimeUnit.SECONDS)) {
                Optional<Worker> crashed = relayer.crashed();
                if (crashed.isPresent()) {
                    spec.commandLine().getErr().println("tributary relayer: " + crashed.get().name() + " crashed: "
                            + crashed.get().failure().map(Throwable::toString).orElse("?"));
                    return 1;
                }
                relayer.submitter().ifPresent(s -> {
                    out.println("relayer status: " + s.status());
                    out.flush();
                });
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

    private Path configFile() throws IOException {
        if (config != null) {
            return config.toAbsolutePath().normalize();
        }
        Path dir = (devnet != null ? devnet : Environment.current().defaultDevnetDir()).toAbsolutePath().normalize();
        Path relayerJson = dir.resolve("relayer.json");
        Path devnetJson = dir.resolve("devnet.json");
        if (Files.exists(relayerJson)) {
            return relayerJson;
        }
        if (Files.exists(devnetJson)) {
            return devnetJson;
        }
        throw new IOException("neither " + relayerJson + " nor " + devnetJson + " exists (is the devnet up?)");
    }
}
