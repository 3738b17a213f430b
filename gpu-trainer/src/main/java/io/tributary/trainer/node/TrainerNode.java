package io.tributary.trainer.node;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.schemas.Keys;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.UpdateChunk;
import io.tributary.schemas.tensor.WireParams;
import io.tributary.trainer.Evaluation;
import io.tributary.trainer.LocalTrainer;
import io.tributary.trainer.LocalUpdate;
import io.tributary.trainer.MlpSpec;
import io.tributary.trainer.PreparedUpdate;
import io.tributary.trainer.UpdatePreparer;
import io.tributary.trainer.node.RoundStateMachine.Action;
import io.tributary.trainer.node.RoundStateMachine.Step;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker node: registers and stakes on its chain's WorkerHub once, follows {@code chain.events}
 * for tasks that include its chain, and serves each of their rounds (global model, E local epochs,
 * update = local - global transformed by its {@link Behaviour}, clipped and encoded, commit, reveal,
 * chunks to {@code updates.chunks}), then claims each finalized round on its own chain. Every new
 * global model is evaluated on the worker's held-out split; loss and accuracy are logged
 * ({@code evaluation task=T model=initial|after-round-R ... loss=.. accuracy=..}).
 *
 * <p>Its {@link WorkerMetrics} (in the registry given to {@link Builder#metrics}, else a private one)
 * follow the round of each task, the training loss of each local update, the accuracy of each new
 * global model, the time spent in each phase, the rounds revealed (counted from the durable state at
 * start), and the stake and rewards read from the chain at start, after a claim, and every
 * {@link #CHAIN_FIGURES_REFRESH}.
 *
 * <p>Claims prove the worker's leaf with the contributions tree rebuilt from the round's confirmed
 * {@code UpdateRevealed} events in {@code chain.events} ({@link ContributionProofs}); a round whose
 * tree cannot be rebuilt that way (the aggregator left a revealed update out) is recorded
 * UNCLAIMABLE with the reason.
 */
public final class TrainerNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerNode.class);
    /** How often the stake and rewards are read from the chain when no claim prompted it. */
    static final Duration CHAIN_FIGURES_REFRESH = Duration.ofSeconds(60);

    private final Builder cfg;
    private final NodeState state;
    private final RoundDriver driver;
    private final GlobalModels models;
    private final LocalTrainer trainer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final PrometheusRegistry registry;
    private final WorkerMetrics metrics;
    private long chainFiguresReadAt;
    private final Map<Long, TaskSchedule> tasks = new HashMap<>();
    private final Set<Long> ignored = new HashSet<>();
    private final Set<String> evaluated = new HashSet<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    private TrainerNode(Builder b) throws IOException {
        this.cfg = b;
        this.state = NodeState.open(b.stateDir, b.chain.chainId(), b.chain.worker());
        this.registry = b.registry != null ? b.registry : new PrometheusRegistry();
        this.metrics = new WorkerMetrics(registry, b.chainLabel != null ? b.chainLabel : Long.toString(b.chain.chainId()));
        metrics.contributed(state.tasks.values().stream().flatMap(rounds -> rounds.values().stream())
                .filter(r -> r.phase.revealed()).count());
        int dimension = b.spec.parameterCount();
        this.models = new GlobalModels(b.bootstrapServers, b.chain, b.stateDir.resolve("models"), dimension);
        this.trainer = LocalTrainer.builder().spec(b.spec).epochs(b.epochs).seed(b.seed).build();
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
        this.driver = new RoundDriver(b.chain, state, new RoundStateMachine(b.marginSeconds), this::prepare, this::publish,
                b.clock, metrics);
        this.thread = new Thread(this::run, "trainer-node-" + b.chain.chainId() + "-" + b.chain.worker());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the node's thread. */
    public TrainerNode start() {
        thread.start();
        return this;
    }

    /** Why the node stopped, if it failed. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    public boolean isRunning() {
        return thread.isAlive();
    }

    /** The registry holding the node's metrics (the one given to {@link Builder#metrics}, else its own). */
    public PrometheusRegistry metricsRegistry() {
        return registry;
    }

    /** The node's durable state (read it, do not change it). */
    public NodeState state() {
        return state;
    }

    private void run() {
        try {
            Optional<String> tx = cfg.chain.ensureRegistered(cfg.stake);
            if (tx.isPresent() && state.registerTx == null) {
                state.registerTx = tx.get();
                state.save();
            }
            LOG.info("worker {} on chain {} is registered ({})", cfg.chain.worker(), cfg.chain.chainId(),
                    tx.orElse("already active"));
            readChainFigures();
            while (running) {
                long sleep = cfg.poll.toMillis();
                if (System.nanoTime() - chainFiguresReadAt > CHAIN_FIGURES_REFRESH.toNanos()) {
                    readChainFigures();
                }
                for (long taskId : cfg.events.tasks()) {
                    try {
                        serve(taskId);
                    } catch (IOException e) {
                        LOG.warn("task {}: {} (will retry)", taskId, e.toString());
                    }
                }
                if (cfg.events.failure() != null) {
                    throw new IOException("following chain.events failed", cfg.events.failure());
                }
                Thread.sleep(sleep);
            }
        } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
            LOG.error("worker node stopped: {}", t.toString(), t);
        }
    }

    /** Reads the worker's stake and the rewards paid to it from its chain into the metrics (a failure waits for the next time). */
    private void readChainFigures() {
        chainFiguresReadAt = System.nanoTime();
        try {
            metrics.stake(cfg.chain.stake());
            metrics.rewards(cfg.chain.rewardsReceived());
        } catch (IOException e) {
            LOG.warn("reading the stake and rewards of {} on chain {}: {} (will retry)", cfg.chain.worker(),
                    cfg.chain.chainId(), e.toString());
        }
    }

    /** Takes every step of the task that can be taken now. */
    void serve(long taskId) throws IOException, InterruptedException {
        if (ignored.contains(taskId)) {
            return;
        }
        TaskSchedule task = tasks.get(taskId);
        if (task == null) {
            task = cfg.chain.task(taskId);
            if (!task.includesChain(cfg.chain.chainId())) {
                ignored.add(taskId);
                LOG.info("task {} does not include chain {}; not served", taskId, cfg.chain.chainId());
                return;
            }
            tasks.put(taskId, task);
            metrics.task(taskId);
        }
        int current = 0;
        while (current < task.rounds()) {
            Step step = driver.advance(task, current);
            if (step.action() != Action.DONE || current == task.rounds() - 1) {
                break; // rounds are served in order
            }
            current++;
        }
        metrics.round(taskId, current);
        evaluateNewModels(task);
        claim(task);
    }

    private Optional<RoundDriver.Prepared> prepare(TaskSchedule task, int round) throws IOException {
        Optional<float[]> global = models.startOf(task, round);
        if (global.isEmpty()) {
            return Optional.empty();
        }
        evaluate(task, round, global.get());
        Optional<NodeData.RoundData> data = cfg.data.forRound(task.taskId(), round);
        if (data.isEmpty()) {
            LOG.info("task {} round {}: no data yet", task.taskId(), round);
            return Optional.empty();
        }
        NodeData.RoundData rd = data.get();
        long weight = Math.min(rd.rows().size(), task.maxWeight());
        int dimension = cfg.spec.parameterCount();
        float[] trained = null;
        if (cfg.behaviour.trains()) {
            LocalUpdate local = trainer.train(global.get(), rd.rows(), round);
            trained = local.delta();
            if (local.samples() > 0) {
                metrics.localLoss(task.taskId(), local.loss());
            }
        }
        float[] lastDelta = null;
        if (cfg.behaviour == Behaviour.FREERIDE && round > 0) {
            Optional<float[]> previous = models.startOf(task, round - 1);
            if (previous.isPresent()) {
                lastDelta = new float[dimension];
                for (int i = 0; i < dimension; i++) {
                    lastDelta[i] = global.get()[i] - previous.get()[i];
                }
            }
        }
        long seed = UpdatePreparer.encodingSeed(cfg.seed, task.taskId(), round);
        float[] update = cfg.behaviour.apply(trained, lastDelta, dimension, task.l2Bound(), seed);
        WireParams params = task.wireParams(dimension, cfg.chunkLeavesLog2);
        try (UpdatePreparer preparer = new UpdatePreparer(params)) {
            PreparedUpdate p = preparer.prepare(new LocalUpdate(update, weight), seed);
            LOG.info("task {} round {}: {} update of {} samples, |u| = {} clipped to {}", task.taskId(), round,
                    cfg.behaviour, weight, p.l2Norm(), p.clippedNorm());
            return Optional.of(new RoundDriver.Prepared(StoredUpdate.of(p.encoded()), weight, rd.dataRoot()));
        }
    }

    private void publish(TaskSchedule task, int round, RoundRecord rec, StoredUpdate update) throws IOException {
        int count = update.chunks().size();
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<ByteBuffer> proof = new ArrayList<>();
            for (byte[] s : update.chunkProof(i, cfg.chunkLeavesLog2)) {
                proof.add(ByteBuffer.wrap(s));
            }
            UpdateChunk chunk = UpdateChunk.newBuilder()
                    .setTaskId(task.taskId()).setRound(round).setChainId(cfg.chain.chainId()).setWorker(cfg.chain.worker())
                    .setChunkIndex(i).setChunkCount(count).setWeight(rec.weight)
                    .setUpdateRoot(ByteBuffer.wrap(update.root())).setProof(proof)
                    .setPayload(ByteBuffer.wrap(update.chunks().get(i))).build();
            sent.add(producer.send(new ProducerRecord<>(Topics.UPDATE_CHUNKS.name(),
                    Topics.UPDATE_CHUNKS.serializeKey(Keys.chunk(task.taskId(), round, i)),
                    Topics.UPDATE_CHUNKS.serializeValue(chunk))));
        }
        producer.flush();
        for (java.util.concurrent.Future<?> f : sent) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while publishing", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException("publishing to " + Topics.UPDATE_CHUNKS.name() + " failed", e.getCause());
            }
        }
    }

    /** Evaluates the model round {@code round} starts from (the global model after round - 1), once. */
    private void evaluate(TaskSchedule task, int round, float[] model) {
        Optional<io.tributary.trainer.data.TrainingData> test = cfg.data.heldOut();
        if (test.isEmpty() || !evaluated.add(task.taskId() + ":" + round)) {
            return;
        }
        Evaluation e = trainer.evaluate(model, test.get());
        metrics.evalAccuracy(task.taskId(), e.accuracy());
        LOG.info("evaluation task={} model={} worker={} loss={} accuracy={} samples={}", task.taskId(),
                round == 0 ? "initial" : "after-round-" + (round - 1), cfg.chain.worker(), String.format("%.4f", e.loss()), String.format("%.4f", e.accuracy()),
                e.count());
    }

    private void evaluateNewModels(TaskSchedule task) throws IOException {
        // the final model (after the last round) is nobody's starting point: fetch it once it is committed
        String key = task.taskId() + ":" + task.rounds();
        if (!evaluated.contains(key) && cfg.clock.getAsLong() >= task.revealDeadline(task.rounds() - 1)) {
            Optional<byte[]> root = cfg.chain.committedModelRoot(task.taskId(), task.rounds() - 1);
            if (root.isPresent()) {
                Optional<float[]> last = models.startOf(task, task.rounds());
                last.ifPresent(m -> evaluate(task, task.rounds(), m));
            }
        }
    }

    /** Claims every published round that is final; records failed or unprovable ones as UNCLAIMABLE. */
    private void claim(TaskSchedule task) throws IOException, InterruptedException {
        boolean paid = false;
        for (Map.Entry<Integer, RoundRecord> e : state.rounds(task.taskId()).entrySet()) {
            int round = e.getKey();
            RoundRecord rec = e.getValue();
            if (rec.phase != RoundPhase.PUBLISHED) {
                continue;
            }
            NodeChain.Settlement s = cfg.chain.settlement(task.taskId(), round);
            switch (s.state()) {
                case PENDING -> {
                    long giveUp = task.aggregationDeadline(round) + task.challengeWindow() + cfg.claimPatience.toSeconds();
                    if (cfg.clock.getAsLong() > giveUp) {
                        driver.record(task, round, rec, RoundPhase.UNCLAIMABLE, "the round was not final on chain "
                                + cfg.chain.chainId() + " by " + giveUp);
                    }
                }
                case FAILED -> driver.record(task, round, rec, RoundPhase.UNCLAIMABLE,
                        "the round failed (no commitment, rejected or cancelled)");
                case CLAIMED -> {
                    driver.record(task, round, rec, RoundPhase.CLAIMED, null);
                    paid = true;
                }
                case CLAIMABLE -> {
                    Optional<ContributionProofs.Proof> proof = ContributionProofs.prove(
                            cfg.events.reveals(task.taskId(), round), cfg.chain.chainId(), cfg.chain.worker(),
                            s.contributionsRoot());
                    if (proof.isEmpty()) {
                        if (cfg.events.caughtUp() && cfg.clock.getAsLong() > task.aggregationDeadline(round)
                                + task.challengeWindow() + cfg.claimPatience.toSeconds()) {
                            driver.record(task, round, rec, RoundPhase.UNCLAIMABLE,
                                    "the reveals in chain.events do not rebuild the contributions root");
                        }
                        continue;
                    }
                    rec.claimTx = cfg.chain.claim(task.taskId(), round, RoundDriver.hex(rec.updateRoot), rec.weight,
                            proof.get().index(), proof.get().siblings());
                    driver.record(task, round, rec, RoundPhase.CLAIMED, null);
                    paid = true;
                    LOG.info("task {} round {}: reward claimed on chain {} in {}", task.taskId(), round, cfg.chain.chainId(),
                            rec.claimTx);
                }
                default -> throw new AssertionError(s);
            }
        }
        if (paid) {
            readChainFigures();
        }
    }

    /** Stops the node's thread and its producer; the chain, events and data belong to the caller. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(10_000);
        producer.close(Duration.ofSeconds(5));
    }

    /** Configuration of a node; {@link #build()} says what is missing or wrong. */
    public static final class Builder {
        private NodeChain chain;
        private ChainEventsFollower events;
        private NodeData data;
        private String bootstrapServers;
        private Path stateDir;
        private Behaviour behaviour = Behaviour.HONEST;
        private MlpSpec spec = MlpSpec.mnist();
        private int epochs = 1;
        private long seed = 1;
        private int chunkLeavesLog2 = WireParams.DEFAULT_CHUNK_LEAVES_LOG2;
        private BigInteger stake = BigInteger.TEN.pow(18);
        private long marginSeconds = 1;
        private Duration poll = Duration.ofMillis(500);
        private Duration claimPatience = Duration.ofMinutes(10);
        private LongSupplier clock = () -> System.currentTimeMillis() / 1000;
        private PrometheusRegistry registry;
        private String chainLabel;

        private Builder() {}

        public Builder chain(NodeChain chain) { this.chain = chain; return this; }

        /** The chain.events follower (started by the caller). */
        public Builder events(ChainEventsFollower events) { this.events = events; return this; }

        public Builder data(NodeData data) { this.data = data; return this; }

        public Builder kafka(String bootstrapServers) { this.bootstrapServers = bootstrapServers; return this; }

        public Builder stateDir(Path stateDir) { this.stateDir = stateDir; return this; }

        public Builder behaviour(Behaviour behaviour) { this.behaviour = behaviour; return this; }

        public Builder spec(MlpSpec spec) { this.spec = spec; return this; }

        /** Local epochs per round (E). */
        public Builder epochs(int epochs) { this.epochs = epochs; return this; }

        /** Seed of the worker's shuffles and encoding. */
        public Builder seed(long seed) { this.seed = seed; return this; }

        /** Chunk size of the wire format (log2 of leaves), as the aggregation job is configured. */
        public Builder chunkLeavesLog2(int k) { this.chunkLeavesLog2 = k; return this; }

        /** Native currency staked on registration. */
        public Builder stake(BigInteger wei) { this.stake = wei; return this; }

        /** Seconds of a window that must be left to start a write in it. */
        public Builder marginSeconds(long s) { this.marginSeconds = s; return this; }

        public Builder poll(Duration poll) { this.poll = poll; return this; }

        /** How long after a round could be final the node keeps trying to claim it. */
        public Builder claimPatience(Duration d) { this.claimPatience = d; return this; }

        /**
         * Registers the node's metrics in {@code registry} with the label {@code chain="<chain>"} (the
         * chain's name). Without it the node keeps them in a registry of its own, labelled with the chain id.
         */
        public Builder metrics(PrometheusRegistry registry, String chain) {
            this.registry = registry;
            this.chainLabel = chain;
            return this;
        }

        /** Unix seconds as the chains see them. */
        public Builder clock(LongSupplier clock) { this.clock = clock; return this; }

        public TrainerNode build() throws IOException {
            List<String> problems = new ArrayList<>();
            if (chain == null) {
                problems.add("chain is required");
            }
            if (events == null) {
                problems.add("events (a ChainEventsFollower) is required");
            }
            if (data == null) {
                problems.add("data is required");
            }
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                problems.add("kafka bootstrap servers are required");
            }
            if (stateDir == null) {
                problems.add("stateDir is required");
            }
            if (behaviour == null || spec == null || clock == null || poll == null || claimPatience == null) {
                problems.add("behaviour, spec, clock, poll and claimPatience must not be null");
            }
            if (epochs < 1) {
                problems.add("epochs must be >= 1, got " + epochs);
            }
            if (chunkLeavesLog2 < 0 || chunkLeavesLog2 > WireParams.MAX_CHUNK_LEAVES_LOG2) {
                problems.add("chunkLeavesLog2 must be in 0.." + WireParams.MAX_CHUNK_LEAVES_LOG2 + ", got " + chunkLeavesLog2);
            }
            if (stake == null || stake.signum() <= 0) {
                problems.add("stake must be positive");
            }
            if (marginSeconds < 0) {
                problems.add("marginSeconds must be >= 0");
            }
            if ((registry == null) != (chainLabel == null) || (chainLabel != null && chainLabel.isBlank())) {
                problems.add("metrics needs both a registry and a non-blank chain name");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("TrainerNode: " + String.join("; ", problems));
            }
            return new TrainerNode(this);
        }
    }
}
