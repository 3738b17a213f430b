package io.tributary.flink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global model across rounds, one chunk of one task per key ({@code task:chunk}).
 *
 * <p>State: {@code base}, the chunk of the model the next round applies to (the initial model's
 * chunk from {@link ModelLoadFunction}, then each committed round's result), the next round to
 * apply, and the decided rounds that arrived before their turn. Round r's model is round r-1's
 * model plus round r's aggregate, coordinate by coordinate {@code new_i = old_i + (float) (q_i ·
 * 2^expMin)} (FORMAT.md section 6, "New model": the aggregate payload already holds the float32
 * {@code (float) (q_i · 2^expMin)}, so this is one binary32 addition, the same bits on every replica).
 * A failed round leaves the model as it is. Rounds are applied in order; a round that never got an
 * outcome (nobody revealed) is skipped once a later round is waiting and the watermark has passed the
 * missing round's close time. If the initial model could not be loaded every round fails.
 *
 * <p>Every decided round gives one {@code MODEL} message per chunk to {@link RoundFinishFunction}
 * (the new chunk, or failed with the reason). After the task's last round all state is cleared.
 */
public class ModelApplyFunction extends KeyedProcessFunction<String, RoundMessage, RoundMessage> {

    private static final Logger LOG = LoggerFactory.getLogger(ModelApplyFunction.class);

    private transient ValueState<byte[]> base;
    private transient ValueState<String> initFailure;
    private transient ValueState<Integer> nextRound;
    private transient MapState<Integer, RoundMessage> decided;

    @Override
    public void open(OpenContext ctx) {
        base = getRuntimeContext().getState(new ValueStateDescriptor<>("base", TypeInformation.of(byte[].class)));
        initFailure = getRuntimeContext().getState(new ValueStateDescriptor<>("init-failure", Types.STRING));
        nextRound = getRuntimeContext().getState(new ValueStateDescriptor<>("next-round", Types.INT));
        decided = getRuntimeContext().getMapState(new MapStateDescriptor<>("decided", Types.INT,
                TypeInformation.of(RoundMessage.class)));
    }

    @Override
    public void processElement(RoundMessage m, Context ctx, Collector<RoundMessage> out) throws Exception {
        if (m.kind == RoundMessage.Kind.INIT) {
            if (base.value() != null || initFailure.value() != null || nextRound.value() != null) {
                return; // a repeated TaskPosted: the model already moved on
            }
            if (m.failed) {
                initFailure.update(m.reason);
            } else {
                base.update(m.payload);
            }
        } else if (m.kind == RoundMessage.Kind.APPLY) {
            int next = next();
            if (m.round < next) {
                // Its turn was skipped (no outcome by its close time): the model has moved on without it.
                out.collect(model(m, null, "round " + m.round + " was decided after round " + next
                        + " was already applied; the model cannot go back"));
                return;
            }
            decided.put(m.round, m);
            if (!decided.contains(next)) {
                ctx.timerService().registerEventTimeTimer(m.task.closeTimeMillis(next));
            }
        } else {
            throw new IllegalArgumentException("unexpected " + m);
        }
        drain(ctx.timerService().currentWatermark(), ctx.timerService(), out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RoundMessage> out) throws Exception {
        drain(timestamp, ctx.timerService(), out);
    }

    private int next() throws Exception {
        Integer n = nextRound.value();
        return n == null ? 0 : n;
    }

    private void drain(long watermark, TimerService timers, Collector<RoundMessage> out) throws Exception {
        if (base.value() == null && initFailure.value() == null) {
            return; // the initial model is still on its way
        }
        int next = next();
        TaskInfo task = null;
        while (!decided.isEmpty()) {
            RoundMessage m = decided.get(next);
            if (m == null) {
                RoundMessage later = anyDecided();
                if (watermark < later.task.closeTimeMillis(next)) {
                    break;
                }
                LOG.warn("round {} of task {} has no outcome by its close time; the model carries over to round {}",
                        next, later.taskId, next + 1);
                task = later.task;
                next++;
                continue;
            }
            decided.remove(next);
            task = m.task;
            timers.deleteEventTimeTimer(task.closeTimeMillis(next));
            String failure = initFailure.value() != null ? initFailure.value() : m.failed ? m.reason : null;
            if (failure != null) {
                out.collect(model(m, null, failure));
            } else {
                byte[] updated = add(base.value(), m.payload);
                base.update(updated);
                out.collect(model(m, updated, null));
            }
            next++;
        }
        if (task != null && next >= task.rounds) {
            base.clear();
            initFailure.clear();
            nextRound.clear();
            decided.clear();
            LOG.debug("task {} ended: model state of chunk cleared", task.taskId);
        } else {
            nextRound.update(next);
        }
    }

    private RoundMessage anyDecided() throws Exception {
        return decided.values().iterator().next();
    }

    private static RoundMessage model(RoundMessage apply, byte[] payload, String failure) {
        RoundMessage m = RoundMessage.of(RoundMessage.Kind.MODEL, apply.taskId, apply.round);
        m.chunkIndex = apply.chunkIndex;
        m.task = apply.task;
        m.payload = payload;
        m.failed = failure != null;
        m.reason = failure;
        return m;
    }

    /** {@code old + aggregate}, coordinate by coordinate, both float32 little-endian. */
    static byte[] add(byte[] old, byte[] aggregate) {
        if (old.length != aggregate.length) {
            throw new IllegalStateException("model chunk has " + old.length / 4 + " coordinates, its aggregate "
                    + aggregate.length / 4);
        }
        FloatBuffer a = ByteBuffer.wrap(old).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        FloatBuffer q = ByteBuffer.wrap(aggregate).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        byte[] sum = new byte[old.length];
        FloatBuffer s = ByteBuffer.wrap(sum).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (int i = 0; i < a.capacity(); i++) {
            s.put(i, a.get(i) + q.get(i));
        }
        return sum;
    }
}
