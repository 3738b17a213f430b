package io.tributary.infra;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.schemas.metrics.MetricsComponent;
import io.tributary.schemas.metrics.MetricsEndpoint;
import io.tributary.schemas.tensor.WireParams;
import io.tributary.contracts.deploy.ChainContracts;
import io.tributary.contracts.tx.TransactionWriter;
import io.tributary.infra.devnet.DevnetInfo;
import io.tributary.trainer.Nd4jRuntime;
import io.tributary.trainer.cdc.PostgresCdcSource;
import io.tributary.trainer.data.MnistLoader;
import io.tributary.trainer.node.Behaviour;
import io.tributary.trainer.node.ChainEventsFollower;
import io.tributary.trainer.node.NodeData;
import io.tributary.trainer.node.TrainerNode;
import io.tributary.trainer.node.Web3jNodeChain;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tributary worker --chain NAME|ID --key HEX --data ... [--devnet DIR] [--behave ...]
 * [--epochs E] [--state-dir DIR] [--metrics-port P] [--metrics-host H]}: a worker node
 * ({@link TrainerNode}) on one chain of a running devnet, whose devnet.json gives Kafka, the RPC
 * URLs and the contract addresses. Its metrics ({@code tributary_worker_*}, labelled with the
 * chain's name) are served on {@code http://H:P/metrics} while it runs.
 */
@Command(
        name = "worker",
        mixinStandardHelpOptions = true,
        description = {"Run a worker node on one chain of the devnet.",
            "It stakes on the chain's WorkerHub, follows tasks in chain.events, trains on its data, commits and "
                    + "reveals on its chain, publishes its update chunks and claims its rewards. Runs until Ctrl-C."})
public final class WorkerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--chain", required = true, paramLabel = "NAME|ID", description = "The chain to work on (name or chain id).")
    String chain;

    @Option(names = "--key", required = true, paramLabel = "HEX", description = "The worker's private key (hex).")
    String key;

    @Option(names = "--data", required = true, paramLabel = "SPEC",
            description = "mnist[:iid|:dirichlet=ALPHA] (with --shard) or jdbc:postgresql://HOST:PORT/DB?table=T")
    String data;

    @Option(names = "--shard", paramLabel = "I/N", defaultValue = "1/1",
            description = "Which MNIST share this worker holds, 1-based (default: ${DEFAULT-VALUE}).")
    String shard;

    @Option(names = "--devnet", paramLabel = "DIR", description = "Devnet directory (default: target/devnet under the repository root).")
    Path devnet;

    @Option(names = "--behave", paramLabel = "B", defaultValue = "honest",
            description = "honest, signflip, noise or freeride (default: ${DEFAULT-VALUE}).")
    String behave;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "1", description = "Local epochs per round (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where the node keeps its state (default: DEVNET/workers/CHAINID-ADDRESS).")
    Path stateDir;

    @Option(names = "--stake", paramLabel = "ETH", defaultValue = "1", description = "Stake on registration, in ether (default: ${DEFAULT-VALUE}).")
    BigDecimal stake;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the shuffles and the encoding (default: from the address).")
    Long seed;

    @Option(names = "--chunk-leaves-log2", paramLabel = "K", defaultValue = "" + WireParams.DEFAULT_CHUNK_LEAVES_LOG2,
            description = "Update chunk size, log2 of leaves, as the aggregation job is configured (default: ${DEFAULT-VALUE}).")
    int chunkLeavesLog2;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "ND4J native threads (default: ${DEFAULT-VALUE}; more only with cores to spare).")
    int threads;

    @Mixin
    MetricsOptions metricsOptions = new MetricsOptions();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Behaviour behaviour = Behaviour.parse(behave);
        Path dir = (devnet != null ? devnet : Environment.current().defaultDevnetDir()).toAbsolutePath().normalize();
        Path file = DevnetInfo.file(dir);
        if (!Files.exists(file)) {
            throw new IOException(file + " does not exist (is the devnet up?)");
        }
        DevnetInfo info = DevnetInfo.read(file);
        DevnetInfo.Chain own = info.chains().stream()
                .filter(c -> c.name().equals(chain) || Long.toString(c.chainId()).equals(chain))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no chain '" + chain + "' in " + file + "; it has "
                        + info.chains().stream().map(c -> c.name() + " (" + c.chainId() + ")").toList()));
        DevnetInfo.Chain home = info.home();
        if (own.contracts() == null || home.contracts() == null) {
            throw new IllegalArgumentException("the devnet in " + dir + " has no deployed contracts yet");
        }
        Credentials credentials = Credentials.create(key.startsWith("0x") ? key.substring(2) : key);
        String address = credentials.getAddress().toLowerCase(Locale.ROOT);
        Path state = (stateDir != null ? stateDir : dir.resolve("workers").resolve(own.chainId() + "-" + address))
                .toAbsolutePath().normalize();
        BigInteger stakeWei = stake.movePointRight(18).toBigIntegerExact();
        metricsOptions.port(MetricsComponent.WORKER); // refuses a bad port before anything starts

        Nd4jRuntime.limitThreads(threads);
        NodeData nodeData = openData(state);
        Web3j ownWeb3j = Web3j.build(new HttpService(own.rpcUrl()));
        Web3j homeWeb3j = own.name().equals(home.name()) ? ownWeb3j : Web3j.build(new HttpService(home.rpcUrl()));
        ChainContracts ownContracts = own.contracts();
        ChainContracts homeContracts = home.contracts();
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown, "worker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrometheusRegistry registry = new PrometheusRegistry();
        try (MetricsEndpoint metrics = metricsOptions.open(MetricsComponent.WORKER, registry, out);
             TransactionWriter writer = Web3jNodeChain.openWriter(ownWeb3j, credentials, own.chainId(), state.resolve("tx"),
                     BigInteger.TEN.pow(11));
             ChainEventsFollower events = new ChainEventsFollower(info.kafka().bootstrapServers(),
                     homeContracts.taskCoordinator(), own.chainId(), ownContracts.workerHub()).start();
             TrainerNode node = TrainerNode.builder()
                     .chain(new Web3jNodeChain(ownWeb3j, homeWeb3j, writer, ownContracts.home(), new Web3jNodeChain.Addresses(
                             ownContracts.workerHub(), ownContracts.rewardVault(), homeContracts.taskCoordinator(),
                             homeContracts.modelRegistry())))
                     .events(events).kafka(info.kafka().bootstrapServers()).data(nodeData).stateDir(state)
                     .behaviour(behaviour).epochs(epochs).stake(stakeWei).chunkLeavesLog2(chunkLeavesLog2)
                     .seed(seed != null ? seed : new BigInteger(address.substring(2, 18), 16).longValue())
                     .metrics(registry, own.name())
                     .build().start()) {
            out.printf("worker %s on %s (%d), %s, data %s, state in %s; Ctrl-C stops it%n", address, own.name(), own.chainId(),
                    behaviour.name().toLowerCase(Locale.ROOT), data, state);
            out.flush();
            while (!stop.await(1, TimeUnit.SECONDS)) {
                if (!node.isRunning()) {
                    spec.commandLine().getErr().println("tributary worker: the node stopped: "
                            + node.failure().map(Throwable::toString).orElse("?"));
                    return 1;
                }
            }
        } finally {
            nodeData.close();
            ownWeb3j.shutdown();
            if (homeWeb3j != ownWeb3j) {
                homeWeb3j.shutdown();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook has run
            }
        }
        return 0;
    }

    private NodeData openData(Path state) throws IOException {
        Path mnistDir = Environment.current().home().resolve(MnistLoader.DEFAULT_DIR);
        if (System.getProperty(MnistLoader.DIR_PROPERTY) != null) {
            mnistDir = MnistLoader.defaultDir();
        }
        if (data.startsWith("jdbc:postgresql:")) {
            PostgresCdcSource source = PostgresCdcSource.builder().url(data).stateDir(state.resolve("cdc"))
                    .slotName("tributary_" + Integer.toHexString(state.toString().hashCode())).build();
            return NodeData.postgres(source, NodeData.mnistHeldOut(mnistDir));
        }
        String[] parts = shard.split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("--shard must be I/N, got " + shard);
        }
        return NodeData.mnist(MnistLoader.load(mnistDir), data, Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
    }
}
