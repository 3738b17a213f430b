package io.tributary.flink;

import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.RejectionReason;
import io.tributary.schemas.tensor.ChunkDecoder;
import io.tributary.schemas.tensor.ChunkRejectedException;
import io.tributary.schemas.tensor.DecodedChunk;
import io.tributary.schemas.tensor.RejectReason;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission of one worker's update in one round (key {@code task:round:chain:worker}).
 *
 * <p>A chunk counts only if the task is known (broadcast {@code TaskPosted}), the round exists,
 * the worker's {@code UpdateRevealed} for the round is confirmed and not retracted, the chunk
 * decodes with {@link ChunkDecoder.Verification#FULL} verification, its update root equals the
 * revealed root, its weight equals the revealed samples, and its index was not seen before.
 * Chunks that arrive before their task or reveal wait in state until the round closes. Once all
 * of a worker's chunks are in, the exact norm of the whole update is checked ({@link UpdateNorm})
 * and a verdict goes to every chunk key (main output) and to the round closer ({@link #STATUS}).
 * Everything refused goes to {@link #DEAD_LETTERS} with its reason and the original bytes.
 *
 * <p>All state of a key is cleared when the watermark passes the round's close time.
 *
 * <p>Metrics ({@link JobMetrics}): {@code chunks_admitted_total} per rule counts the chunks that
 * passed their own checks and went on to aggregation (a chunk whose whole update later fails the
 * norm check or loses its reveal is counted rejected by {@link ChunkAggregateFunction} as well);
 * {@code chunks_rejected_total} per rule and reason the chunks refused here
 * ({@link #REJECTION_REASONS}, and {@code UNKNOWN_TASK} under rule {@code unknown}). A retraction
 * of a reveal that changes nothing (the round closed, or the reveal was never confirmed) is counted
 * in {@code revealRetractionsRejected}.
 */
public class AdmissionFunction extends KeyedBroadcastProcessFunction<String, RoundMessage, TaskInfo, RoundMessage> {

    private static final Logger LOG = LoggerFactory.getLogger(AdmissionFunction.class);

    public static final MapStateDescriptor<Long, TaskInfo> TASKS =
            new MapStateDescriptor<>("tasks", Types.LONG, TypeInformation.of(TaskInfo.class));
    public static final OutputTag<RoundMessage> STATUS = new OutputTag<>("round-status", TypeInformation.of(RoundMessage.class));
    public static final OutputTag<RawRecord> DEAD_LETTERS = new OutputTag<>("dead-letters", TypeInformation.of(RawRecord.class));

    static final String ACCEPTED = "ACCEPTED";

    /**
     * The reasons this function rejects a chunk of a known task for: its own checks and every reason
     * the chunk decoder's reasons map to ({@link DeadLetters#of}). A chunk of an unknown task is
     * {@code UNKNOWN_TASK} under rule {@value JobMetrics#UNKNOWN_RULE}.
     */
    static final Set<RejectionReason> REJECTION_REASONS = rejectionReasons();

    private static Set<RejectionReason> rejectionReasons() {
        Set<RejectionReason> reasons = EnumSet.of(RejectionReason.UNKNOWN_ROUND, RejectionReason.LATE,
                RejectionReason.RETRACTED, RejectionReason.DUPLICATE, RejectionReason.WRONG_SHAPE,
                RejectionReason.BAD_HASH, RejectionReason.MALFORMED, RejectionReason.NO_REVEAL);
        for (RejectReason r : RejectReason.values()) {
            reasons.add(DeadLetters.of(r));
        }
        return Collections.unmodifiableSet(reasons);
    }

    /** Side outputs of either the keyed or the broadcast side. */
    private interface Side {
        <X> void output(OutputTag<X> tag, X value);
    }

    private static Side side(ReadOnlyContext c) {
        return new Side() {
            @Override
            public <X> void output(OutputTag<X> tag, X value) {
                c.output(tag, value);
            }
        };
    }

    private static Side side(Context c) {
        return new Side() {
            @Override
            public <X> void output(OutputTag<X> tag, X value) {
                c.output(tag, value);
            }
        };
    }

    private final long unknownTaskTimeoutMillis;

    private transient ValueState<RoundMessage> reveal;
    private transient MapState<Integer, Boolean> seenChunks;
    private transient ValueState<byte[][]> norm;
    private transient ValueState<List<RoundMessage>> pending;
    private transient ValueState<String> verdict;
    private transient ValueState<Long> timer;
    private transient JobMetrics.Rejections rejected;
    private transient Map<AggregationRule, Counter> admitted;
    private transient Counter retractionsRejected;

    public AdmissionFunction(long unknownTaskTimeoutMillis) {
        this.unknownTaskTimeoutMillis = unknownTaskTimeoutMillis;
    }

    /**
     * Inputs waiting for their task or reveal. A value (not a list state) so that the broadcast side
     * can rewrite it in place while it walks the keys ({@code applyToKeyedState}) without removing
     * entries under the iteration.
     */
    static final ValueStateDescriptor<List<RoundMessage>> PENDING =
            new ValueStateDescriptor<>("pending", Types.LIST(TypeInformation.of(RoundMessage.class)));

    @Override
    public void open(OpenContext ctx) {
        reveal = getRuntimeContext().getState(new ValueStateDescriptor<>("reveal", TypeInformation.of(RoundMessage.class)));
        seenChunks = getRuntimeContext().getMapState(new MapStateDescriptor<>("seen-chunks", Types.INT, Types.BOOLEAN));
        norm = getRuntimeContext().getState(new ValueStateDescriptor<>("norm",
                TypeInformation.of(byte[][].class)));
        pending = getRuntimeContext().getState(PENDING);
        verdict = getRuntimeContext().getState(new ValueStateDescriptor<>("verdict", Types.STRING));
        timer = getRuntimeContext().getState(new ValueStateDescriptor<>("timer", Types.LONG));
        MetricGroup tributary = JobMetrics.group(getRuntimeContext());
        admitted = JobMetrics.counterPerRule(tributary, JobMetrics.CHUNKS_ADMITTED);
        rejected = new JobMetrics.Rejections(tributary, REJECTION_REASONS, true);
        retractionsRejected = getRuntimeContext().getMetricGroup().counter("revealRetractionsRejected");
    }

    @Override
    public void processElement(RoundMessage m, ReadOnlyContext ctx, Collector<RoundMessage> out) throws Exception {
        TaskInfo task = ctx.getBroadcastState(TASKS).get(m.taskId);
        long wm = ctx.timerService().currentWatermark();
        if (task == null) {
            addPending(m);
            // Before any chain has set the clock (start of a replay) there is nothing to time out
            // against: such inputs wait until time starts, or until the input ends.
            long at = wm == Long.MIN_VALUE ? Long.MAX_VALUE : wm + unknownTaskTimeoutMillis;
            Long t = timer.value();
            if (t == null || (t == Long.MAX_VALUE && at != t)) {
                if (t != null) {
                    ctx.timerService().deleteEventTimeTimer(t);
                }
                ctx.timerService().registerEventTimeTimer(at);
                timer.update(at);
            }
            return;
        }
        ensureCloseTimer(task, m.round, ctx);
        handle(m, task, wm, side(ctx), out, null);
    }

    private void addPending(RoundMessage m) throws Exception {
        List<RoundMessage> p = pending.value();
        List<RoundMessage> next = p == null ? new ArrayList<>() : new ArrayList<>(p);
        next.add(m);
        pending.update(next);
    }

    /** Takes the waiting inputs out of state, reveals first (so that chunks find them). */
    private List<RoundMessage> takePending(ValueState<List<RoundMessage>> state, boolean keepEntry) throws Exception {
        List<RoundMessage> p = state.value();
        List<RoundMessage> waiting = new ArrayList<>();
        if (p != null) {
            p.stream().filter(m -> m.kind == RoundMessage.Kind.REVEAL).forEach(waiting::add);
            p.stream().filter(m -> m.kind != RoundMessage.Kind.REVEAL).forEach(waiting::add);
        }
        if (keepEntry) {
            state.update(new ArrayList<>());
        } else {
            state.clear();
        }
        return waiting;
    }

    private void ensureCloseTimer(TaskInfo task, int round, ReadOnlyContext ctx) throws Exception {
        long close = task.closeTimeMillis(round);
        Long t = timer.value();
        if (t == null || t != close) {
            if (t != null) {
                ctx.timerService().deleteEventTimeTimer(t);
            }
            ctx.timerService().registerEventTimeTimer(close);
            timer.update(close);
        }
    }

    /**
     * Handles one input of a known task. Inputs that must keep waiting go to {@code stillWaiting}
     * when it is given (the broadcast side), else back into the pending state.
     */
    private void handle(RoundMessage m, TaskInfo task, long wm, Side ctx, Collector<RoundMessage> out,
                        List<RoundMessage> stillWaiting) throws Exception {
        if (m.kind == RoundMessage.Kind.REVEAL) {
            handleReveal(m, task, wm, ctx, out, stillWaiting == null);
            return;
        }
        if (m.round < 0 || m.round >= task.rounds) {
            reject(ctx, task, m, RejectionReason.UNKNOWN_ROUND, "task " + m.taskId + " has rounds 0.." + (task.rounds - 1));
            return;
        }
        if (wm >= task.closeTimeMillis(m.round)) {
            reject(ctx, task, m, RejectionReason.LATE, "round " + m.round + " of task " + m.taskId + " closed at "
                    + task.closeTimeMillis(m.round) / 1000);
            return;
        }
        RoundMessage r = reveal.value();
        if (r == null) {
            // The reveal may still come; NO_REVEAL when the round closes.
            if (stillWaiting != null) {
                stillWaiting.add(m);
            } else {
                addPending(m);
            }
            return;
        }
        if (r.retracted) {
            reject(ctx, task, m, RejectionReason.RETRACTED, "the worker's reveal was retracted by a reorg");
            return;
        }
        if (verdict.value() != null || seenChunks.contains(m.chunkIndex)) {
            reject(ctx, task, m, RejectionReason.DUPLICATE, "chunk " + m.chunkIndex + " of this update was already admitted");
            return;
        }
        DecodedChunk chunk;
        try {
            chunk = m.decodeChunk(new ChunkDecoder(task.wireParams()), ChunkDecoder.Verification.FULL);
        } catch (ChunkRejectedException e) {
            reject(ctx, task, m, DeadLetters.of(e.reason()), e.reason() + ": " + e.getMessage());
            return;
        }
        if (chunk.chunkIndex() != m.chunkIndex) {
            reject(ctx, task, m, RejectionReason.WRONG_SHAPE, "record says chunk " + m.chunkIndex + ", payload is chunk "
                    + chunk.chunkIndex());
            return;
        }
        if (!Arrays.equals(chunk.updateRoot(), r.updateRoot)) {
            reject(ctx, task, m, RejectionReason.BAD_HASH, "chunk is under root 0x" + HexFormat.of().formatHex(chunk.updateRoot())
                    + ", the worker revealed 0x" + HexFormat.of().formatHex(r.updateRoot));
            return;
        }
        if (m.weight != r.weight) {
            reject(ctx, task, m, RejectionReason.MALFORMED, "chunk claims weight " + m.weight + ", the reveal says "
                    + r.weight + " samples");
            return;
        }
        byte[][] n = norm.value();
        BigInteger[] sums = n == null
                ? new BigInteger[] {BigInteger.ZERO, BigInteger.ZERO}
                : new BigInteger[] {new BigInteger(n[0]), new BigInteger(n[1])};
        sums = UpdateNorm.add(sums, chunk, task.expMin);
        norm.update(new byte[][] {sums[0].toByteArray(), sums[1].toByteArray()});
        seenChunks.put(m.chunkIndex, true);
        out.collect(copyChunk(m, task));
        admitted.get(task.rule).inc();
        int seen = 0;
        for (Integer ignored : seenChunks.keys()) {
            seen++;
        }
        if (seen == task.chunkCount()) {
            boolean ok = UpdateNorm.withinBound(sums[0], sums[1], task.l2Bound(), task.expMin);
            String v = ok ? ACCEPTED : RejectionReason.OUT_OF_BOUND.name();
            verdict.update(v);
            emitVerdict(task, r, ok, v, ok ? null : "update norm exceeds the task's clip bound " + task.l2Bound(),
                    ctx, out);
        }
    }

    private void handleReveal(RoundMessage m, TaskInfo task, long wm, Side ctx, Collector<RoundMessage> out,
                              boolean drainPending) throws Exception {
        if (m.round < 0 || m.round >= task.rounds) {
            LOG.warn("reveal for unknown round {} of task {} by {} ignored", m.round, m.taskId, m.contributorId());
            return;
        }
        RoundMessage known = reveal.value();
        boolean closed = wm >= task.closeTimeMillis(m.round);
        if (!m.retracted) {
            if (known != null || closed) {
                return; // replayed confirmation, or a reveal for a closed round: nothing to change
            }
            reveal.update(m);
            RoundMessage seen = copyReveal(m, task);
            ctx.output(STATUS, seen);
            if (drainPending) {
                for (RoundMessage p : takePending(pending, false)) {
                    handle(p, task, wm, ctx, out, null);
                }
            }
            return;
        }
        // op d: a reorg deeper than the confirmations removed the reveal.
        if (closed || known == null || known.retracted) {
            retractionsRejected.inc();
            ctx.output(DEAD_LETTERS, DeadLetters.record(Topics.CHAIN_EVENTS.name(), m.rawKey, m.rawValue, m.partition,
                    m.offset, RejectionReason.RETRACTED, closed
                            ? "reveal retracted after round " + m.round + " of task " + m.taskId + " closed: nothing was changed"
                            : "retraction of a reveal that was never confirmed", System.currentTimeMillis()));
            LOG.warn("reveal of {} for task {} round {} retracted (round closed: {})", m.contributorId(), m.taskId,
                    m.round, closed);
            return;
        }
        known.retracted = true;
        // The status carries the retraction's record: a closer that already closed dead-letters it.
        known.rawKey = m.rawKey;
        known.rawValue = m.rawValue;
        known.partition = m.partition;
        known.offset = m.offset;
        reveal.update(known);
        verdict.update(RejectionReason.RETRACTED.name());
        emitVerdict(task, known, false, RejectionReason.RETRACTED.name(), "the worker's reveal was retracted by a reorg",
                ctx, out);
    }

    private void emitVerdict(TaskInfo task, RoundMessage r, boolean accepted, String reason, String detail,
                             Side ctx, Collector<RoundMessage> out) {
        for (int c = 0; c < task.chunkCount(); c++) {
            RoundMessage v = RoundMessage.of(RoundMessage.Kind.VERDICT, r.taskId, r.round);
            v.chunkIndex = c;
            v.chainId = r.chainId;
            v.worker = r.worker;
            v.accepted = accepted;
            v.reason = reason;
            v.detail = detail;
            v.task = task;
            out.collect(v);
        }
        RoundMessage s = RoundMessage.of(RoundMessage.Kind.STATUS, r.taskId, r.round);
        s.chainId = r.chainId;
        s.worker = r.worker;
        s.updateRoot = r.updateRoot;
        s.weight = r.weight;
        s.accepted = accepted;
        s.reason = reason;
        s.retracted = RejectionReason.RETRACTED.name().equals(reason);
        s.task = task;
        if (s.retracted) {
            s.rawKey = r.rawKey;
            s.rawValue = r.rawValue;
            s.partition = r.partition;
            s.offset = r.offset;
        }
        ctx.output(STATUS, s);
    }

    private static RoundMessage copyReveal(RoundMessage m, TaskInfo task) {
        RoundMessage s = RoundMessage.of(RoundMessage.Kind.REVEAL, m.taskId, m.round);
        s.chainId = m.chainId;
        s.worker = m.worker;
        s.updateRoot = m.updateRoot;
        s.weight = m.weight;
        s.retracted = m.retracted;
        s.task = task;
        return s;
    }

    private static RoundMessage copyChunk(RoundMessage m, TaskInfo task) {
        RoundMessage a = RoundMessage.of(RoundMessage.Kind.CHUNK, m.taskId, m.round);
        a.chunkIndex = m.chunkIndex;
        a.chainId = m.chainId;
        a.worker = m.worker;
        a.weight = m.weight;
        a.payload = m.payload;
        a.payloadOffset = m.payloadOffset;
        a.rawKey = m.rawKey;
        a.rawValue = m.rawValue;
        a.partition = m.partition;
        a.offset = m.offset;
        a.task = task;
        return a;
    }

    private void reject(Side ctx, TaskInfo task, RoundMessage m, RejectionReason reason, String detail) {
        rejected.inc(task, reason);
        ctx.output(DEAD_LETTERS, DeadLetters.chunk(m, reason, detail, System.currentTimeMillis()));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RoundMessage> out) throws Exception {
        timer.clear();
        String[] parts = ctx.getCurrentKey().split(":");
        long taskId = Long.parseLong(parts[0]);
        int round = Integer.parseInt(parts[1]);
        TaskInfo task = ctx.getBroadcastState(TASKS).get(taskId);
        long wm = ctx.timerService().currentWatermark();
        if (task != null && wm < task.closeTimeMillis(round)) {
            // The task became known after these inputs waited for it and the round is still open.
            ctx.timerService().registerEventTimeTimer(task.closeTimeMillis(round));
            timer.update(task.closeTimeMillis(round));
            for (RoundMessage p : takePending(pending, false)) {
                handle(p, task, wm, side(ctx), out, null);
            }
            return;
        }
        List<RoundMessage> left = pending.value();
        for (RoundMessage p : left == null ? List.<RoundMessage>of() : left) {
            if (p.kind == RoundMessage.Kind.CHUNK) {
                RejectionReason reason = task == null ? RejectionReason.UNKNOWN_TASK : RejectionReason.NO_REVEAL;
                reject(side(ctx), task, p, reason, task == null ? "no TaskPosted for task " + taskId
                        : "no confirmed reveal of " + p.contributorId() + " before round " + round + " closed");
            }
        }
        reveal.clear();
        seenChunks.clear();
        norm.clear();
        pending.clear();
        verdict.clear();
    }


    @Override
    public void processBroadcastElement(TaskInfo task, Context ctx, Collector<RoundMessage> out) throws Exception {
        if (ctx.getBroadcastState(TASKS).get(task.taskId) == null) {
            ctx.getBroadcastState(TASKS).put(task.taskId, task);
            LOG.info("task {} known: {}", task.taskId, task);
            // Inputs of this task that arrived first wait in state: handle them now.
            String prefix = task.taskId + ":";
            long wm = ctx.currentWatermark();
            ctx.applyToKeyedState(PENDING, (key, state) -> {
                if (!key.startsWith(prefix)) {
                    return;
                }
                List<RoundMessage> waiting = takePending(state, true);
                List<RoundMessage> still = new ArrayList<>();
                for (RoundMessage p : waiting) {
                    handle(p, task, wm, side(ctx), out, still);
                }
                state.update(still); // in place: no entry is removed while the keys are walked
            });
        }
    }
}
