package io.tributary.infra.demo;

import io.tributary.contracts.deploy.ChainContracts;
import io.tributary.contracts.tx.TransactionWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.infra.devnet.DevnetInfo;
import io.tributary.infra.devnet.PrometheusTargets;
import io.tributary.schemas.metrics.MetricsComponent;
import io.tributary.schemas.metrics.MetricsEndpoint;
import io.tributary.trainer.cdc.PostgresCdcSource;
import io.tributary.trainer.data.Sample;
import io.tributary.trainer.data.TrainingData;
import io.tributary.trainer.node.Behaviour;
import io.tributary.trainer.node.ChainEventsFollower;
import io.tributary.trainer.node.NodeData;
import io.tributary.trainer.node.NodeState;
import io.tributary.trainer.node.RoundPhase;
import io.tributary.trainer.node.RoundRecord;
import io.tributary.trainer.node.TrainerNode;
import io.tributary.trainer.node.Web3jNodeChain;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * The demo's worker nodes, all in this JVM: {@code perChain} {@link TrainerNode}s on every chain of
 * the devnet, worker i on a chain using dev key {@code workerKeys[i]} (the same key on another chain
 * is another worker). They share the MNIST digits: worker n of N (over all chains) trains on share
 * n+1 of N. The first worker on home reads its share from a Postgres table that {@link TableFeeder}
 * fills while the demo runs; the last {@code byzantine} workers misbehave with {@code attack}. Each
 * worker serves its metrics on a loopback endpoint of its own, as {@code ./tributary worker} does,
 * listed for the devnet's Prometheus in {@code targets/tributary-worker-demo.json}.
 */
public final class DemoWorkers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DemoWorkers.class);
    private static final BigInteger FEE_CAP = BigInteger.TEN.pow(11);
    private static final BigInteger STAKE = BigInteger.TEN.pow(18);
    /** The Postgres worker's table in the devnet's database. */
    static final String TABLE = "demo_digits";

    /** One running worker, and where it serves its metrics. */
    public record Worker(String chain, long chainId, String address, Behaviour behaviour, String data, TrainerNode node,
                         String metricsUrl) {
        /** The worker's record of a round, or null before it saw the round. */
        public RoundRecord round(long taskId, int round) {
            NodeState state = node.state();
            synchronized (state) {
                return state.rounds(taskId).get(round);
            }
        }
    }

    /** How the workers are made. */
    public record Plan(int perChain, List<Integer> workerKeys, String split, int byzantine, Behaviour attack,
                       int chunkLeavesLog2, int epochs) {
        public Plan {
            workerKeys = List.copyOf(workerKeys);
            if (perChain < 1 || perChain > workerKeys.size()) {
                throw new IllegalArgumentException("--workers-per-chain must be 1.." + workerKeys.size() + ", was " + perChain);
            }
            if (byzantine < 0) {
                throw new IllegalArgumentException("--byzantine must not be negative, was " + byzantine);
            }
        }
    }

    private final Deque<AutoCloseable> parts = new ArrayDeque<>();
    private final List<Worker> workers = new ArrayList<>();
    private TableFeeder feeder;

    private DemoWorkers() {}

    /** Starts every worker; on failure stops those already started. */
    public static DemoWorkers start(DevnetInfo info, Plan plan, List<Sample> digits, Path stateDir) throws Exception {
        DemoWorkers started = new DemoWorkers();
        try {
            started.startAll(info, plan, digits, stateDir);
            return started;
        } catch (Exception | Error e) {
            started.close();
            throw e;
        }
    }

    private void startAll(DevnetInfo info, Plan plan, List<Sample> digits, Path stateDir) throws Exception {
        List<DevnetInfo.Chain> chains = info.chains();
        int total = chains.size() * plan.perChain();
        if (plan.byzantine() > total) {
            throw new IllegalArgumentException("--byzantine " + plan.byzantine() + " is more than the " + total + " workers");
        }
        DevnetInfo.Chain home = info.home();
        ChainContracts homeContracts = home.contracts();
        Web3j homeWeb3j = web3j(home.rpcUrl());
        Map<String, Map<String, String>> targets = new LinkedHashMap<>();
        int n = 0;
        for (DevnetInfo.Chain chain : chains) {
            Web3j own = chain == home ? homeWeb3j : web3j(chain.rpcUrl());
            ChainContracts contracts = chain.contracts();
            for (int i = 0; i < plan.perChain(); i++, n++) {
                Credentials key = Credentials.create(chain.devKeys().get(plan.workerKeys().get(i)).privateKey());
                String address = key.getAddress().toLowerCase(Locale.ROOT);
                Behaviour behaviour = n >= total - plan.byzantine() ? plan.attack() : Behaviour.HONEST;
                Path state = stateDir.resolve(chain.chainId() + "-" + address);
                NodeData shard = NodeData.mnist(digits, plan.split(), n + 1, total);
                NodeData data;
                String dataName;
                if (n == 0 && info.postgres() != null) {
                    TrainingData share = shard.forRound(0, 0).orElseThrow().rows();
                    List<Sample> rows = IntStream.range(0, share.size()).mapToObj(share::sample).toList();
                    feeder = closeLater(TableFeeder.create(info.postgres(), TABLE, rows));
                    PostgresCdcSource source = PostgresCdcSource.builder().url(feeder.cdcUrl()).stateDir(state.resolve("cdc"))
                            .slotName("demo_" + chain.chainId() + "_" + address.substring(2, 10)).build();
                    data = closeLater(NodeData.postgres(source, shard.heldOut()));
                    dataName = "postgres table " + TABLE + " (" + rows.size() + " rows, fed while it runs)";
                } else {
                    data = shard;
                    dataName = plan.split() + " share " + (n + 1) + "/" + total;
                }
                TransactionWriter writer = closeLater(Web3jNodeChain.openWriter(own, key, chain.chainId(), state.resolve("tx"),
                        FEE_CAP));
                PrometheusRegistry metrics = new PrometheusRegistry();
                MetricsEndpoint endpoint = closeLater(MetricsEndpoint.start(MetricsEndpoint.DEFAULT_HOST, 0, metrics));
                targets.put(endpoint.target(), Map.of("chain", chain.name()));
                ChainEventsFollower events = closeLater(new ChainEventsFollower(info.kafka().bootstrapServers(),
                        homeContracts.taskCoordinator(), chain.chainId(), contracts.workerHub())).start();
                TrainerNode node = closeLater(TrainerNode.builder()
                        .chain(new Web3jNodeChain(own, homeWeb3j, writer, contracts.home(), new Web3jNodeChain.Addresses(
                                contracts.workerHub(), contracts.rewardVault(), homeContracts.taskCoordinator(),
                                homeContracts.modelRegistry())))
                        .events(events).kafka(info.kafka().bootstrapServers()).data(data).stateDir(state)
                        .behaviour(behaviour).epochs(plan.epochs()).stake(STAKE).chunkLeavesLog2(plan.chunkLeavesLog2())
                        .seed(1_000L * chain.chainId() + n).poll(Duration.ofMillis(250))
                        .metrics(metrics, chain.name())
                        .build()).start();
                workers.add(new Worker(chain.name(), chain.chainId(), address, behaviour, dataName, node, endpoint.url()));
                LOG.info("worker {} on {} ({}) {} on {}, metrics {}", address, chain.name(), chain.chainId(), behaviour,
                        dataName, endpoint.url());
            }
        }
        Path targetFile = PrometheusTargets.write(Path.of(info.dir()), MetricsComponent.WORKER, "demo", targets);
        closeLater(() -> PrometheusTargets.remove(targetFile));
    }

    private Web3j web3j(String rpcUrl) {
        Web3j web3j = Web3j.build(new HttpService(rpcUrl));
        closeLater(web3j::shutdown);
        return web3j;
    }

    private <T extends AutoCloseable> T closeLater(T part) {
        parts.push(part);
        return part;
    }

    public List<Worker> workers() {
        return List.copyOf(workers);
    }

    /** The table feeder of the Postgres worker, if there is one. */
    public Optional<TableFeeder> feeder() {
        return Optional.ofNullable(feeder);
    }

    /** A node that stopped with a failure, if any. */
    public Optional<String> failure() {
        for (Worker w : workers) {
            if (!w.node().isRunning()) {
                return Optional.of("worker " + w.address() + " on " + w.chain() + " stopped: "
                        + w.node().failure().map(Throwable::toString).orElse("?"));
            }
        }
        return Optional.empty();
    }

    /** Whether every worker is done with every round it served: claimed, missed or unclaimable. */
    public boolean claimsSettled(long taskId, int rounds) {
        for (Worker w : workers) {
            for (int r = 0; r < rounds; r++) {
                RoundRecord rec = w.round(taskId, r);
                if (rec == null) {
                    return false;
                }
                if (rec.phase != RoundPhase.CLAIMED && rec.phase != RoundPhase.MISSED && rec.phase != RoundPhase.UNCLAIMABLE) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether every worker has registered (and staked) on its hub. */
    public boolean registered() {
        return workers.stream().allMatch(w -> w.node().state().registerTx != null);
    }

    /** Stops the nodes, their data, the feeder and the RPC clients, last started first. */
    @Override
    public void close() {
        while (!parts.isEmpty()) {
            AutoCloseable part = parts.pop();
            try {
                part.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", part, e.toString());
            }
        }
    }
}
