package io.tributary.trainer.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.contracts.deploy.ChainContracts;
import io.tributary.contracts.deploy.Deployer;
import io.tributary.contracts.deploy.Deployment;
import io.tributary.contracts.deploy.DevKeys;
import io.tributary.contracts.deploy.KeyRoles;
import io.tributary.contracts.gateway.GatewayApprovals;
import io.tributary.contracts.generated.Gateway;
import io.tributary.contracts.generated.ModelRegistry;
import io.tributary.contracts.generated.TaskCoordinator;
import io.tributary.contracts.generated.TrainingToken;
import io.tributary.contracts.generated.WorkerHub;
import io.tributary.contracts.testing.Anvil;
import io.tributary.contracts.tx.TransactionWriter;
import io.tributary.contracts.tx.TxRequest;
import io.tributary.ingest.testing.KafkaTestBroker;
import io.tributary.ingest.testing.MetricsScrape;
import io.tributary.schemas.Keys;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import io.tributary.schemas.avro.LogSource;
import io.tributary.schemas.avro.UpdateChunk;
import io.tributary.schemas.merkle.MerkleTree;
import io.tributary.schemas.metrics.MetricsEndpoint;
import io.tributary.schemas.tensor.ChunkDecoder;
import io.tributary.schemas.tensor.DecodedChunk;
import io.tributary.schemas.tensor.ModelFile;
import io.tributary.schemas.tensor.WireParams;
import io.tributary.trainer.MlpModel;
import io.tributary.trainer.MlpSpec;
import io.tributary.trainer.Nd4jRuntime;
import io.tributary.trainer.data.MnistLoader;
import io.tributary.trainer.data.Sample;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.utils.Numeric;

/**
 * Two worker nodes on two real anvil chains (home and a participant, deployed by the
 * {@link Deployer}) and a real Kafka broker serve a two-round task posted directly on the
 * TaskCoordinator: each stakes, learns of the task from {@code chain.events}, trains on its MNIST
 * share, commits and reveals round 0 on its own chain's hub and publishes its chunks; then each
 * starts round 1 from the model in {@code models.chunks} and claims round 0 on its own chain (TRN
 * on home, wTRN from the participant's vault). The test plays the log source connector (it writes
 * the TaskPosted and UpdateRevealed events to {@code chain.events}), the relayer (TASK_POSTED and
 * ROUND_FINALIZED with guardian signatures) and the aggregator (FedAvg of the published chunks,
 * commitRound, models.chunks, finalizeRound); the aggregation job is not part of it. Each node's
 * metrics are scraped over HTTP from an endpoint on its registry and checked against the chains.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TrainerNodeIT {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerNodeIT.class);
    private static final List<Credentials> KEYS = DevKeys.anvil(12);
    private static final KeyRoles ROLES = KeyRoles.defaults();
    private static final BigInteger ETHER = BigInteger.TEN.pow(18);
    private static final BigInteger FEE_CAP = BigInteger.TEN.pow(11);
    private static final StaticGasProvider NO_GAS = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);
    private static final MlpSpec SPEC = MlpSpec.mnist();
    private static final int CHUNK_LEAVES_LOG2 = 8;
    private static final long CHALLENGE_WINDOW = 5;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Map<String, TransactionWriter> writers = new HashMap<>();
    private Path dir;
    private Anvil homeChain;
    private KafkaTestBroker broker;

    @AfterEach
    void stopEverything() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("closing {}: {}", resources.get(i), e.toString());
            }
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        resources.add(resource);
        return resource;
    }

    @Test
    void shouldCommitRevealAndPublishRoundZeroOnTwoChains() throws Exception {
        long t0 = System.nanoTime();
        Nd4jRuntime.configure();
        dir = Path.of(System.getProperty("tributary.test.dir", "target/it-state"), "trainer-node-" + System.nanoTime());
        Anvil home = closeLater(Anvil.launch(31337, dir.resolve("home.anvil.log")));
        Anvil arbitrum = closeLater(Anvil.launch(412346, dir.resolve("arbitrum.anvil.log")));
        KafkaTestBroker kafka = closeLater(KafkaTestBroker.start(dir.resolve("kafka")));
        homeChain = home;
        broker = kafka;
        kafka.createTopics(Topics.CHAIN_EVENTS.name(), Topics.UPDATE_CHUNKS.name(), Topics.MODEL_CHUNKS.name());
        home.awaitReady();
        arbitrum.awaitReady();
        Deployment deployment = Deployer.builder().devKeys(KEYS).stateDir(dir.resolve("deployment"))
                .home("home", home.chainId, home.web3j).participant("arbitrum-local", arbitrum.chainId, arbitrum.web3j)
                .build().deploy();
        ChainContracts homeContracts = deployment.home();
        ChainContracts arbContracts = deployment.chain("arbitrum-local");
        long t1 = System.nanoTime();

        // the initial model, registered on home with a file: URI
        float[] initial = new MlpModel(SPEC).initialParams();
        Path modelFile = dir.resolve("initial.model").toAbsolutePath();
        ModelFile.write(modelFile, initial);
        Credentials client = KEYS.get(ROLES.client());
        ModelRegistry registry = ModelRegistry.load(homeContracts.modelRegistry(), home.web3j,
                new ReadonlyTransactionManager(home.web3j, client.getAddress()), NO_GAS);
        send(home, client, "registerModel", homeContracts.modelRegistry(),
                registry.registerModel(sha256("mlp 784-128-10"), ModelFile.root(initial), modelFile.toUri().toString())
                        .encodeFunctionCall());
        BigInteger modelId = registry.modelCount().send();

        // two nodes, one per chain, each on its own MNIST share
        List<Sample> digits = MnistLoader.load(MnistLoader.defaultDir(), 250);
        TrainerNode onHome = node("home", home, homeContracts, homeContracts, ROLES.workers().get(0), digits, 1);
        TrainerNode onArbitrum = node("arbitrum-local", arbitrum, arbContracts, homeContracts, ROLES.workers().get(1), digits, 2);
        await(() -> onHome.state().registerTx != null && onArbitrum.state().registerTx != null, Duration.ofSeconds(20),
                "both workers registered");

        // a one-round task with tiny windows, posted directly on the coordinator
        TaskCoordinator coordinator = TaskCoordinator.load(homeContracts.taskCoordinator(), home.web3j,
                new ReadonlyTransactionManager(home.web3j, client.getAddress()), NO_GAS);
        TrainingToken token = TrainingToken.load(homeContracts.trainingToken(), home.web3j,
                new ReadonlyTransactionManager(home.web3j, client.getAddress()), NO_GAS);
        BigInteger bounty = ETHER.multiply(BigInteger.valueOf(100));
        send(home, client, "approve", homeContracts.trainingToken(),
                token.approve(homeContracts.taskCoordinator(), bounty).encodeFunctionCall());
        long startTime = home.timestamp() + 6;
        long commitWindow = 10;
        long revealWindow = 6;
        TaskCoordinator.TaskSpec spec = new TaskCoordinator.TaskSpec(modelId, sha256("mnist"), BigInteger.TWO,
                BigInteger.ONE, BigInteger.valueOf(16), BigInteger.valueOf(10_000), BigInteger.valueOf(startTime),
                BigInteger.valueOf(commitWindow + revealWindow), BigInteger.valueOf(commitWindow),
                BigInteger.valueOf(revealWindow), BigInteger.valueOf(60), BigInteger.valueOf(CHALLENGE_WINDOW),
                BigInteger.valueOf(4L << 32), BigInteger.valueOf(-24), BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO,
                List.of(BigInteger.valueOf(home.chainId), BigInteger.valueOf(arbitrum.chainId)));
        TransactionReceipt posted = send(home, client, "postTask", homeContracts.taskCoordinator(),
                coordinator.postTask(spec, bounty).encodeFunctionCall());
        long taskId = TaskCoordinator.getTaskPostedEvents(posted).get(0).taskId.longValueExact();
        publishEvent(kafka, home, posted, homeContracts.taskCoordinator(), EventEncoder.encode(TaskCoordinator.TASKPOSTED_EVENT),
                "TaskCoordinator", "TaskPosted", Map.of("taskId", Long.toString(taskId), "client", client.getAddress().toLowerCase()));
        Map<String, Anvil> byName = Map.of("home", home, "arbitrum-local", arbitrum);
        relay(deployment, byName, "home", posted, 2);
        long t2 = System.nanoTime();

        // both nodes serve round 0
        await(() -> onHome.state().round(taskId, 0).phase == RoundPhase.PUBLISHED
                        && onArbitrum.state().round(taskId, 0).phase == RoundPhase.PUBLISHED,
                Duration.ofSeconds(startTime + commitWindow + revealWindow - home.timestamp() + 15), "round 0 published by both");
        long t3 = System.nanoTime();

        // on chain: each hub holds the worker's commitment (the one the hub computes) and its revealed root
        TaskSchedule schedule = new TaskSchedule(taskId, modelId.longValueExact(), 2, 10_000, 16, startTime,
                commitWindow + revealWindow, commitWindow, revealWindow, 60, CHALLENGE_WINDOW, 4L << 32, -24, 0,
                List.of(home.chainId, arbitrum.chainId));
        WireParams params = schedule.wireParams(SPEC.parameterCount(), CHUNK_LEAVES_LOG2);
        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(Topics.UPDATE_CHUNKS.name());
        List<List<byte[]>> published = new ArrayList<>();
        List<ContributionProofs.Reveal> reveals = new ArrayList<>();
        for (Object[] w : List.of(new Object[] {onHome, home, homeContracts}, new Object[] {onArbitrum, arbitrum, arbContracts})) {
            TrainerNode node = (TrainerNode) w[0];
            Anvil chain = (Anvil) w[1];
            ChainContracts contracts = (ChainContracts) w[2];
            RoundRecord rec = node.state().round(taskId, 0);
            String worker = node.state().worker;
            WorkerHub hub = WorkerHub.load(contracts.workerHub(), chain.web3j, new ReadonlyTransactionManager(chain.web3j, worker),
                    NO_GAS);
            WorkerHub.Entry entry = hub.entryOf(BigInteger.valueOf(taskId), BigInteger.ZERO, worker).send();
            byte[] root = Numeric.hexStringToByteArray(rec.updateRoot);
            assertThat(entry.updateRoot).as("revealed root on chain %d", chain.chainId).isEqualTo(root);
            assertThat(entry.commitment).isEqualTo(hub.commitmentOf(root, BigInteger.valueOf(rec.weight),
                    Numeric.hexStringToByteArray(rec.dataRoot), Numeric.hexStringToByteArray(rec.salt), worker).send());
            assertThat(rec.weight).isBetween(1L, 10_000L);
            assertThat(hub.workerOf(worker).send().roundsContributed).isEqualTo(BigInteger.ONE);

            // in updates.chunks: every chunk of the worker, decodable, leaves hashing to the revealed root
            ChunkDecoder decoder = new ChunkDecoder(params);
            List<UpdateChunk> chunks = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                UpdateChunk c = Topics.UPDATE_CHUNKS.deserializeValue(r.value());
                if (c.getWorker().equalsIgnoreCase(worker)) {
                    assertThat(Topics.UPDATE_CHUNKS.deserializeKey(r.key())).isEqualTo(Keys.chunk(taskId, 0, c.getChunkIndex()));
                    chunks.add(c);
                }
            }
            assertThat(chunks).hasSize(params.chunkCount());
            chunks.sort(java.util.Comparator.comparingInt(UpdateChunk::getChunkIndex));
            published.add(chunks.stream().map(c -> bytes(c.getPayload())).toList());
            reveals.add(new ContributionProofs.Reveal(chain.chainId, worker, root, rec.weight));
            TransactionReceipt revealReceipt = chain.web3j.ethGetTransactionReceipt(rec.revealTx).send().getTransactionReceipt()
                    .orElseThrow();
            publishEvent(kafka, chain, revealReceipt, contracts.workerHub(), EventEncoder.encode(WorkerHub.UPDATEREVEALED_EVENT),
                    "WorkerHub", "UpdateRevealed", Map.of("taskId", Long.toString(taskId), "round", "0", "worker", worker,
                            "updateRoot", rec.updateRoot, "samples", Long.toString(rec.weight), "dataRoot", rec.dataRoot));
            for (UpdateChunk c : chunks) {
                assertThat(c.getChainId()).isEqualTo(chain.chainId);
                assertThat(c.getWeight()).isEqualTo(rec.weight);
                assertThat(bytes(c.getUpdateRoot())).isEqualTo(root);
                DecodedChunk decoded = decoder.decode(bytes(c.getPayload()), ChunkDecoder.Verification.FULL);
                byte[][] proof = c.getProof().stream().map(TrainerNodeIT::bytes).toArray(byte[][]::new);
                assertThat(MerkleTree.verify(decoded.chunkRoot(), c.getChunkIndex(), proof, root)).isTrue();
            }
        }

        // the test aggregates round 0 (FedAvg of the published chunks), commits it on home and
        // publishes the new model to models.chunks; after the challenge window it finalizes the round
        float[] next = io.tributary.trainer.FedAvg.apply(params, initial, published,
                reveals.stream().mapToLong(ContributionProofs.Reveal::weight).toArray(),
                reveals.stream().map(ContributionProofs.Reveal::updateRoot).toList());
        byte[] contributionsRoot = io.tributary.schemas.merkle.Contribution.tree(ContributionProofs.contributions(reveals)).root();
        while (System.currentTimeMillis() / 1000 < schedule.revealDeadline(0)) {
            Thread.sleep(100);
        }
        Credentials aggregator = KEYS.get(ROLES.aggregator());
        TransactionReceipt committed = send(home, aggregator, "commitRound-0", homeContracts.taskCoordinator(),
                coordinator.commitRound(BigInteger.valueOf(taskId), BigInteger.ZERO, ModelFile.root(next), contributionsRoot,
                        BigInteger.valueOf(reveals.get(0).weight() + reveals.get(1).weight()), BigInteger.TWO,
                        List.of(BigInteger.valueOf(reveals.get(0).weight()), BigInteger.valueOf(reveals.get(1).weight())))
                        .encodeFunctionCall());
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            for (io.tributary.schemas.avro.ModelChunk c : ModelChunks.of(taskId, 0, next, CHUNK_LEAVES_LOG2)) {
                producer.send(new ProducerRecord<>(Topics.MODEL_CHUNKS.name(),
                        Topics.MODEL_CHUNKS.serializeKey(Keys.chunk(taskId, 0, c.getChunkIndex())),
                        Topics.MODEL_CHUNKS.serializeValue(c))).get();
            }
        }
        long committedAt = home.web3j.ethGetBlockByHash(committed.getBlockHash(), false).send().getBlock().getTimestamp()
                .longValueExact();
        while (System.currentTimeMillis() / 1000 < committedAt + CHALLENGE_WINDOW) {
            Thread.sleep(100);
        }
        TransactionReceipt finalized = send(home, KEYS.get(ROLES.relayer()), "finalize-0", homeContracts.taskCoordinator(),
                coordinator.finalizeRound(BigInteger.valueOf(taskId), BigInteger.ZERO).encodeFunctionCall());
        relay(deployment, byName, "home", finalized, 1); // ROUND_FINALIZED to the arbitrum vault

        // both nodes start round 1 from the new model (models.chunks), and claim round 0 on their own chains
        await(() -> onHome.state().round(taskId, 1).phase == RoundPhase.PUBLISHED
                        && onArbitrum.state().round(taskId, 1).phase == RoundPhase.PUBLISHED
                        && onHome.state().round(taskId, 0).phase == RoundPhase.CLAIMED
                        && onArbitrum.state().round(taskId, 0).phase == RoundPhase.CLAIMED,
                Duration.ofSeconds(schedule.revealDeadline(1) - System.currentTimeMillis() / 1000 + 15),
                "round 1 published and round 0 claimed by both");
        long t4 = System.nanoTime();
        String homeWorker = onHome.state().worker;
        String arbWorker = onArbitrum.state().worker;
        BigInteger reward = coordinator.roundReward(BigInteger.valueOf(taskId), BigInteger.ZERO).send();
        BigInteger total = BigInteger.valueOf(reveals.get(0).weight() + reveals.get(1).weight());
        assertThat(token.balanceOf(homeWorker).send()).as("TRN paid on home")
                .isEqualTo(reward.multiply(BigInteger.valueOf(reveals.get(0).weight())).divide(total));
        io.tributary.contracts.generated.RewardVault vault = io.tributary.contracts.generated.RewardVault.load(
                arbContracts.rewardVault(), arbitrum.web3j, new ReadonlyTransactionManager(arbitrum.web3j, arbWorker), NO_GAS);
        assertThat(vault.balanceOf(arbWorker).send()).as("wTRN minted on arbitrum")
                .isEqualTo(reward.multiply(BigInteger.valueOf(reveals.get(1).weight())).divide(total));
        for (TrainerNode node : List.of(onHome, onArbitrum)) {
            assertThat(node.state().round(taskId, 1).updateRoot).isNotEqualTo(node.state().round(taskId, 0).updateRoot);
            assertThat(node.failure()).isEmpty();
        }

        // the metrics, scraped from each node's endpoint: real values, as the chains and the rounds had them
        Map<String, BigInteger> paid = Map.of("home", token.balanceOf(homeWorker).send(),
                "arbitrum-local", vault.balanceOf(arbWorker).send());
        for (Map.Entry<String, TrainerNode> e : Map.of("home", onHome, "arbitrum-local", onArbitrum).entrySet()) {
            String chain = "{chain=\"" + e.getKey() + "\"";
            String perTask = chain + ",task=\"" + taskId + "\"}";
            try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0, e.getValue().metricsRegistry())) {
                String rewardsSeries = "tributary_worker_rewards_tokens" + chain + "}";
                double expectedRewards = WorkerMetrics.tokens(paid.get(e.getKey()));
                assertThat(expectedRewards).isPositive();
                await(() -> scrape(endpoint, rewardsSeries) == expectedRewards, Duration.ofSeconds(10),
                        "rewards of " + e.getKey() + " in its metrics");
                String text = scrape(endpoint);
                LOG.info("metrics of the worker on {}:\n{}", e.getKey(), text.lines()
                        .filter(l -> l.startsWith("tributary_worker_") && !l.contains("_bucket")).collect(Collectors.joining("\n")));
                assertThat(value(text, "tributary_worker_round" + perTask)).isEqualTo(1);
                assertThat(value(text, "tributary_worker_local_loss" + perTask)).isPositive().isLessThan(Math.log(10));
                assertThat(value(text, "tributary_worker_eval_accuracy_ratio" + perTask)).isGreaterThan(0.5).isLessThanOrEqualTo(1);
                assertThat(value(text, "tributary_worker_rounds_contributed_total" + chain + "}")).isEqualTo(2);
                assertThat(value(text, "tributary_worker_stake_tokens" + chain + "}")).isEqualTo(1.0); // the builder's default
                for (String phase : List.of("new", "prepared", "committed", "revealed")) {
                    assertThat(value(text, "tributary_worker_phase_duration_seconds_count" + chain + ",phase=\"" + phase + "\"}"))
                            .as("rounds that left %s", phase).isEqualTo(2);
                }
                assertThat(value(text, "tributary_worker_phase_duration_seconds_count" + chain + ",phase=\"published\"}"))
                        .as("rounds claimed").isEqualTo(1);
                // the commit window is 10 s: a round waits in COMMITTED until it closes
                assertThat(value(text, "tributary_worker_phase_duration_seconds_sum" + chain + ",phase=\"committed\"}"))
                        .isGreaterThan(2);
                assertThat(value(text, "tributary_worker_phase_duration_seconds_count" + chain + ",phase=\"missed\"}")).isZero();
            }
        }
        LOG.info("timing: chains + Kafka + deployment {} ms, nodes up and task posted {} ms, round 0 served {} ms, "
                        + "round 1 served and round 0 claimed {} ms", (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
                (t3 - t2) / 1_000_000, (t4 - t3) / 1_000_000);
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private TrainerNode node(String chainName, Anvil chain, ChainContracts own, ChainContracts home, int keyIndex,
                             List<Sample> digits, int shard) throws Exception {
        Credentials key = KEYS.get(keyIndex);
        Path state = dir.resolve("worker-" + keyIndex);
        TransactionWriter writer = closeLater(Web3jNodeChain.openWriter(chain.web3j, key, chain.chainId,
                state.resolve("tx"), FEE_CAP));
        Web3jNodeChain nodeChain = new Web3jNodeChain(chain.web3j, homeChain.web3j, writer, own.home(),
                new Web3jNodeChain.Addresses(own.workerHub(), own.rewardVault(), home.taskCoordinator(), home.modelRegistry()));
        ChainEventsFollower events = closeLater(new ChainEventsFollower(broker.bootstrapServers(), home.taskCoordinator(),
                chain.chainId, own.workerHub())).start();
        return closeLater(TrainerNode.builder().chain(nodeChain).events(events).kafka(broker.bootstrapServers())
                .data(NodeData.mnist(digits, "mnist:iid", shard, 2)).stateDir(state).epochs(1).seed(keyIndex)
                .chunkLeavesLog2(CHUNK_LEAVES_LOG2).poll(Duration.ofMillis(200)).metrics(new PrometheusRegistry(), chainName)
                .build()).start();
    }

    /** What the log source connector writes for the log of {@code receipt} emitted by {@code contract} with {@code topic0}. */
    private static void publishEvent(KafkaTestBroker kafka, Anvil chain, TransactionReceipt receipt, String contract,
                                     String topic0, String contractName, String eventName, Map<String, String> fields)
            throws Exception {
        Log log = receipt.getLogs().stream()
                .filter(l -> l.getAddress().equalsIgnoreCase(contract) && l.getTopics().get(0).equals(topic0))
                .findFirst().orElseThrow();
        long ts = chain.web3j.ethGetBlockByHash(receipt.getBlockHash(), false).send().getBlock().getTimestamp().longValueExact();
        ChainEvent event = ChainEvent.newBuilder()
                .setOp(ChangeOp.c)
                .setSource(LogSource.newBuilder().setChainId(chain.chainId).setBlockNumber(log.getBlockNumber().longValueExact())
                        .setBlockHash(log.getBlockHash()).setBlockTimestamp(ts).setTxHash(log.getTransactionHash())
                        .setLogIndex(log.getLogIndex().intValueExact()).setContract(log.getAddress()).build())
                .setContractName(contractName).setEventName(eventName).setFields(fields)
                .setTopics(log.getTopics().stream().map(t -> ByteBuffer.wrap(Numeric.hexStringToByteArray(t))).toList())
                .setData(ByteBuffer.wrap(Numeric.hexStringToByteArray(log.getData())))
                .setEmittedAt(System.currentTimeMillis())
                .build();
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            producer.send(new ProducerRecord<>(Topics.CHAIN_EVENTS.name(),
                    Topics.CHAIN_EVENTS.serializeKey(Keys.chainEvent(chain.chainId, log.getAddress(), log.getTransactionHash(),
                            log.getLogIndex().intValueExact())),
                    Topics.CHAIN_EVENTS.serializeValue(event))).get();
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(KafkaTestBroker kafka) {
        return new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "key.serializer", ByteArraySerializer.class.getName(), "value.serializer", ByteArraySerializer.class.getName()));
    }

    /** Carries every gateway ContractCall of {@code receipt} to its destination, signed by the gateway's guardians. */
    private void relay(Deployment deployment, Map<String, Anvil> chains, String sourceName, TransactionReceipt receipt,
                       int expected) throws Exception {
        String sourceGateway = deployment.chain(sourceName).gateway();
        String topic0 = EventEncoder.encode(Gateway.CONTRACTCALL_EVENT);
        Credentials relayer = KEYS.get(ROLES.relayer());
        int relayed = 0;
        for (Log log : receipt.getLogs()) {
            if (!log.getAddress().equalsIgnoreCase(sourceGateway) || !log.getTopics().get(0).equals(topic0)) {
                continue;
            }
            Gateway.ContractCallEventResponse call = Gateway.getContractCallEventFromLog(log);
            ChainContracts destination = deployment.chain(call.destinationChain);
            Anvil chain = chains.get(call.destinationChain);
            String sender = call.sender.toLowerCase();
            byte[] commandId = GatewayApprovals.commandId(sourceName, receipt.getTransactionHash(), log.getLogIndex().intValueExact());
            byte[] digest = GatewayApprovals.approvalDigest(new GatewayApprovals.Domain(chain.chainId, destination.gateway()),
                    new GatewayApprovals.Approval(commandId, sourceName, sender, call.destinationChain,
                            call.destinationContractAddress, call.payloadHash));
            List<GatewayApprovals.Signed> signed = new ArrayList<>();
            for (ChainContracts.Guardian g : destination.guardians().subList(0, destination.threshold())) {
                signed.add(new GatewayApprovals.Signed(g.address(), GatewayApprovals.sign(digest, KEYS.get(g.devKeyIndex()))));
            }
            Gateway gateway = Gateway.load(destination.gateway(), chain.web3j,
                    new ReadonlyTransactionManager(chain.web3j, relayer.getAddress()), NO_GAS);
            String key = "relay-" + Numeric.toHexString(commandId);
            send(chain, relayer, key + "-approve", destination.gateway(), gateway.approveContractCall(commandId, sourceName,
                    sender, call.destinationContractAddress, call.payloadHash, GatewayApprovals.ordered(signed)).encodeFunctionCall());
            // every receiver (hub, vault) is an AxelarExecutable with the same execute
            WorkerHub receiver = WorkerHub.load(call.destinationContractAddress, chain.web3j,
                    new ReadonlyTransactionManager(chain.web3j, relayer.getAddress()), NO_GAS);
            send(chain, relayer, key + "-execute", call.destinationContractAddress,
                    receiver.execute(commandId, sourceName, sender, call.payload).encodeFunctionCall());
            relayed++;
        }
        assertThat(relayed).as("messages relayed").isEqualTo(expected);
    }

    private TransactionReceipt send(Anvil chain, Credentials key, String what, String to, String data) throws Exception {
        String id = chain.chainId + "-" + key.getAddress();
        TransactionWriter writer = writers.get(id);
        if (writer == null) {
            writer = closeLater(Web3jNodeChain.openWriter(chain.web3j, key, chain.chainId, dir.resolve("writers").resolve(id),
                    FEE_CAP));
            writers.put(id, writer);
        }
        TransactionReceipt receipt = writer.send(TxRequest.call("it/" + what, to, data)).receipt();
        assertThat(receipt.isStatusOK()).as(what).isTrue();
        return receipt;
    }

    private static String scrape(MetricsEndpoint endpoint) throws Exception {
        return MetricsScrape.http(endpoint.url());
    }

    private static double scrape(MetricsEndpoint endpoint, String series) throws Exception {
        return MetricsScrape.find(scrape(endpoint), series).orElse(Double.NaN);
    }

    private static double value(String exposition, String series) {
        return MetricsScrape.value(exposition, series);
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition condition, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            Thread.sleep(200);
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    private static byte[] sha256(String text) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    }
}
