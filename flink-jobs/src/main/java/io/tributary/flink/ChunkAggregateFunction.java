package io.tributary.flink;

import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.RejectionReason;
import io.tributary.schemas.tensor.ChunkAccumulator;
import io.tributary.schemas.tensor.ChunkDecoder;
import io.tributary.schemas.tensor.ChunkRejectedException;
import io.tributary.schemas.tensor.DecodedChunk;
import io.tributary.schemas.tensor.WireParams;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Aggregation of one chunk of one round (key {@code task:round:chunk}).
 *
 * <p>Admitted chunks wait in {@code pending} until admission's verdict on the worker's whole update
 * (the norm is known only when every chunk of it is in). On an accepted verdict:
 * <ul>
 *   <li>FedAvg folds the chunk into an exact int64 {@link ChunkAccumulator} (state: P_chunk sums,
 *       O(chunk) whatever the number of updates) and drops the bytes;
 *   <li>median and trimmed mean keep the chunk's bytes until the round closes, then compute the
 *       rule coordinate by coordinate in exact integers ({@link AggregationRules}).
 * </ul>
 * The round closer's {@code CLOSE} lists the accepted contributors; once all of their chunks are
 * here the result (float32 little-endian, {@code (float) (q * 2^expMin)}) goes to the finisher,
 * every piece of state is cleared, and a tombstone refuses late chunks until the close time.
 *
 * <p>Metrics ({@link JobMetrics}): {@code coordinates_aggregated_total} per rule grows by the
 * chunk's coordinates times the updates aggregated, once per chunk and round (multi-Krum: the
 * updates whose distances are computed here); {@code chunks_rejected_total} per rule and reason
 * counts the chunks dead-lettered here ({@link #REJECTION_REASONS}).
 */
public class ChunkAggregateFunction extends KeyedProcessFunction<String, RoundMessage, RoundMessage> {

    /** Multi-Krum: this chunk's partial distances, to the round's selection stage. */
    public static final org.apache.flink.util.OutputTag<RoundMessage> KRUM_PARTIALS =
            new org.apache.flink.util.OutputTag<>("krum-partials", TypeInformation.of(RoundMessage.class));
    /** Multi-Krum: the accepted updates' chunks, to the stage that averages the selected ones. */
    public static final org.apache.flink.util.OutputTag<RoundMessage> KRUM_CHUNKS =
            new org.apache.flink.util.OutputTag<>("krum-chunks", TypeInformation.of(RoundMessage.class));

    private transient MapState<String, RoundMessage> pending;
    private transient MapState<String, RoundMessage> buffered;
    private transient MapState<String, Boolean> folded;
    private transient ValueState<long[]> sums;
    private transient ValueState<long[]> weightAndCount;
    private transient ValueState<RoundMessage> close;
    private transient ValueState<Boolean> tainted;
    private transient ValueState<Long> done;
    private transient JobMetrics.Rejections rejected;
    private transient Map<AggregationRule, Counter> coordinates;

    /**
     * Why this function rejects chunks that admission let through: a verdict on the worker's whole
     * update (the norm, {@code OUT_OF_BOUND}, or a reveal retracted by a reorg, {@code RETRACTED}),
     * or the round closing before the chunk could count ({@code LATE}).
     */
    static final Set<RejectionReason> REJECTION_REASONS =
            Collections.unmodifiableSet(EnumSet.of(RejectionReason.LATE, RejectionReason.OUT_OF_BOUND,
                    RejectionReason.RETRACTED));

    @Override
    public void open(OpenContext ctx) {
        TypeInformation<RoundMessage> msg = TypeInformation.of(RoundMessage.class);
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending", Types.STRING, msg));
        buffered = getRuntimeContext().getMapState(new MapStateDescriptor<>("buffered", Types.STRING, msg));
        folded = getRuntimeContext().getMapState(new MapStateDescriptor<>("folded", Types.STRING, Types.BOOLEAN));
        sums = getRuntimeContext().getState(new ValueStateDescriptor<>("sums",
                TypeInformation.of(long[].class)));
        weightAndCount = getRuntimeContext().getState(new ValueStateDescriptor<>("weight-and-count",
                TypeInformation.of(long[].class)));
        close = getRuntimeContext().getState(new ValueStateDescriptor<>("close", msg));
        tainted = getRuntimeContext().getState(new ValueStateDescriptor<>("tainted", Types.BOOLEAN));
        done = getRuntimeContext().getState(new ValueStateDescriptor<>("done", Types.LONG));
        MetricGroup tributary = JobMetrics.group(getRuntimeContext());
        rejected = new JobMetrics.Rejections(tributary, REJECTION_REASONS, false);
        coordinates = JobMetrics.counterPerRule(tributary, JobMetrics.COORDINATES_AGGREGATED);
    }

    @Override
    public void processElement(RoundMessage m, Context ctx, Collector<RoundMessage> out) throws Exception {
        if (done.value() != null) {
            if (m.kind == RoundMessage.Kind.CHUNK) {
                rejected.inc(m.task, RejectionReason.LATE);
                ctx.output(AdmissionFunction.DEAD_LETTERS, DeadLetters.chunk(m, RejectionReason.LATE,
                        "chunk " + m.chunkIndex + " arrived after round " + m.round + " closed", System.currentTimeMillis()));
            }
            return;
        }
        switch (m.kind) {
            case CHUNK -> pending.put(m.contributorId(), m);
            case VERDICT -> verdict(m, ctx);
            case CLOSE -> close.update(m);
            default -> throw new IllegalArgumentException("unexpected " + m);
        }
        tryComplete(ctx, out);
    }

    private void verdict(RoundMessage v, Context ctx) throws Exception {
        String id = v.contributorId();
        RoundMessage chunk = pending.get(id);
        if (v.accepted) {
            if (chunk == null) {
                throw new IllegalStateException("accepted verdict without the chunk for " + v);
            }
            pending.remove(id);
            if (v.task.rule == AggregationRule.FEDAVG) {
                fold(chunk);
                folded.put(id, true);
            } else {
                buffered.put(id, chunk);
            }
            return;
        }
        RejectionReason reason = RejectionReason.valueOf(v.reason);
        if (chunk != null) {
            pending.remove(id);
            rejected.inc(v.task, reason);
            ctx.output(AdmissionFunction.DEAD_LETTERS, DeadLetters.chunk(chunk, reason, v.detail, System.currentTimeMillis()));
        }
        RoundMessage kept = buffered.get(id);
        if (kept != null) {
            buffered.remove(id);
            rejected.inc(v.task, reason);
            ctx.output(AdmissionFunction.DEAD_LETTERS, DeadLetters.chunk(kept, reason, v.detail, System.currentTimeMillis()));
        }
        if (folded.contains(id)) {
            // Already inside the exact sums and the bytes are gone: the round cannot exclude it.
            tainted.update(true);
        }
    }

    private void fold(RoundMessage chunk) throws ChunkRejectedException, Exception {
        WireParams p = chunk.task.wireParams();
        DecodedChunk d = chunk.decodeChunk(new ChunkDecoder(p), ChunkDecoder.Verification.STRUCTURE);
        long[] s = sums.value();
        long[] wc = weightAndCount.value();
        ChunkAccumulator acc = s == null
                ? new ChunkAccumulator(p, chunk.chunkIndex)
                : ChunkAccumulator.restore(p, chunk.chunkIndex, s, wc[0], wc[1]);
        acc.add(d, chunk.weight);
        sums.update(acc.sums());
        weightAndCount.update(new long[] {acc.totalWeight(), acc.contributors()});
    }

    private void tryComplete(Context ctx, Collector<RoundMessage> out) throws Exception {
        RoundMessage c = close.value();
        if (c == null) {
            return;
        }
        TaskInfo task = c.task;
        if (!c.failed) {
            Set<String> accepted = new HashSet<>();
            for (int i = 0; i < c.contributorWorkers.length; i++) {
                accepted.add(c.contributorChains[i] + ":" + c.contributorWorkers[i]);
            }
            for (String id : accepted) {
                boolean here = task.rule == AggregationRule.FEDAVG ? folded.contains(id) : buffered.contains(id);
                if (!here) {
                    return; // its chunk or verdict is still on the way
                }
            }
            if (task.rule == AggregationRule.MULTI_KRUM) {
                krum(task, c, accepted, ctx);
            } else {
                emitResult(task, c, accepted, out);
            }
        }
        for (Map.Entry<String, RoundMessage> e : pending.entries()) {
            rejected.inc(task, RejectionReason.LATE);
            ctx.output(AdmissionFunction.DEAD_LETTERS, DeadLetters.chunk(e.getValue(), RejectionReason.LATE,
                    "update of " + e.getKey() + " incomplete or undecided when round " + c.round + " closed",
                    System.currentTimeMillis()));
        }
        clearRound();
        long closeAt = task.closeTimeMillis(c.round);
        if (ctx.timerService().currentWatermark() < closeAt) {
            done.update(closeAt); // tombstone: refuse late chunks until the close time
            ctx.timerService().registerEventTimeTimer(closeAt);
        }
    }

    /**
     * Multi-Krum, stage 1 of 3 (README): the exact squared distances between every pair of accepted
     * updates over this chunk go to the round's selection stage; the chunks go to the averaging stage.
     */
    private void krum(TaskInfo task, RoundMessage c, Set<String> accepted, Context ctx) throws Exception {
        List<String> ids = new ArrayList<>(accepted);
        ids.sort(null);
        ChunkDecoder decoder = new ChunkDecoder(task.wireParams());
        List<DecodedChunk> chunks = new ArrayList<>();
        for (String id : ids) {
            RoundMessage chunk = buffered.get(id);
            byte[] bytes = chunk.chunkBytes();
            chunks.add(decoder.decode(bytes, ChunkDecoder.Verification.STRUCTURE));
            RoundMessage fwd = RoundMessage.of(RoundMessage.Kind.CHUNK, c.taskId, c.round);
            fwd.chunkIndex = c.chunkIndex;
            fwd.chainId = chunk.chainId;
            fwd.worker = chunk.worker;
            fwd.payload = bytes;
            fwd.task = task;
            ctx.output(KRUM_CHUNKS, fwd);
        }
        java.math.BigInteger[] distances = AggregationRules.pairwiseSquaredDistances(chunks, task.expMin, task.expMax);
        countCoordinates(task, c.chunkIndex, ids.size());
        String[] d = new String[distances.length];
        for (int k = 0; k < d.length; k++) {
            d[k] = distances[k].toString();
        }
        RoundMessage partial = RoundMessage.of(RoundMessage.Kind.KRUM_PARTIAL, c.taskId, c.round);
        partial.chunkIndex = c.chunkIndex;
        partial.task = task;
        partial.contributorWorkers = ids.toArray(new String[0]);
        partial.values = d;
        ctx.output(KRUM_PARTIALS, partial);
    }

    private void emitResult(TaskInfo task, RoundMessage c, Set<String> accepted, Collector<RoundMessage> out)
            throws Exception {
        {
            RoundMessage result = RoundMessage.of(RoundMessage.Kind.RESULT, c.taskId, c.round);
            result.chunkIndex = c.chunkIndex;
            result.task = task;
            if (Boolean.TRUE.equals(tainted.value())) {
                result.failed = true;
                result.reason = "a reveal was retracted after its update was folded into the FedAvg sums";
            } else {
                result.payload = floats(aggregate(task, c.chunkIndex, accepted), task.expMin);
                countCoordinates(task, c.chunkIndex, accepted.size());
            }
            out.collect(result);
        }
    }

    /** {@code coordinates_aggregated_total}: the chunk's coordinates once per update aggregated. */
    private void countCoordinates(TaskInfo task, int chunkIndex, int updates) {
        coordinates.get(task.rule).inc((long) updates * task.wireParams().coordsInChunk(chunkIndex));
    }

    private long[] aggregate(TaskInfo task, int chunkIndex, Set<String> accepted) throws Exception {
        if (task.rule == AggregationRule.FEDAVG) {
            long[] wc = weightAndCount.value();
            return ChunkAccumulator.restore(task.wireParams(), chunkIndex, sums.value(), wc[0], wc[1]).mean();
        }
        ChunkDecoder decoder = new ChunkDecoder(task.wireParams());
        List<DecodedChunk> chunks = new ArrayList<>();
        List<String> ids = new ArrayList<>(accepted);
        ids.sort(null); // the rules are order-free; a fixed order keeps even the work identical
        for (String id : ids) {
            chunks.add(buffered.get(id).decodeChunk(decoder, ChunkDecoder.Verification.STRUCTURE));
        }
        return switch (task.rule) {
            case MEDIAN -> AggregationRules.median(chunks, task.expMin, task.expMax);
            case TRIMMED_MEAN -> AggregationRules.trimmedMean(chunks, task.expMin, task.expMax, task.ruleParam);
            default -> throw new IllegalStateException("rule " + task.rule + " is not aggregated per chunk");
        };
    }

    /** The aggregate as float32 little-endian: {@code (float) (q * 2^expMin)} per coordinate. */
    static byte[] floats(long[] q, int expMin) {
        ByteBuffer b = ByteBuffer.allocate(q.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : q) {
            b.putFloat(ChunkAccumulator.toFloat(v, expMin));
        }
        return b.array();
    }

    private void clearRound() {
        pending.clear();
        buffered.clear();
        folded.clear();
        sums.clear();
        weightAndCount.clear();
        close.clear();
        tainted.clear();
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RoundMessage> out) {
        done.clear();
    }
}
