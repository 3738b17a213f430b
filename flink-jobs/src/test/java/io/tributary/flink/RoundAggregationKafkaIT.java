package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.contracts.deploy.Deployer;
import io.tributary.contracts.deploy.Deployment;
import io.tributary.contracts.deploy.DevKeys;
import io.tributary.contracts.deploy.KeyRoles;
import io.tributary.contracts.generated.ModelRegistry;
import io.tributary.contracts.generated.TaskCoordinator;
import io.tributary.contracts.generated.TrainingToken;
import io.tributary.contracts.testing.Anvil;
import io.tributary.contracts.tx.FeePolicy;
import io.tributary.contracts.tx.RetryPolicy;
import io.tributary.contracts.tx.RevertDecoder;
import io.tributary.contracts.tx.TransactionWriter;
import io.tributary.contracts.tx.TxRequest;
import io.tributary.contracts.tx.TxResult;
import io.tributary.ingest.testing.KafkaTestBroker;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.ChangeOp;
import io.tributary.schemas.avro.DeadLetter;
import io.tributary.schemas.avro.ModelChunk;
import io.tributary.schemas.avro.RejectionReason;
import io.tributary.schemas.avro.RoundCommitment;
import io.tributary.schemas.avro.RoundOutcome;
import io.tributary.schemas.tensor.ChunkAccumulator;
import io.tributary.schemas.tensor.ChunkDecoder;
import io.tributary.schemas.tensor.EncodedUpdate;
import io.tributary.schemas.tensor.ModelFile;
import io.tributary.schemas.tensor.WireParams;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * The job as {@link RoundAggregationJobMain} wires it (Kafka sources, transactional sinks, the
 * on-chain commitment sink, live event time), in a MiniCluster of two TaskManagers with
 * checkpoints, against a real KRaft broker and an anvil chain with the deployed contracts: the task
 * and its model are really posted and registered on chain; the workers' reveals and chunks are
 * written to the topics as the connector and the trainers would.
 */
class RoundAggregationKafkaIT {

    private static final Logger LOG = LoggerFactory.getLogger(RoundAggregationKafkaIT.class);
    private static final long HOME = Fixtures.HOME;
    private static final int WORKERS = 5;
    private static final int PARALLELISM = 2;
    private static final BigInteger BOUNTY = BigInteger.TEN.pow(21);
    private static final List<Credentials> KEYS = DevKeys.anvil(Anvil.ACCOUNTS);
    private static final KeyRoles ROLES = KeyRoles.defaults();

    private static Path dir;
    private static Anvil anvil;
    private static String rpcUrl;
    private static Deployment deployment;
    private static TransactionWriter client;
    private static long modelId;
    private static float[] initial;
    private static String modelUri;
    private static byte[] expectedModelRoot;
    private static List<EncodedUpdate> updates;

    private KafkaTestBroker kafka;
    private MiniCluster cluster;
    private InMemoryReporter metrics;
    private String groupId;
    private Path testDir;

    @BeforeAll
    static void chainWithContractsAndModel() throws Exception {
        System.setProperty("tributary.anvil", System.getProperty("tributary.anvil",
                Path.of("../contracts/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil").toString()));
        dir = Path.of(System.getProperty("tributary.test.dir", "target/it")).resolve("kafka-it-" + System.nanoTime())
                .toAbsolutePath();
        Path log = dir.resolve("anvil.log");
        anvil = Anvil.start(HOME, log);
        Matcher m = Pattern.compile("Listening on (\\S+)").matcher(Files.readString(log));
        assertThat(m.find()).as("anvil's listening address in %s", log).isTrue();
        rpcUrl = "http://" + m.group(1);
        deployment = Deployer.builder().devKeys(KEYS).stateDir(dir.resolve("deployment"))
                .home("home", HOME, anvil.web3j).build().deploy();
        client = writer(KEYS.get(ROLES.client()), dir.resolve("client-writer"));

        initial = Fixtures.initialModel(5);
        modelUri = Fixtures.modelFile(initial, "kafka-it");
        ModelRegistry registry = ModelRegistry.load(deployment.home().modelRegistry(), anvil.web3j,
                new ReadonlyTransactionManager(anvil.web3j, client.address()), new StaticGasProvider(BigInteger.ZERO,
                        BigInteger.ZERO));
        send("registerModel", deployment.home().modelRegistry(),
                registry.registerModel(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
                    20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}, ModelFile.root(initial), modelUri).encodeFunctionCall());
        modelId = registry.modelCount().send().longValueExact();
        updates = Fixtures.updates(WORKERS + 1, 11);
        expectedModelRoot = expectedModelRoot(WORKERS);
    }

    @AfterAll
    static void stopChain() throws Exception {
        if (client != null) {
            client.close();
        }
        if (anvil != null) {
            anvil.close();
        }
    }

    @BeforeEach
    void kafkaAndFlink() throws Exception {
        testDir = dir.resolve("test-" + System.nanoTime());
        kafka = KafkaTestBroker.start(testDir.resolve("kafka"));
        // Outputs: one partition (read back whole); inputs: one partition per source subtask. A Kafka source
        // subtask without a partition holds back the watermark (Flink's Kafka source docs, "Idleness").
        kafka.createTopics(Topics.MODEL_CHUNKS.name(), Topics.ROUND_COMMITMENTS.name(), Topics.DEADLETTER.name());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(Topics.CHAIN_EVENTS.name(), PARALLELISM, (short) 1),
                    new NewTopic(Topics.CHAIN_BLOCKS.name(), PARALLELISM, (short) 1),
                    new NewTopic(Topics.UPDATE_CHUNKS.name(), PARALLELISM, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        metrics = InMemoryReporter.createWithRetainedMetrics();
        Configuration conf = metrics.addToConfiguration(new Configuration());
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(2).setNumSlotsPerTaskManager(1).build());
        cluster.start();
    }

    @AfterEach
    void stopKafkaAndFlink() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    // ---------------------------------------------------------------------------------------- tests

    @Test
    void shouldCommitOneRoundExactlyOnceToKafkaAndOnChainWithTheSameModelRoot() throws Exception {
        Task task = postTask();
        JobID job = submit();
        produce(task.setup(WORKERS));
        produce(task.chunks(0, WORKERS, 0, Fixtures.chunkCount()));
        closeRound(task);

        RoundCommitment rc = awaitCommitment(task);
        assertCommittedOnce(task, rc, WORKERS);
        // the commit's metrics: one transaction, its gas as the chain's receipt says
        BigInteger gas = anvil.web3j.ethGetTransactionReceipt(roundCommittedOnChain(task).get(0).log.getTransactionHash())
                .send().getTransactionReceipt().orElseThrow().getGasUsed();
        await("the commit counted", () -> counter(JobMetrics.COMMITS) == 1);
        assertThat(counter(JobMetrics.COMMIT_GAS_USED_TOTAL)).isEqualTo(gas.longValueExact());
        assertThat(counter(JobMetrics.CHUNKS_ADMITTED)).isEqualTo((long) WORKERS * Fixtures.chunkCount());
        assertThat(counter(JobMetrics.COORDINATES_AGGREGATED)).isEqualTo((long) WORKERS * Fixtures.DIMENSION);
        assertThat(counter(JobMetrics.ROUNDS_CLOSED)).isEqualTo(1);
        cluster.cancelJob(job).get(30, TimeUnit.SECONDS);
    }

    @Test
    void shouldRestoreFromTheCheckpointAfterATaskManagerDiesMidRoundAndCommitTheSameRoundOnce() throws Exception {
        Task task = postTask();
        JobID job = submit();
        produce(task.setup(WORKERS));
        int half = WORKERS / 2 + 1;
        produce(task.chunks(0, half, 0, Fixtures.chunkCount()));
        await("a checkpoint holding the first half of the round", this::consumedAll);

        cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
        cluster.startTaskManager(); // one slot each: the job needs two TaskManagers again
        LOG.info("TaskManager 0 terminated mid-round; the job restarts on the other one and a new one");
        produce(task.chunks(half, WORKERS, 0, Fixtures.chunkCount()));
        closeRound(task);

        RoundCommitment rc = awaitCommitment(task);
        assertCommittedOnce(task, rc, WORKERS);
        AccessExecutionGraph g = cluster.getExecutionGraph(job).get(30, TimeUnit.SECONDS);
        assertThat(g.getAllExecutionVertices()).as("tasks redeployed after the TaskManager died")
                .allSatisfy(v -> assertThat(v.getCurrentExecutionAttempt().getAttemptNumber()).isPositive());
        assertThat(g.getCheckpointStatsSnapshot().getLatestRestoredCheckpoint()).as("restored from a checkpoint")
                .isNotNull();
        cluster.cancelJob(job).get(30, TimeUnit.SECONDS);
    }

    @Test
    void shouldNotCountARevealRetractedBeforeCloseAndDeadLetterOneRetractedAfterClose() throws Exception {
        Task task = postTask();
        JobID job = submit();
        // six workers reveal; the sixth reveal is retracted by a deep reorg before the round closes
        produce(task.setup(WORKERS + 1));
        produce(List.of(task.reveal(ChangeOp.d, WORKERS, task.start + 550)));
        produce(task.chunks(0, WORKERS + 1, 0, Fixtures.chunkCount()));
        closeRound(task);

        RoundCommitment rc = awaitCommitment(task);
        assertThat(rc.getContributors()).isEqualTo(WORKERS);
        assertCommittedOnce(task, rc, WORKERS);
        assertThat(deadLetters()).filteredOn(d -> d.getReason() == RejectionReason.RETRACTED)
                .extracting(DeadLetter::getSourceTopic).containsOnly(Topics.UPDATE_CHUNKS.name()).isNotEmpty();

        // after the close: a retraction of a counted worker is an alarm (dead letter + metric), nothing changes
        long alarmsBefore = counter("revealRetractionsRejected") + counter("revealsRetractedAfterClose");
        produce(List.of(task.reveal(ChangeOp.d, 0, task.start + 700)));
        await("a dead letter of the retraction after close", () -> deadLetters().stream().anyMatch(d ->
                d.getReason() == RejectionReason.RETRACTED && d.getSourceTopic().equals(Topics.CHAIN_EVENTS.name())));
        List<DeadLetter> late = deadLetters().stream()
                .filter(d -> d.getSourceTopic().equals(Topics.CHAIN_EVENTS.name())).toList();
        assertThat(late).singleElement().satisfies(d ->
                assertThat(d.getDetail()).contains("closed: nothing was changed"));
        await("the alarm counted", () -> counter("revealRetractionsRejected")
                + counter("revealsRetractedAfterClose") == alarmsBefore + 1);
        assertCommittedOnce(task, rc, WORKERS);
        cluster.cancelJob(job).get(30, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------------------------- the round

    /** A task posted on chain and the records that describe it on the topics. */
    private record Task(long taskId, long start, long aggregatorNonce) {

        long revealDeadline() {
            return start + Fixtures.COMMIT + Fixtures.REVEAL;
        }

        List<RawRecord> setup(int workers) {
            List<RawRecord> out = new ArrayList<>();
            out.add(Fixtures.raw(Fixtures.modelRegisteredEvent(modelId, ModelFile.root(initial), modelUri, start - 30)));
            out.add(Fixtures.raw(Fixtures.taskPostedEvent(taskId, Fixtures.specJson(modelId, AggregationRule.FEDAVG, 0,
                    3, 16, start, Long.toString(HOME)), start - 20)));
            for (int w = 0; w < workers; w++) {
                out.add(reveal(ChangeOp.c, w, start + 500));
            }
            out.add(Fixtures.block(HOME, 1, start + 500));
            return out;
        }

        RawRecord reveal(ChangeOp op, int w, long blockTs) {
            return Fixtures.raw(Fixtures.revealEvent(op, taskId, 0, HOME, Fixtures.worker(w), updates.get(w).root(),
                    weight(w), blockTs));
        }

        List<RawRecord> chunks(int fromWorker, int toWorker, int fromChunk, int toChunk) {
            List<RawRecord> out = new ArrayList<>();
            for (int w = fromWorker; w < toWorker; w++) {
                for (int c = fromChunk; c < toChunk; c++) {
                    out.add(Fixtures.chunk(taskId, 0, HOME, Fixtures.worker(w), c, weight(w), updates.get(w).root(),
                            updates.get(w).chunks().get(c)));
                }
            }
            return out;
        }
    }

    private static long weight(int w) {
        return 10L + w;
    }

    /** Posts a FedAvg task starting shortly after the chain's present. */
    private static Task postTask() throws Exception {
        anvil.call("evm_mine"); // the latest block's time, not the one of the last transaction
        long start = anvil.timestamp() + 60;
        String coordinatorAddress = deployment.home().taskCoordinator();
        TaskCoordinator coordinator = TaskCoordinator.load(coordinatorAddress, anvil.web3j,
                new ReadonlyTransactionManager(anvil.web3j, client.address()), new StaticGasProvider(BigInteger.ZERO,
                        BigInteger.ZERO));
        TrainingToken token = TrainingToken.load(deployment.home().trainingToken(), anvil.web3j,
                new ReadonlyTransactionManager(anvil.web3j, client.address()), new StaticGasProvider(BigInteger.ZERO,
                        BigInteger.ZERO));
        send("approve-" + start, deployment.home().trainingToken(),
                token.approve(coordinatorAddress, BOUNTY).encodeFunctionCall());
        byte[] datasetRoot = new byte[32];
        Arrays.fill(datasetRoot, (byte) 0x44);
        TaskCoordinator.TaskSpec spec = new TaskCoordinator.TaskSpec(BigInteger.valueOf(modelId), datasetRoot,
                BigInteger.valueOf(3), BigInteger.valueOf(3), BigInteger.valueOf(16), BigInteger.valueOf(1000),
                BigInteger.valueOf(start), BigInteger.valueOf(Fixtures.PERIOD), BigInteger.valueOf(Fixtures.COMMIT),
                BigInteger.valueOf(Fixtures.REVEAL), BigInteger.valueOf(300), BigInteger.ZERO,
                BigInteger.valueOf(1L << 32), BigInteger.valueOf(Fixtures.EXP_MIN), BigInteger.valueOf(Fixtures.EXP_MAX),
                BigInteger.ZERO, BigInteger.ZERO, List.of(BigInteger.valueOf(HOME)));
        TxResult posted = send("postTask-" + start, coordinatorAddress, coordinator.postTask(spec, BOUNTY)
                .encodeFunctionCall());
        long taskId = TaskCoordinator.getTaskPostedEvents(posted.receipt()).get(0).taskId.longValueExact();
        return new Task(taskId, start, anvil.nonce(KEYS.get(ROLES.aggregator()).getAddress(),
                DefaultBlockParameterName.LATEST));
    }

    /**
     * Waits until the job has taken in everything produced so far (a completed checkpoint committed the
     * sources' offsets up to the topics' ends: with aligned checkpoints every record before the barrier
     * went through the whole job), moves the chain into the aggregation window, then a block head past
     * the close time closes the round.
     */
    private void closeRound(Task task) throws Exception {
        await("the job consumed chain.events and updates.chunks", this::consumedAll);
        anvil.call("evm_setNextBlockTimestamp", task.revealDeadline() + 40);
        anvil.call("evm_mine");
        produce(List.of(Fixtures.block(HOME, 2, task.revealDeadline() + Fixtures.GRACE + 10)));
    }

    private boolean consumedAll() {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            for (String topic : List.of(Topics.CHAIN_EVENTS.name(), Topics.UPDATE_CHUNKS.name())) {
                for (int p = 0; p < PARALLELISM; p++) {
                    latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
            }
            var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            var committed = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            for (var e : ends.entrySet()) {
                var c = committed.get(e.getKey());
                if (e.getValue().offset() > 0 && (c == null || c.offset() < e.getValue().offset())) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private JobID submit() throws Exception {
        groupId = "it-" + System.nanoTime();
        Map<String, String> options = Map.ofEntries(
                Map.entry(RoundAggregationJobMain.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers()),
                Map.entry(RoundAggregationJobMain.GROUP_ID.key(), groupId),
                Map.entry(RoundAggregationJobMain.TRANSACTIONAL_ID_PREFIX.key(), "it-" + System.nanoTime()),
                Map.entry(RoundAggregationJobMain.MODELS.key(), modelId + "=" + Fixtures.DIMENSION + ":" + Fixtures.K),
                Map.entry(RoundAggregationJobMain.CLOSE_GRACE.key(), Fixtures.GRACE + " s"),
                Map.entry(RoundAggregationJobMain.CHAIN_IDLENESS.key(), "2 s"),
                Map.entry(RoundAggregationJobMain.COMMIT_ON_CHAIN.key(), "true"),
                Map.entry(RoundAggregationJobMain.COMMIT_RPC_URL.key(), rpcUrl),
                Map.entry(RoundAggregationJobMain.COMMIT_CHAIN_ID.key(), Long.toString(HOME)),
                Map.entry(RoundAggregationJobMain.COMMIT_COORDINATOR.key(), deployment.home().taskCoordinator()),
                Map.entry(RoundAggregationJobMain.COMMIT_KEY.key(), "dev:aggregator"),
                Map.entry(RoundAggregationJobMain.COMMIT_STATE_DIR.key(), testDir.resolve("commit-writer").toString()));
        List<String> args = new ArrayList<>();
        options.forEach((k, v) -> {
            args.add("--" + k);
            args.add(v);
        });
        RoundAggregationJob job = RoundAggregationJobMain.job(RoundAggregationJobMain.parse(args.toArray(new String[0])));

        Configuration flink = new Configuration();
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, flink);
        env.enableCheckpointing(300, CheckpointingMode.EXACTLY_ONCE);
        job.build(env);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName("round-aggregation-it");
        return cluster.submitJob(graph).get(60, TimeUnit.SECONDS).getJobID();
    }

    // ---------------------------------------------------------------------------------- assertions

    private void assertCommittedOnce(Task task, RoundCommitment rc, int contributors) throws Exception {
        assertThat(rc.getOutcome()).isEqualTo(RoundOutcome.COMMITTED);
        assertThat(bytes(rc.getModelRoot())).as("modelRoot = initial model + exact FedAvg").isEqualTo(expectedModelRoot);
        assertThat(rc.getContributors()).isEqualTo(contributors);
        List<ModelChunk> models = kafka.readAll(Topics.MODEL_CHUNKS.name()).stream()
                .map(r -> Topics.MODEL_CHUNKS.deserializeValue(r.value())).toList();
        assertThat(models).as("models.chunks, read_committed").hasSize(Fixtures.chunkCount())
                .allSatisfy(mc -> assertThat(bytes(mc.getModelRoot())).isEqualTo(expectedModelRoot));
        assertThat(commitments(task)).as("rounds.commitments, read_committed").hasSize(1);
        List<TaskCoordinator.RoundCommittedEventResponse> onChain = roundCommittedOnChain(task);
        assertThat(onChain).as("RoundCommitted events of the round").hasSize(1);
        assertThat(onChain.get(0).modelRoot).isEqualTo(expectedModelRoot);
        assertThat(onChain.get(0).contributionsRoot).isEqualTo(bytes(rc.getContributionsRoot()));
        assertThat(onChain.get(0).aggregator).isEqualToIgnoringCase(KEYS.get(ROLES.aggregator()).getAddress());
        assertThat(anvil.nonce(KEYS.get(ROLES.aggregator()).getAddress(), DefaultBlockParameterName.LATEST))
                .as("transactions the aggregator sent for the round").isEqualTo(task.aggregatorNonce() + 1);
    }

    private RoundCommitment awaitCommitment(Task task) throws Exception {
        await("the round's commitment in rounds.commitments", () -> !commitments(task).isEmpty());
        await("commitRound mined", () -> !roundCommittedOnChain(task).isEmpty());
        Thread.sleep(1500); // a duplicate, if any, would come with the next checkpoints
        return commitments(task).get(0);
    }

    private List<RoundCommitment> commitments(Task task) {
        return kafka.readAll(Topics.ROUND_COMMITMENTS.name()).stream()
                .map(r -> Topics.ROUND_COMMITMENTS.deserializeValue(r.value()))
                .filter(rc -> rc.getTaskId() == task.taskId()).toList();
    }

    private List<DeadLetter> deadLetters() {
        return kafka.readAll(Topics.DEADLETTER.name()).stream()
                .map(r -> Topics.DEADLETTER.deserializeValue(r.value())).toList();
    }

    private static List<TaskCoordinator.RoundCommittedEventResponse> roundCommittedOnChain(Task task) {
        try {
            EthFilter filter = new EthFilter(DefaultBlockParameterName.EARLIEST, DefaultBlockParameterName.LATEST,
                    deployment.home().taskCoordinator());
            filter.addSingleTopic(EventEncoder.encode(TaskCoordinator.ROUNDCOMMITTED_EVENT));
            List<TaskCoordinator.RoundCommittedEventResponse> out = new ArrayList<>();
            for (EthLog.LogResult<?> r : anvil.web3j.ethGetLogs(filter).send().getLogs()) {
                TaskCoordinator.RoundCommittedEventResponse e = TaskCoordinator.getRoundCommittedEventFromLog((Log) r.get());
                if (e.taskId.longValueExact() == task.taskId() && e.round.intValueExact() == 0) {
                    out.add(e);
                }
            }
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The initial model plus the exact FedAvg of the first {@code n} updates, as ModelFile's root. */
    private static byte[] expectedModelRoot(int n) throws Exception {
        WireParams p = Fixtures.params(16);
        ChunkDecoder decoder = new ChunkDecoder(p);
        float[] model = initial.clone();
        for (int c = 0; c < p.chunkCount(); c++) {
            ChunkAccumulator acc = new ChunkAccumulator(p, c);
            for (int w = 0; w < n; w++) {
                acc.add(decoder.decode(updates.get(w).chunks().get(c)), weight(w));
            }
            int from = c * (ModelFile.LEAF_COORDS << p.chunkLeavesLog2());
            float[] chunk = acc.applyTo(Arrays.copyOfRange(initial, from, from + p.coordsInChunk(c)));
            System.arraycopy(chunk, 0, model, from, chunk.length);
        }
        return ModelFile.root(model);
    }

    // ---------------------------------------------------------------------------------- plumbing

    /** A counter summed over every operator and subtask of the (only) job that has one of that name. */
    private long counter(String name) {
        long sum = 0;
        for (Map<String, org.apache.flink.metrics.Metric> group : metrics.getMetricsByGroup().values()) {
            if (group.get(name) instanceof Counter c) {
                sum += c.getCount();
            }
        }
        return sum;
    }

    private void produce(List<RawRecord> records) {
        Map<String, Object> conf = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(conf)) {
            for (RawRecord r : records) {
                producer.send(new ProducerRecord<>(r.topic, r.key, r.value));
            }
            producer.flush();
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    private static TransactionWriter writer(Credentials key, Path stateDir) throws Exception {
        BigInteger cap = BigInteger.TEN.pow(11);
        return TransactionWriter.builder().web3j(anvil.web3j).credentials(key).chainId(HOME).stateDir(stateDir)
                .feePolicy(new FeePolicy(cap, BigInteger.ONE, BigInteger.TEN.pow(9), 2))
                .receiptPolling(Duration.ofMillis(20), 1000)
                .resendInterval(Duration.ofSeconds(2))
                .feeCapWait(Duration.ofMillis(100), Duration.ofSeconds(10))
                .retry(new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(5)))
                .revertDecoder(RevertDecoder.withProjectErrors())
                .build();
    }

    private static TxResult send(String what, String to, String data) throws Exception {
        TxResult r = client.send(TxRequest.call("it/" + what, to, data));
        assertThat(r.receipt().isStatusOK()).as(what).isTrue();
        return r;
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
