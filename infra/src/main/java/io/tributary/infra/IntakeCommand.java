package io.tributary.infra;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.infra.devnet.DevnetInfo;
import io.tributary.ingest.intake.IntakeConfig;
import io.tributary.ingest.intake.TaskIntakeService;
import io.tributary.schemas.Topics;
import io.tributary.schemas.metrics.MetricsComponent;
import io.tributary.schemas.metrics.MetricsEndpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tributary intake [--devnet DIR] [flags]}: the task intake on its own. It reads its network
 * from a network file in devnet.json format ({@code --devnet DIR}: Kafka, the home chain and its
 * contracts, the intake's key and state dir) and/or from flags, which override the file; without a
 * network file every flag must be given. The submitter key comes from {@code --key-file}, else from
 * {@value #KEY_ENV}, else from the network file's dev keys. A devnet's supervisor runs an intake of its
 * own: a second one on the same state dir is refused (the transaction writer locks it).
 */
@Command(
        name = "intake",
        mixinStandardHelpOptions = true,
        description = {"Run the task intake: checks every signed TaskRequest on tasks.requests, posts the good "
                + "ones with TaskIntake.postTaskFor on the home chain and answers each on tasks.receipts.",
            "Runs until Ctrl-C (or SIGTERM)."})
public final class IntakeCommand implements Callable<Integer> {

    /** Environment variable holding the submitter's private key (hex) when no --key-file is given. */
    public static final String KEY_ENV = "TRIBUTARY_INTAKE_KEY";
    /** Folder of the intake's transaction state inside a devnet dir when its devnet.json names none. */
    public static final String STATE_DIR = "intake";
    private static final Duration READY_WAIT = Duration.ofSeconds(60);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    @Spec
    CommandSpec spec;

    @Option(names = "--devnet", paramLabel = "DIR",
            description = "Directory of a network file (devnet.json). Default: target/devnet under the repository "
                    + "root, unless --kafka is given (then every setting comes from flags).")
    Path devnet;

    @Option(names = "--kafka", paramLabel = "HOST:PORT[,...]", description = "Kafka bootstrap servers.")
    String kafka;

    @Option(names = "--group-id", paramLabel = "GROUP",
            description = "Consumer group of tasks.requests (default: the network file's, else "
                    + IntakeConfig.DEFAULT_GROUP + ").")
    String groupId;

    @Option(names = "--rpc-url", paramLabel = "URL", description = "JSON-RPC URL of the home chain.")
    String rpcUrl;

    @Option(names = "--chain-id", paramLabel = "ID", description = "Chain id of the home chain.")
    Long chainId;

    @Option(names = "--task-intake", paramLabel = "0xADDRESS", description = "The home chain's TaskIntake.")
    String taskIntake;

    @Option(names = "--coordinator", paramLabel = "0xADDRESS", description = "The home chain's TaskCoordinator.")
    String coordinator;

    @Option(names = "--token", paramLabel = "0xADDRESS", description = "The home chain's TrainingToken.")
    String token;

    @Option(names = "--model-registry", paramLabel = "0xADDRESS", description = "The home chain's ModelRegistry.")
    String modelRegistry;

    @Option(names = "--key-file", paramLabel = "FILE",
            description = "File holding the submitter's private key (hex), which sends and pays for postTaskFor "
                    + "(default: $" + KEY_ENV + ", else the network file's intake key).")
    Path keyFile;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "The submitter writer's state (default: the network file's intake state dir).")
    Path stateDir;

    @Option(names = "--status-every", paramLabel = "SECONDS", defaultValue = "30",
            description = "How often the intake's counters are printed (default: ${DEFAULT-VALUE}).")
    int statusEvery;

    @Mixin
    MetricsOptions metrics = new MetricsOptions();

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Map<String, String> environment;

    public IntakeCommand() {
        this(System.getenv());
    }

    IntakeCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    /** Asks a running {@link #call()} to stop as Ctrl-C does. */
    void stop() {
        stop.countDown();
    }

    /**
     * The intake of a network file, as its supervisor runs it: Kafka, the home chain and its contracts,
     * the intake section's group, key and state dir (without one: the deployment's intake key,
     * {@code DIR/intake} and the default group).
     */
    public static IntakeConfig.Builder config(DevnetInfo info) {
        DevnetInfo.Chain home = info.home();
        if (home.contracts() == null || info.deployment() == null) {
            throw new IllegalArgumentException("the network in " + info.dir() + " has no deployed contracts");
        }
        DevnetInfo.Intake intake = info.intake() != null ? info.intake()
                : new DevnetInfo.Intake(IntakeConfig.DEFAULT_GROUP, info.deployment().roles().intake(),
                        Path.of(info.dir()).resolve(STATE_DIR).toString());
        return IntakeConfig.builder()
                .kafkaBootstrap(info.kafka().bootstrapServers())
                .groupId(intake.groupId())
                .homeChain(home.rpcUrl(), home.chainId())
                .contracts(home.contracts().taskIntake(), home.contracts().taskCoordinator(),
                        home.contracts().trainingToken(), home.contracts().modelRegistry())
                .submitterKey(home.devKeys().get(intake.submitterKeyIndex()).privateKey())
                .stateDir(Path.of(intake.stateDir()));
    }

    /** The configuration of this invocation: the network file's (if any), overridden by the flags. */
    IntakeConfig config() throws IOException {
        IntakeConfig.Builder b;
        IntakeConfig base = null;
        if (devnet != null || kafka == null) {
            Path dir = (devnet != null ? devnet : Environment.current().defaultDevnetDir()).toAbsolutePath().normalize();
            Path file = DevnetInfo.file(dir);
            if (!Files.exists(file)) {
                throw new IOException(file + " does not exist (is the devnet up? or give --kafka and the other flags)");
            }
            b = config(DevnetInfo.read(file));
            base = b.build();
        } else {
            b = IntakeConfig.builder();
        }
        if (kafka != null) {
            b.kafkaBootstrap(kafka);
        }
        if (groupId != null) {
            b.groupId(groupId);
        }
        if (rpcUrl != null || chainId != null) {
            b.homeChain(rpcUrl != null ? rpcUrl : base == null ? null : base.rpcUrl(),
                    chainId != null ? chainId : base == null ? 0 : base.chainId());
        }
        if (taskIntake != null || coordinator != null || token != null || modelRegistry != null) {
            b.contracts(taskIntake != null ? taskIntake : base == null ? null : base.taskIntake(),
                    coordinator != null ? coordinator : base == null ? null : base.coordinator(),
                    token != null ? token : base == null ? null : base.token(),
                    modelRegistry != null ? modelRegistry : base == null ? null : base.registry());
        }
        if (keyFile != null) {
            b.submitterKey(Files.readString(keyFile, StandardCharsets.US_ASCII).strip());
        } else if (environment.get(KEY_ENV) != null && !environment.get(KEY_ENV).isBlank()) {
            b.submitterKey(environment.get(KEY_ENV).strip());
        }
        if (stateDir != null) {
            b.stateDir(stateDir.toAbsolutePath().normalize());
        }
        return b.build(); // names every missing or bad setting at once
    }

    /** Starts an intake and returns once it consumes {@code tasks.requests}. */
    public static TaskIntakeService start(IntakeConfig config, PrometheusRegistry metrics)
            throws IOException, InterruptedException {
        TaskIntakeService service = TaskIntakeService.start(config, metrics);
        if (!service.awaitReady(READY_WAIT)) {
            service.close();
            throw new IOException("the task intake did not start within " + READY_WAIT.toSeconds() + " s: "
                    + service.failure().map(Throwable::toString).orElse("timed out"));
        }
        return service;
    }

    @Override
    public Integer call() throws Exception {
        if (statusEvery < 1) {
            throw new IllegalArgumentException("--status-every must be at least 1 second");
        }
        PrintWriter out = spec.commandLine().getOut();
        IntakeConfig config = config();
        // SIGTERM: the JVM exits once the hooks return, so the hook waits (bounded) for the close below
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                closed.await(CLOSE_WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "intake-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrometheusRegistry registry = new PrometheusRegistry();
        try (MetricsEndpoint endpoint = metrics.open(MetricsComponent.INTAKE, registry, out);
                TaskIntakeService intake = start(config, registry)) {
            out.printf("intake running: %s -> TaskIntake %s on chain %d, answers on %s; Ctrl-C stops it%n",
                    Topics.TASK_REQUESTS.name(), config.taskIntake(), config.chainId(), Topics.TASK_RECEIPTS.name());
            out.flush();
            while (!stop.await(statusEvery, TimeUnit.SECONDS)) {
                if (intake.failure().isPresent()) {
                    spec.commandLine().getErr().println("tributary intake: crashed: " + intake.failure().get());
                    return 1;
                }
                out.println("intake status: " + intake.stats());
                out.flush();
            }
            out.println("intake stopping: " + intake.stats());
            out.flush();
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook has run
            }
        }
        return 0;
    }
}
