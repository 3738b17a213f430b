package io.tributary.flink;

import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.BlockHead;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.RejectionReason;
import io.tributary.schemas.avro.UpdateChunk;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The round aggregation job (issue 5): a function of its sources, sinks and {@link Config}
 * (CONVENTIONS 1). {@link #build} lays out the topology; {@link RoundAggregationJobMain} plugs in
 * Kafka, tests plug in in-memory sources and collecting sinks.
 *
 * <pre>
 * chain.events --parse--+--TaskPosted--------------------------(broadcast)--+
 *                       +--ModelRegistered (broadcast) + TaskPosted (keyBy task) -> model-load --INIT--+
 *                       +--UpdateRevealed--+                                |                         |
 * updates.chunks --parse-------------------+--keyBy(task:round:chain:worker)-> admission --+--chunks, verdicts--+
 * chain.blocks --(watermarks only)---------+                                        |       |                   |
 *                                                                 status: keyBy(task:round) -> close --CLOSE---+
 *                                                                                                  |           v
 *                                                                                           summary |  keyBy(task:round:chunk) -> aggregate (krum-*)
 *                                                                                                  v           | results
 *                                                                          keyBy(task:round) -> round outcome <+
 *                                                                                  | APPLY            | decided summary
 *                                                   keyBy(task:chunk) -> model-apply <-- INIT         |
 *                                                                                  | MODEL            v
 *                                                                          keyBy(task:round) -> round finish
 *                                     models.chunks / rounds.commitments / commit-round (commitRound) / deadletter
 * </pre>
 */
public final class RoundAggregationJob {

    /** A model's shape, which the chain does not carry (the registry stores only roots). */
    public record ModelShape(int dimension, int chunkLeavesLog2) implements Serializable {

        /**
         * The key of the shape used for every model without one of its own ({@code models=*=P:k}):
         * -1, i.e. 2^64-1 as a uint64, an id the registry, which counts from 1, never reaches.
         */
        public static final long ANY_MODEL = -1L;

        /** The shape of {@code modelId} in {@code shapes}, else the {@link #ANY_MODEL} one, else null. */
        public static ModelShape of(Map<Long, ModelShape> shapes, long modelId) {
            ModelShape own = shapes.get(modelId);
            return own != null ? own : shapes.get(ANY_MODEL);
        }
    }

    /** How event time advances. */
    public enum TimeMode {
        /**
         * A live deployment: the chains drive time, a chain silent for {@link Config#chainIdleness()}
         * stops holding the others back, and {@code updates.chunks} never holds back time.
         */
        LIVE,
        /**
         * Recomputing rounds from bounded topic ranges (and tests): no idleness, and every input holds
         * event time until it ends, so rounds close on the complete data whatever the read order.
         */
        REPLAY
    }

    private static final OutputTag<TaskInfo> TASKS = new OutputTag<>("tasks", TypeInformation.of(TaskInfo.class));

    private final Source<RawRecord, ?, ?> chainEvents;
    private final Source<RawRecord, ?, ?> blockHeads;
    private final Source<RawRecord, ?, ?> updateChunks;
    private final Sink<RawRecord> modelChunks;
    private final Sink<RawRecord> roundCommitments;
    private final Sink<RawRecord> deadLetters;
    private final CommitmentSink commitmentSink;
    private final Config config;

    public RoundAggregationJob(Source<RawRecord, ?, ?> chainEvents, Source<RawRecord, ?, ?> blockHeads,
                               Source<RawRecord, ?, ?> updateChunks, Sink<RawRecord> modelChunks,
                               Sink<RawRecord> roundCommitments, Sink<RawRecord> deadLetters,
                               CommitmentSink commitmentSink, Config config) {
        this.chainEvents = Objects.requireNonNull(chainEvents, "chainEvents");
        this.blockHeads = Objects.requireNonNull(blockHeads, "blockHeads");
        this.updateChunks = Objects.requireNonNull(updateChunks, "updateChunks");
        this.modelChunks = Objects.requireNonNull(modelChunks, "modelChunks");
        this.roundCommitments = Objects.requireNonNull(roundCommitments, "roundCommitments");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.commitmentSink = Objects.requireNonNull(commitmentSink, "commitmentSink");
        this.config = Objects.requireNonNull(config, "config");
    }

    /** Lays out the topology on {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        // In REPLAY no chain ever counts as idle: a source that has not read its records yet must hold time.
        long idle = config.timeMode() == TimeMode.LIVE ? config.chainIdleness().toMillis() : Long.MAX_VALUE;
        WatermarkStrategy<RawRecord> eventTime = WatermarkStrategy
                .<RawRecord>forGenerator(ctx -> new ChainClockWatermarks<>(RoundAggregationJob::eventChain,
                        RoundAggregationJob::eventMillis, idle))
                .withTimestampAssigner((r, ts) -> eventMillis(r));
        WatermarkStrategy<RawRecord> blockTime = WatermarkStrategy
                .<RawRecord>forGenerator(ctx -> new ChainClockWatermarks<>(RoundAggregationJob::blockChain,
                        RoundAggregationJob::blockMillis, idle))
                .withTimestampAssigner((r, ts) -> blockMillis(r));
        WatermarkStrategy<RawRecord> timeMode = config.timeMode() == TimeMode.LIVE
                ? WatermarkStrategy.<RawRecord>forGenerator(ctx -> new NoHoldWatermarks<>())
                : WatermarkStrategy.noWatermarks();

        SingleOutputStreamOperator<RoundMessage> events = env
                .fromSource(chainEvents, eventTime, Topics.CHAIN_EVENTS.name()).uid("source-chain-events")
                .process(new EventParser(config.modelShapes(), config.closeGrace().toSeconds()))
                .uid("parse-chain-events").name("parse chain.events");
        SingleOutputStreamOperator<RoundMessage> blocks = env
                .fromSource(blockHeads, blockTime, Topics.CHAIN_BLOCKS.name()).uid("source-chain-blocks")
                .process(new BlockClock()).uid("block-clock").name("block clock (watermarks only)");
        SingleOutputStreamOperator<RoundMessage> chunks = env
                .fromSource(updateChunks, timeMode, Topics.UPDATE_CHUNKS.name()).uid("source-update-chunks")
                .process(new ChunkParser()).uid("parse-update-chunks").name("parse updates.chunks");

        BroadcastStream<TaskInfo> tasks = events.getSideOutput(TASKS).broadcast(AdmissionFunction.TASKS);
        SingleOutputStreamOperator<RoundMessage> admitted = events.union(chunks, blocks)
                .keyBy(RoundMessage::workerKey)
                .connect(tasks)
                .process(new AdmissionFunction(config.unknownTaskTimeout().toMillis()))
                .uid("admission").name("admission (reveal, hash, norm)");

        SingleOutputStreamOperator<RoundMessage> closes = admitted.getSideOutput(AdmissionFunction.STATUS)
                .keyBy(RoundMessage::roundKey)
                .process(new RoundCloseFunction())
                .uid("round-close").name("round close");

        SingleOutputStreamOperator<RoundMessage> results = admitted.union(closes)
                .keyBy(RoundMessage::chunkKey)
                .process(new ChunkAggregateFunction())
                .uid("chunk-aggregate").name("aggregate by (task, round, chunk)");

        // Multi-Krum: distances summed per round, selection, then a second per-chunk pass (README).
        SingleOutputStreamOperator<RoundMessage> krumSelection = results.getSideOutput(ChunkAggregateFunction.KRUM_PARTIALS)
                .keyBy(RoundMessage::roundKey)
                .process(new KrumSelectFunction())
                .uid("krum-select").name("multi-Krum selection");
        SingleOutputStreamOperator<RoundMessage> krumResults = krumSelection
                .union(results.getSideOutput(ChunkAggregateFunction.KRUM_CHUNKS))
                .keyBy(RoundMessage::chunkKey)
                .process(new KrumApplyFunction())
                .uid("krum-apply").name("multi-Krum mean of the selected");

        // The global model: initial model per task, then round outcomes applied in order per (task, chunk).
        SingleOutputStreamOperator<RoundMessage> initialModels = events.getSideOutput(TASKS)
                .keyBy(t -> t.taskId, Types.LONG)
                .connect(events.getSideOutput(EventParser.MODELS).broadcast(ModelLoadFunction.MODELS))
                .process(new ModelLoadFunction())
                .uid("model-load").name("initial model (ModelRegistry uri)");
        SingleOutputStreamOperator<RoundMessage> outcomes = results
                .union(krumResults, closes.getSideOutput(RoundCloseFunction.SUMMARY))
                .keyBy(RoundMessage::roundKey)
                .process(new RoundOutcomeFunction())
                .uid("round-outcome").name("round outcome");
        SingleOutputStreamOperator<RoundMessage> newModel = outcomes.union(initialModels)
                .keyBy(RoundMessage::modelKey)
                .process(new ModelApplyFunction())
                .uid("model-apply").name("global model by (task, chunk)");
        SingleOutputStreamOperator<RawRecord> finished = newModel
                .union(outcomes.getSideOutput(RoundOutcomeFunction.DECIDED))
                .keyBy(RoundMessage::roundKey)
                .process(new RoundFinishFunction())
                .uid("round-finish").name("round finish (roots, commitment)");
        // One writer per key and chain: commits go through a single instance.
        SingleOutputStreamOperator<RawRecord> commitConflicts = finished.getSideOutput(RoundFinishFunction.CALLS)
                .process(new CommitRoundFunction(commitmentSink)).setParallelism(1).setMaxParallelism(1)
                .uid("commit-round").name("commitRound");

        finished.sinkTo(modelChunks).uid("sink-models-chunks").name(Topics.MODEL_CHUNKS.name());
        finished.getSideOutput(RoundFinishFunction.COMMITMENTS).sinkTo(roundCommitments)
                .uid("sink-rounds-commitments").name(Topics.ROUND_COMMITMENTS.name());
        events.getSideOutput(EventParser.DEAD)
                .union(chunks.getSideOutput(EventParser.DEAD),
                        admitted.getSideOutput(AdmissionFunction.DEAD_LETTERS),
                        results.getSideOutput(AdmissionFunction.DEAD_LETTERS),
                        initialModels.getSideOutput(AdmissionFunction.DEAD_LETTERS),
                        closes.getSideOutput(AdmissionFunction.DEAD_LETTERS),
                        commitConflicts)
                .sinkTo(deadLetters).uid("sink-deadletter").name(Topics.DEADLETTER.name());
    }

    private static long eventChain(RawRecord r) {
        ChainEvent e = tryDecode(Topics.CHAIN_EVENTS, r);
        return e == null ? -1 : e.getSource().getChainId();
    }

    private static long eventMillis(RawRecord r) {
        ChainEvent e = tryDecode(Topics.CHAIN_EVENTS, r);
        return e == null ? Long.MIN_VALUE : e.getSource().getBlockTimestamp() * 1000L;
    }

    private static long blockChain(RawRecord r) {
        BlockHead b = tryDecode(Topics.CHAIN_BLOCKS, r);
        return b == null ? -1 : b.getChainId();
    }

    private static long blockMillis(RawRecord r) {
        BlockHead b = tryDecode(Topics.CHAIN_BLOCKS, r);
        return b == null ? Long.MIN_VALUE : b.getTimestamp() * 1000L;
    }

    private static <V> V tryDecode(Topics.Topic<String, V> topic, RawRecord r) {
        try {
            return topic.deserializeValue(r.value);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * chain.events -> REVEAL messages (main), TaskInfo ({@link #TASKS}), ModelInfo ({@link #MODELS}),
     * dead letters.
     */
    static final class EventParser extends ProcessFunction<RawRecord, RoundMessage> {
        static final OutputTag<RawRecord> DEAD = new OutputTag<>("parse-dead", TypeInformation.of(RawRecord.class));
        static final OutputTag<ModelInfo> MODELS = new OutputTag<>("models", TypeInformation.of(ModelInfo.class));
        private final Map<Long, ModelShape> shapes;
        private final long closeGraceSeconds;

        EventParser(Map<Long, ModelShape> shapes, long closeGraceSeconds) {
            this.shapes = new HashMap<>(shapes);
            this.closeGraceSeconds = closeGraceSeconds;
        }

        @Override
        public void processElement(RawRecord r, Context ctx, Collector<RoundMessage> out) {
            ChainEvent e = tryDecode(Topics.CHAIN_EVENTS, r);
            if (e == null) {
                ctx.output(DEAD, dead(r, RejectionReason.UNDECODABLE, "not a ChainEvent"));
                return;
            }
            try {
                if (ChainEvents.isTaskPosted(e)) {
                    if (e.getOp() == io.tributary.schemas.avro.ChangeOp.c) {
                        ctx.output(TASKS, ChainEvents.taskPosted(e, shapes, closeGraceSeconds));
                    }
                } else if (ChainEvents.isModelRegistered(e)) {
                    if (e.getOp() == io.tributary.schemas.avro.ChangeOp.c) {
                        ModelInfo m = ChainEvents.modelRegistered(e);
                        m.rawKey = r.key;
                        m.rawValue = r.value;
                        m.partition = r.partition;
                        m.offset = r.offset;
                        ctx.output(MODELS, m);
                    }
                } else if (ChainEvents.isReveal(e)) {
                    RoundMessage m = ChainEvents.reveal(e);
                    m.rawKey = r.key;
                    m.rawValue = r.value;
                    m.partition = r.partition;
                    m.offset = r.offset;
                    out.collect(m);
                }
            } catch (RuntimeException ex) {
                ctx.output(DEAD, dead(r, ChainEvents.isTaskPosted(e) ? RejectionReason.BAD_SPEC : RejectionReason.MALFORMED,
                        e.getEventName() + ": " + ex.getMessage()));
            }
        }

        private static RawRecord dead(RawRecord r, RejectionReason reason, String detail) {
            return DeadLetters.record(r.topic, r.key, r.value, r.partition, r.offset, reason, detail,
                    System.currentTimeMillis());
        }
    }

    /** updates.chunks -> CHUNK messages, dead letters for records that do not parse. */
    static final class ChunkParser extends ProcessFunction<RawRecord, RoundMessage> {
        @Override
        public void processElement(RawRecord r, Context ctx, Collector<RoundMessage> out) {
            UpdateChunk u = tryDecode(Topics.UPDATE_CHUNKS, r);
            String worker = null;
            if (u != null) {
                try {
                    worker = ChainEvents.address(u.getWorker());
                } catch (RuntimeException ex) {
                    worker = null;
                }
            }
            if (u == null || worker == null) {
                ctx.output(EventParser.DEAD, DeadLetters.record(r.topic, r.key, r.value, r.partition, r.offset,
                        u == null ? RejectionReason.UNDECODABLE : RejectionReason.MALFORMED,
                        u == null ? "not an UpdateChunk" : "worker is not a 0x address", System.currentTimeMillis()));
                return;
            }
            RoundMessage m = RoundMessage.of(RoundMessage.Kind.CHUNK, u.getTaskId(), u.getRound());
            m.chainId = u.getChainId();
            m.worker = worker;
            m.chunkIndex = u.getChunkIndex();
            m.weight = u.getWeight();
            m.chunkFrom(r.value, u.getPayload()); // the payload's bytes once, inside the record's
            m.rawKey = r.key;
            m.partition = r.partition;
            m.offset = r.offset;
            out.collect(m);
        }
    }

    /** Block heads only carry event time into the job: their watermarks pass, the records do not. */
    static final class BlockClock extends ProcessFunction<RawRecord, RoundMessage> {
        @Override
        public void processElement(RawRecord r, Context ctx, Collector<RoundMessage> out) {}
    }

    /** Immutable job configuration; {@link #builder()}. */
    public static final class Config implements Serializable {
        private final Map<Long, ModelShape> modelShapes;
        private final Duration closeGrace;
        private final Duration chainIdleness;
        private final Duration unknownTaskTimeout;
        private final TimeMode timeMode;

        private Config(Builder b) {
            this.modelShapes = Map.copyOf(b.modelShapes);
            this.closeGrace = b.closeGrace;
            this.chainIdleness = b.chainIdleness;
            this.unknownTaskTimeout = b.unknownTaskTimeout;
            this.timeMode = b.timeMode;
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Shape of every model a task may train, by ModelRegistry id. */
        public Map<Long, ModelShape> modelShapes() {
            return modelShapes;
        }

        /** After the reveal deadline, how long chunks of revealed updates are still waited for. */
        public Duration closeGrace() {
            return closeGrace;
        }

        /** Processing time after which a silent chain stops holding back event time. */
        public Duration chainIdleness() {
            return chainIdleness;
        }

        /** Event time that inputs of a task not (yet) posted wait before they are dead-lettered. */
        public Duration unknownTaskTimeout() {
            return unknownTaskTimeout;
        }

        public TimeMode timeMode() {
            return timeMode;
        }

        /** Collects options; {@link #build()} refuses nonsense, naming the option. */
        public static final class Builder {
            private final Map<Long, ModelShape> modelShapes = new HashMap<>();
            private Duration closeGrace = Duration.ofSeconds(30);
            private Duration chainIdleness = Duration.ofSeconds(60);
            private Duration unknownTaskTimeout = Duration.ofHours(1);
            private TimeMode timeMode = TimeMode.LIVE;

            private Builder() {}

            public Builder model(long modelId, int dimension, int chunkLeavesLog2) {
                modelShapes.put(modelId, new ModelShape(dimension, chunkLeavesLog2));
                return this;
            }

            /** The shape of every model that has none of its own. */
            public Builder anyModel(int dimension, int chunkLeavesLog2) {
                return model(ModelShape.ANY_MODEL, dimension, chunkLeavesLog2);
            }

            public Builder closeGrace(Duration d) {
                this.closeGrace = d;
                return this;
            }

            public Builder chainIdleness(Duration d) {
                this.chainIdleness = d;
                return this;
            }

            public Builder unknownTaskTimeout(Duration d) {
                this.unknownTaskTimeout = d;
                return this;
            }

            public Builder timeMode(TimeMode t) {
                this.timeMode = t;
                return this;
            }

            public Config build() {
                if (modelShapes.isEmpty()) {
                    throw new IllegalArgumentException("at least one model shape is required (model(id, dimension, k))");
                }
                modelShapes.forEach((id, s) -> {
                    if (s.dimension() < 1 || s.chunkLeavesLog2() < 0 || s.chunkLeavesLog2() > 20) {
                        throw new IllegalArgumentException("model " + id + ": dimension must be >= 1 and chunkLeavesLog2 in"
                                + " [0, 20], got " + s);
                    }
                });
                requirePositive(closeGrace, "closeGrace", true);
                requirePositive(chainIdleness, "chainIdleness", false);
                requirePositive(unknownTaskTimeout, "unknownTaskTimeout", false);
                Objects.requireNonNull(timeMode, "timeMode");
                return new Config(this);
            }

            private static void requirePositive(Duration d, String name, boolean zeroAllowed) {
                if (d == null || d.isNegative() || (!zeroAllowed && d.isZero())) {
                    throw new IllegalArgumentException(name + " must be " + (zeroAllowed ? ">= 0" : "> 0") + ", got " + d);
                }
            }
        }
    }
}
