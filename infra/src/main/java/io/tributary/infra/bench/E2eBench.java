package io.tributary.infra.bench;

import io.tributary.contracts.deploy.ChainContracts;
import io.tributary.contracts.deploy.KeyRoles;
import io.tributary.contracts.generated.ModelRegistry;
import io.tributary.contracts.generated.TaskCoordinator;
import io.tributary.contracts.generated.TrainingToken;
import io.tributary.contracts.tx.TransactionWriter;
import io.tributary.contracts.tx.TxRequest;
import io.tributary.contracts.tx.TxWriteException;
import io.tributary.infra.devnet.DevnetInfo;
import io.tributary.ingest.source.EvmLogSourceConnectorConfig;
import io.tributary.schemas.Keys;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.BlockHead;
import io.tributary.schemas.avro.RoundCommitment;
import io.tributary.schemas.avro.RoundOutcome;
import io.tributary.schemas.tensor.ModelFile;
import io.tributary.schemas.tensor.WireParams;
import io.tributary.trainer.node.TaskSchedule;
import io.tributary.trainer.node.Web3jNodeChain;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * The end-to-end benchmark on a running devnet (its connector, relayer and the round aggregation
 * job on the Flink MiniCluster). It registers a model of the job's shape, posts a task directly on
 * the home TaskCoordinator, and has several workers (dev keys on every chain, acting through the
 * trainer's {@link Web3jNodeChain}) commit and reveal an update root in each round's windows. All
 * update chunks are encoded and serialized before any timing. Once every chain's confirmed head in
 * {@code chain.blocks} has passed the round's reveal deadline (so the job's clock has closed the
 * reveal set), the chunks of all workers are produced to {@code updates.chunks} and timed:
 *
 * <ul>
 *   <li>pipeline: first chunk handed to the producer until the round's record is read from
 *       {@code rounds.commitments} by a {@code read_committed} consumer (the job's Kafka transaction
 *       committed at its checkpoint);
 *   <li>commit latency: every chunk acknowledged by the broker ({@code acks=all}) until the
 *       coordinator's {@code roundCommitment} on home shows the round committed (polled);
 *   <li>Kafka ceiling, the same run: the very same records produced by the same producer to a
 *       scratch topic with as many partitions and read back by a bare consumer, first send to the
 *       last record read.
 * </ul>
 */
public final class E2eBench {

    private static final Logger LOG = LoggerFactory.getLogger(E2eBench.class);
    /** The scratch topic of the Kafka ceiling (not a Tributary topic: created and deleted by the bench). */
    static final String CEILING_TOPIC = "bench.e2e.ceiling";
    /** Passes of the Kafka ceiling after each round; the best one counts (a ceiling, not a typical rate). */
    static final int CEILING_PASSES = 3;
    private static final BigInteger ETHER = BigInteger.TEN.pow(18);
    private static final BigInteger FEE_CAP = BigInteger.TEN.pow(11);
    private static final StaticGasProvider NO_GAS = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);
    private static final Duration POLL = Duration.ofMillis(20);

    private final DevnetInfo info;
    private final Path stateDir;
    private final int dimension;
    private final int chunkLeavesLog2;
    private final int rounds;
    private final int workersPerChain;
    private final long commitWindow;
    private final long revealWindow;
    private final long roundPeriod;
    private final long startLead;
    private final Duration roundTimeout;
    private final Consumer<String> progress;

    private E2eBench(Builder b) {
        this.info = b.info;
        this.stateDir = b.stateDir;
        this.dimension = b.dimension;
        this.chunkLeavesLog2 = b.chunkLeavesLog2;
        this.rounds = b.rounds;
        this.workersPerChain = b.workersPerChain;
        this.commitWindow = b.commitWindow;
        this.revealWindow = b.revealWindow;
        this.roundPeriod = b.roundPeriod;
        this.startLead = b.startLead;
        this.roundTimeout = b.roundTimeout;
        this.progress = b.progress;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the benchmark; every client it opened is closed when it returns. The state dir is emptied
     * first: the writers' journals in it are about the chains of an earlier devnet.
     */
    public E2eBenchResult run() throws IOException, InterruptedException {
        emptyDir(stateDir);
        List<AutoCloseable> resources = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(2, info.chains().size() * workersPerChain));
        try {
            return run(resources, pool);
        } finally {
            pool.shutdownNow();
            for (int i = resources.size() - 1; i >= 0; i--) {
                try {
                    resources.get(i).close();
                } catch (Exception e) {
                    LOG.warn("closing {}: {}", resources.get(i), e.toString());
                }
            }
        }
    }

    private E2eBenchResult run(List<AutoCloseable> resources, ExecutorService pool) throws IOException, InterruptedException {
        DevnetInfo.Chain home = info.home();
        ChainContracts homeContracts = home.contracts();
        KeyRoles roles = info.deployment().roles();
        if (roles.workers().size() < workersPerChain) {
            throw new IllegalArgumentException("the devnet has " + roles.workers().size() + " worker keys, "
                    + workersPerChain + " per chain asked");
        }
        Map<String, Web3j> web3 = new HashMap<>();
        for (DevnetInfo.Chain c : info.chains()) {
            Web3j w = Web3j.build(new HttpService(c.rpcUrl()));
            resources.add(w::shutdown);
            web3.put(c.name(), w);
        }
        Web3j homeWeb3 = web3.get(home.name());
        String bootstrap = info.kafka().bootstrapServers();
        ChainClock clock = new ChainClock(bootstrap);
        resources.add(clock);
        clock.start();
        CommitmentWatch commitments = new CommitmentWatch(bootstrap);
        resources.add(commitments);
        commitments.start();

        // the model (of the job's shape) and the workers, registered and staked on their hubs
        long t0 = System.nanoTime();
        Credentials client = Credentials.create(home.devKeys().get(roles.client()).privateKey());
        TransactionWriter clientWriter = writer(homeWeb3, client, home.chainId(), stateDir.resolve("client"));
        resources.add(clientWriter);
        long modelId = registerModel(homeWeb3, clientWriter, homeContracts, client);
        List<BenchWorker> workers = new ArrayList<>();
        for (DevnetInfo.Chain c : info.chains()) {
            for (int k = 0; k < workersPerChain; k++) {
                int keyIndex = roles.workers().get(k);
                workers.add(BenchWorker.open(c, web3.get(c.name()), homeWeb3, homeContracts, keyIndex,
                        stateDir.resolve("workers").resolve(c.name() + "-" + keyIndex), FEE_CAP, resources));
            }
        }
        all(pool, workers, w -> w.node().ensureRegistered(ETHER));
        progress.accept(String.format("model %d registered (%d coordinates), %d workers staked on %d chains  (%d ms)",
                modelId, dimension, workers.size(), info.chains().size(), millisSince(t0)));

        // the task, posted directly on the coordinator; its TASK_POSTED message relayed to every hub
        t0 = System.nanoTime();
        long taskId = postTask(homeWeb3, clientWriter, homeContracts, client, modelId, workers.size());
        TaskSchedule task = workers.get(0).node().task(taskId);
        awaitHubsKnow(workers, taskId, task);
        progress.accept(String.format("task %d posted: %d rounds, windows %d s commit + %d s reveal, period %d s; "
                + "every hub knows it  (%d ms)", taskId, rounds, commitWindow, revealWindow, roundPeriod, millisSince(t0)));

        // every update's bytes, before any timing
        t0 = System.nanoTime();
        List<List<BenchWorker.Update>> updates = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            List<BenchWorker.Update> round = new ArrayList<>();
            for (int i = 0; i < workers.size(); i++) {
                round.add(workers.get(i).prepare(task, r, dimension, chunkLeavesLog2, 100 + i));
            }
            updates.add(round);
        }
        progress.accept(String.format("%d updates encoded, %d chunk records a round, %.2f MB a round  (%d ms)",
                rounds * workers.size(), records(updates.get(0)).size(), bytes(records(updates.get(0))) / 1e6,
                millisSince(t0)));

        Map<String, Object> producerConfig = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "5",
                ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(1 << 20),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(8 << 20),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig);
        resources.add(producer);
        int partitions = createCeilingTopic(bootstrap, resources);

        List<E2eBenchResult.Round> results = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            List<BenchWorker.Update> round = updates.get(r);
            commitAndReveal(pool, workers, round, task, taskId, r);
            long deadline = task.revealDeadline(r);
            t0 = System.nanoTime();
            clock.awaitAllPast(info.chains().stream().map(DevnetInfo.Chain::chainId).toList(), deadline,
                    Duration.ofSeconds(30));
            progress.accept(String.format("round %d: every chain's confirmed head in %s is past the reveal deadline "
                    + "(waited %d ms); producing the chunks", r, Topics.CHAIN_BLOCKS.name(), millisSince(t0)));
            E2eBenchResult.Round measured = pipeline(producer, commitments, workers.get(0).node(), taskId, r,
                    records(round), workers.size());
            double ceiling = 0;
            for (int pass = 0; pass < CEILING_PASSES; pass++) {
                ceiling = Math.max(ceiling, ceiling(producer, bootstrap, records(round), partitions));
            }
            measured = measured.withCeiling(ceiling);
            results.add(measured);
            progress.accept(String.format("round %d: %.2f MB in %.0f ms = %.2f MB/s through the pipeline, "
                    + "Kafka ceiling %.1f MB/s (ratio %.3f); commitRound mined %.0f ms after the last chunk, "
                    + "%d contributors", r, measured.bytes() / 1e6, measured.pipelineMillis(), measured.pipelineMbPerS(),
                    ceiling, measured.pipelineMbPerS() / ceiling, measured.commitLatencyMillis(), measured.contributors()));
        }
        long confirmations = EvmLogSourceConnectorConfig.DEVNET_CONFIRMATIONS.getOrDefault(home.name(),
                EvmLogSourceConnectorConfig.DEFAULT_CONFIRMATIONS);
        return new E2eBenchResult(taskId, dimension, chunkLeavesLog2, workers.size(), info.chains().size(),
                partitions, confirmations, home.blockTimeMillis(), results);
    }

    // ------------------------------------------------------------------------------------------ set-up

    private static TransactionWriter writer(Web3j web3j, Credentials key, long chainId, Path dir)
            throws IOException, InterruptedException {
        try {
            return Web3jNodeChain.openWriter(web3j, key, chainId, dir, FEE_CAP);
        } catch (TxWriteException e) {
            throw new IOException("opening a writer for " + key.getAddress() + ": " + e.getMessage(), e);
        }
    }

    private static TransactionReceipt send(TransactionWriter writer, String key, String to, String data)
            throws IOException, InterruptedException {
        try {
            TransactionReceipt receipt = writer.send(TxRequest.call(key, to, data)).receipt();
            if (!receipt.isStatusOK()) {
                throw new IOException(key + " reverted in " + receipt.getTransactionHash());
            }
            return receipt;
        } catch (TxWriteException e) {
            throw new IOException(key + " failed: " + e.getMessage(), e);
        }
    }

    /** An initial model of {@code dimension} random coordinates, in a file the job reads by its file: URI. */
    private long registerModel(Web3j home, TransactionWriter writer, ChainContracts contracts, Credentials client)
            throws IOException, InterruptedException {
        SplittableRandom rnd = new SplittableRandom(dimension);
        float[] initial = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            initial[i] = (float) (rnd.nextGaussian() * 0.05);
        }
        Path file = stateDir.resolve("initial-" + System.currentTimeMillis() + ".model").toAbsolutePath();
        Files.createDirectories(file.getParent());
        ModelFile.write(file, initial);
        ModelRegistry registry = ModelRegistry.load(contracts.modelRegistry(), home,
                new ReadonlyTransactionManager(home, client.getAddress()), NO_GAS);
        TransactionReceipt receipt = send(writer, "bench-e2e/register-model/" + file.getFileName(), contracts.modelRegistry(),
                registry.registerModel(sha256("bench e2e model of " + dimension), ModelFile.root(initial),
                        file.toUri().toString()).encodeFunctionCall());
        return ModelRegistry.getModelRegisteredEvents(receipt).get(0).modelId.longValueExact();
    }

    private long postTask(Web3j home, TransactionWriter writer, ChainContracts contracts, Credentials client, long modelId,
                          int contributors) throws IOException, InterruptedException {
        ReadonlyTransactionManager reader = new ReadonlyTransactionManager(home, client.getAddress());
        TaskCoordinator coordinator = TaskCoordinator.load(contracts.taskCoordinator(), home, reader, NO_GAS);
        TrainingToken token = TrainingToken.load(contracts.trainingToken(), home, reader, NO_GAS);
        BigInteger bounty = ETHER.multiply(BigInteger.valueOf(10));
        String tag = "bench-e2e/model-" + modelId;
        send(writer, tag + "/approve", contracts.trainingToken(),
                token.approve(contracts.taskCoordinator(), bounty).encodeFunctionCall());
        long now;
        try {
            now = home.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock().getTimestamp()
                    .longValueExact();
        } catch (Exception e) {
            throw new IOException("reading the home chain's time: " + e.getMessage(), e);
        }
        TaskCoordinator.TaskSpec spec = new TaskCoordinator.TaskSpec(BigInteger.valueOf(modelId), sha256("bench e2e"),
                BigInteger.valueOf(rounds), BigInteger.ONE, BigInteger.valueOf(Math.max(16, contributors)),
                BigInteger.valueOf(10_000), BigInteger.valueOf(now + startLead), BigInteger.valueOf(roundPeriod),
                BigInteger.valueOf(commitWindow), BigInteger.valueOf(revealWindow), BigInteger.valueOf(60),
                BigInteger.valueOf(5), BigInteger.valueOf(4L << 32), BigInteger.valueOf(-24), BigInteger.ZERO,
                BigInteger.ZERO, BigInteger.ZERO,
                info.chains().stream().map(c -> BigInteger.valueOf(c.chainId())).toList());
        TransactionReceipt posted = send(writer, tag + "/post-task", contracts.taskCoordinator(),
                coordinator.postTask(spec, bounty).encodeFunctionCall());
        return TaskCoordinator.getTaskPostedEvents(posted).get(0).taskId.longValueExact();
    }

    private void awaitHubsKnow(List<BenchWorker> workers, long taskId, TaskSchedule task)
            throws IOException, InterruptedException {
        long limitMillis = task.commitDeadline(0) * 1000 - 3000;
        for (BenchWorker w : workers) {
            while (!w.node().hubKnowsTask(taskId)) {
                if (System.currentTimeMillis() > limitMillis) {
                    throw new IOException("the hub on " + w.chain().name() + " has not heard of task " + taskId
                            + " 3 s before round 0's commit deadline: is the relayer running?");
                }
                Thread.sleep(200);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ a round

    private void commitAndReveal(ExecutorService pool, List<BenchWorker> workers, List<BenchWorker.Update> round,
                                 TaskSchedule task, long taskId, int r) throws IOException, InterruptedException {
        sleepUntilMillis(task.open(r) * 1000 + 100);
        long t0 = System.nanoTime();
        List<Integer> indexes = java.util.stream.IntStream.range(0, workers.size()).boxed().toList();
        all(pool, indexes, i -> workers.get(i).commit(taskId, round.get(i)));
        progress.accept(String.format("round %d: %d commits mined  (%d ms)", r, workers.size(), millisSince(t0)));
        sleepUntilMillis(task.commitDeadline(r) * 1000 + 100);
        t0 = System.nanoTime();
        all(pool, indexes, i -> workers.get(i).reveal(taskId, round.get(i)));
        progress.accept(String.format("round %d: %d reveals mined  (%d ms)", r, workers.size(), millisSince(t0)));
        if (System.currentTimeMillis() >= task.revealDeadline(r) * 1000) {
            throw new IOException("round " + r + ": the reveals took past the reveal deadline; give a longer --reveal-window");
        }
    }

    private E2eBenchResult.Round pipeline(KafkaProducer<byte[], byte[]> producer, CommitmentWatch commitments,
                                          Web3jNodeChain homeReader, long taskId, int r,
                                          List<ProducerRecord<byte[], byte[]>> records, int workers)
            throws IOException, InterruptedException {
        String key = Keys.round(taskId, r);
        java.util.concurrent.atomic.AtomicLong minedAt = new java.util.concurrent.atomic.AtomicLong();
        Thread poller = new Thread(() -> {
            try {
                while (homeReader.committedModelRoot(taskId, r).isEmpty()) {
                    Thread.sleep(POLL.toMillis());
                }
                minedAt.set(System.nanoTime());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                LOG.warn("polling round {} of task {} on home: {}", r, taskId, e.toString());
            }
        }, "bench-e2e-commit-poller");
        poller.setDaemon(true);
        poller.start();

        long first = System.nanoTime();
        List<Future<?>> sent = new ArrayList<>(records.size());
        for (ProducerRecord<byte[], byte[]> rec : records) {
            sent.add(producer.send(rec));
        }
        producer.flush();
        awaitAll(sent);
        long lastAcked = System.nanoTime();

        Optional<CommitmentWatch.Seen> seen = commitments.await(key, roundTimeout);
        if (seen.isEmpty()) {
            poller.interrupt();
            throw new IOException("round " + r + " of task " + taskId + ": no record in " + Topics.ROUND_COMMITMENTS.name()
                    + " within " + roundTimeout.toSeconds() + " s of the chunks");
        }
        RoundCommitment c = seen.get().commitment();
        if (c.getOutcome() != RoundOutcome.COMMITTED) {
            poller.interrupt();
            throw new IOException("round " + r + " of task " + taskId + " was not committed: " + c.getOutcome() + " "
                    + c.getFailureReason());
        }
        poller.join(roundTimeout.toMillis());
        if (minedAt.get() == 0) {
            poller.interrupt();
            throw new IOException("round " + r + " of task " + taskId + ": commitRound not seen on home within "
                    + roundTimeout.toSeconds() + " s");
        }
        if (c.getContributors() != workers) {
            LOG.warn("round {}: {} contributors in the commitment, {} workers revealed", r, c.getContributors(), workers);
        }
        long visible = seen.get().nanos();
        return new E2eBenchResult.Round(r, records.size(), bytes(records), (lastAcked - first) / 1e6,
                (visible - first) / 1e6, (minedAt.get() - lastAcked) / 1e6, (visible - lastAcked) / 1e6,
                c.getContributors(), Double.NaN);
    }

    /** The same records through a bare producer → consumer on the same broker: MB/s from first send to last read. */
    private static double ceiling(KafkaProducer<byte[], byte[]> producer, String bootstrap,
                                  List<ProducerRecord<byte[], byte[]>> records, int partitions)
            throws IOException, InterruptedException {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(8 << 20)))) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition(CEILING_TOPIC, p));
            }
            consumer.assign(tps);
            consumer.seekToEnd(tps);
            tps.forEach(consumer::position); // resolve the end offsets before the clock starts
            long first = System.nanoTime();
            List<Future<?>> sent = new ArrayList<>(records.size());
            for (ProducerRecord<byte[], byte[]> rec : records) {
                sent.add(producer.send(new ProducerRecord<>(CEILING_TOPIC, rec.key(), rec.value())));
            }
            producer.flush();
            long read = 0;
            long limit = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (read < records.size()) {
                read += consumer.poll(Duration.ofMillis(10)).count();
                if (System.nanoTime() > limit) {
                    throw new IOException("the Kafka ceiling read " + read + " of " + records.size() + " records in 60 s");
                }
            }
            long last = System.nanoTime();
            awaitAll(sent);
            return bytes(records) / 1e6 / ((last - first) / 1e9);
        }
    }

    private static int createCeilingTopic(String bootstrap, List<AutoCloseable> resources) throws IOException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            int partitions = admin.describeTopics(List.of(Topics.UPDATE_CHUNKS.name())).allTopicNames().get()
                    .get(Topics.UPDATE_CHUNKS.name()).partitions().size();
            admin.createTopics(List.of(new NewTopic(CEILING_TOPIC, partitions, (short) 1))).all().get();
            resources.add(() -> {
                try (Admin a = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                    a.deleteTopics(List.of(CEILING_TOPIC)).all().get();
                }
            });
            return partitions;
        } catch (ExecutionException e) {
            throw new IOException("creating " + CEILING_TOPIC + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating " + CEILING_TOPIC, e);
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static List<ProducerRecord<byte[], byte[]>> records(List<BenchWorker.Update> round) {
        return round.stream().flatMap(u -> u.records().stream()).toList();
    }

    static long bytes(List<ProducerRecord<byte[], byte[]>> records) {
        long n = 0;
        for (ProducerRecord<byte[], byte[]> r : records) {
            n += r.key().length + r.value().length;
        }
        return n;
    }

    private interface Step<T> {
        Object apply(T item) throws Exception;
    }

    /** Runs {@code step} for every item on the pool and waits for all; the first failure is thrown. */
    private static <T> void all(ExecutorService pool, List<T> items, Step<T> step) throws IOException, InterruptedException {
        List<Future<Object>> futures = new ArrayList<>();
        for (T item : items) {
            Callable<Object> c = () -> step.apply(item);
            futures.add(pool.submit(c));
        }
        awaitAll(futures);
    }

    private static void awaitAll(List<? extends Future<?>> futures) throws IOException, InterruptedException {
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IOException io) {
                    throw io;
                }
                throw new IOException(cause.getMessage(), cause);
            }
        }
    }

    private static void emptyDir(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void sleepUntilMillis(long epochMillis) throws InterruptedException {
        long wait = epochMillis - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------ watchers

    /** The newest confirmed block timestamp of every chain, as {@code chain.blocks} says. */
    private static final class ChainClock implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Map<Long, Long> newest = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean running = true;

        ChainClock(String bootstrap) {
            consumer = consumer(bootstrap, "read_committed");
            thread = new Thread(this::loop, "bench-e2e-chain-clock");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void loop() {
            try {
                List<TopicPartition> tps = consumer.partitionsFor(Topics.CHAIN_BLOCKS.name()).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        BlockHead h = Topics.CHAIN_BLOCKS.deserializeValue(r.value());
                        newest.merge(h.getChainId(), h.getTimestamp(), Math::max);
                    }
                }
            } catch (org.apache.kafka.common.errors.WakeupException e) {
                // closing
            } catch (RuntimeException e) {
                LOG.warn("reading {}: {}", Topics.CHAIN_BLOCKS.name(), e.toString());
            } finally {
                consumer.close();
            }
        }

        void awaitAllPast(List<Long> chains, long unixSeconds, Duration timeout) throws IOException, InterruptedException {
            long limit = System.nanoTime() + timeout.toNanos();
            while (!chains.stream().allMatch(c -> newest.getOrDefault(c, Long.MIN_VALUE) >= unixSeconds)) {
                if (System.nanoTime() > limit) {
                    throw new IOException("no confirmed head at or past " + unixSeconds + " on every chain within "
                            + timeout.toSeconds() + " s: " + newest);
                }
                Thread.sleep(10);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            consumer.wakeup();
            thread.join(5000);
        }
    }

    /** When each {@code rounds.commitments} record became visible to a {@code read_committed} consumer. */
    private static final class CommitmentWatch implements AutoCloseable {
        record Seen(RoundCommitment commitment, long nanos) {}

        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Map<String, Seen> seen = new ConcurrentHashMap<>();
        private final Thread thread;
        private final java.util.concurrent.CountDownLatch positioned = new java.util.concurrent.CountDownLatch(1);
        private volatile boolean running = true;

        CommitmentWatch(String bootstrap) {
            consumer = consumer(bootstrap, "read_committed");
            thread = new Thread(this::loop, "bench-e2e-commitments");
            thread.setDaemon(true);
        }

        void start() throws InterruptedException, IOException {
            thread.start();
            if (!positioned.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IOException("could not position a consumer on " + Topics.ROUND_COMMITMENTS.name());
            }
        }

        private void loop() {
            try {
                List<TopicPartition> tps = consumer.partitionsFor(Topics.ROUND_COMMITMENTS.name()).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(tps);
                consumer.seekToEnd(tps);
                tps.forEach(consumer::position);
                positioned.countDown();
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(10))) {
                        long now = System.nanoTime();
                        seen.putIfAbsent(Topics.ROUND_COMMITMENTS.deserializeKey(r.key()),
                                new Seen(Topics.ROUND_COMMITMENTS.deserializeValue(r.value()), now));
                    }
                }
            } catch (org.apache.kafka.common.errors.WakeupException e) {
                // closing
            } catch (RuntimeException e) {
                LOG.warn("reading {}: {}", Topics.ROUND_COMMITMENTS.name(), e.toString());
            } finally {
                consumer.close();
            }
        }

        Optional<Seen> await(String key, Duration timeout) throws InterruptedException {
            long limit = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < limit) {
                Seen s = seen.get(key);
                if (s != null) {
                    return Optional.of(s);
                }
                Thread.sleep(2);
            }
            return Optional.empty();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            consumer.wakeup();
            thread.join(5000);
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String isolation) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10"));
    }

    /** Options of the benchmark; {@link #build()} refuses impossible ones. */
    public static final class Builder {
        private DevnetInfo info;
        private Path stateDir;
        private int dimension;
        private int chunkLeavesLog2 = WireParams.DEFAULT_CHUNK_LEAVES_LOG2;
        private int rounds = 3;
        private int workersPerChain = 2;
        private long commitWindow = 6;
        private long revealWindow = 6;
        private long roundPeriod = 30;
        private long startLead = 20;
        private Duration roundTimeout = Duration.ofSeconds(60);
        private Consumer<String> progress = line -> { };

        private Builder() {}

        /** The running devnet (with its deployment, connector, relayer and Flink job). */
        public Builder devnet(DevnetInfo v) { this.info = v; return this; }
        /** Where the bench keeps its files (writers' state, the model file); emptied when it runs. */
        public Builder stateDir(Path v) { this.stateDir = v; return this; }
        /** Coordinates of the model: the shape the devnet's job expects. */
        public Builder dimension(int v) { this.dimension = v; return this; }
        /** Leaves per chunk, log2: the devnet job's. */
        public Builder chunkLeavesLog2(int v) { this.chunkLeavesLog2 = v; return this; }
        public Builder rounds(int v) { this.rounds = v; return this; }
        public Builder workersPerChain(int v) { this.workersPerChain = v; return this; }
        /** Commit and reveal windows (seconds) and the round period. */
        public Builder windows(long commit, long reveal, long period) {
            this.commitWindow = commit;
            this.revealWindow = reveal;
            this.roundPeriod = period;
            return this;
        }
        /** Seconds from posting the task to round 0's opening (the TASK_POSTED message must reach every hub). */
        public Builder startLead(long v) { this.startLead = v; return this; }
        public Builder roundTimeout(Duration v) { this.roundTimeout = v; return this; }
        public Builder progress(Consumer<String> v) { this.progress = v; return this; }

        /** Refuses impossible options before anything is started (the devnet is checked by {@link #build()}). */
        public Builder checkOptions() {
            Objects.requireNonNull(roundTimeout, "roundTimeout");
            Objects.requireNonNull(progress, "progress");
            List<String> problems = new ArrayList<>();
            if (dimension < 64) {
                problems.add("dimension must be at least 64, was " + dimension);
            }
            if (rounds < 1) {
                problems.add("rounds must be at least 1, was " + rounds);
            }
            if (workersPerChain < 1) {
                problems.add("workers per chain must be at least 1, was " + workersPerChain);
            }
            if (commitWindow < 3 || revealWindow < 3) {
                problems.add("commit and reveal windows must be at least 3 s (a block on the slowest chain and its "
                        + "receipt), were " + commitWindow + " and " + revealWindow);
            }
            if (roundPeriod < commitWindow + revealWindow) {
                problems.add("the round period must hold both windows: " + roundPeriod + " < " + commitWindow + " + "
                        + revealWindow);
            }
            if (startLead < 5) {
                problems.add("start lead must be at least 5 s, was " + startLead);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
            return this;
        }

        public E2eBench build() {
            checkOptions();
            Objects.requireNonNull(info, "devnet");
            Objects.requireNonNull(stateDir, "stateDir");
            if (info.deployment() == null || info.chains().stream().anyMatch(c -> c.contracts() == null)) {
                throw new IllegalArgumentException("the devnet in " + info.dir() + " has no deployed contracts");
            }
            if (info.flink() == null) {
                throw new IllegalArgumentException("the devnet in " + info.dir()
                        + " runs no round aggregation job (no flink section in devnet.json)");
            }
            return new E2eBench(this);
        }
    }
}
