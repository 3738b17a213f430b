package io.tributary.flink;

import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.RejectionReason;
import io.tributary.schemas.tensor.ModelFile;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a task's initial model (key: task id) once both the task ({@code TaskPosted}) and its model
 * ({@code ModelRegistered}, broadcast) are known, whichever comes first: reads the file at the
 * registry's {@code uri} with {@link ModelFile#read(URI, int, byte[])} (size and root checked) and
 * sends every chunk of it as an {@code INIT} message to the model's state ({@link ModelApplyFunction}).
 * A model that cannot be read, or whose size or root is not the registered one, is dead-lettered
 * (its {@code ModelRegistered} record, with the reason), counted in {@code initialModelsRejected},
 * and an {@code INIT} marked failed makes every round of the task fail; the job goes on. The
 * waiting task is cleared once its model is sent.
 */
public class ModelLoadFunction extends KeyedBroadcastProcessFunction<Long, TaskInfo, ModelInfo, RoundMessage> {

    private static final Logger LOG = LoggerFactory.getLogger(ModelLoadFunction.class);
    /** Registered models by id (few, and never cleared: tasks may reuse them). */
    public static final MapStateDescriptor<Long, ModelInfo> MODELS =
            new MapStateDescriptor<>("models", Types.LONG, TypeInformation.of(ModelInfo.class));
    private static final ValueStateDescriptor<TaskInfo> WAITING =
            new ValueStateDescriptor<>("task-waiting-for-model", TypeInformation.of(TaskInfo.class));

    private transient ValueState<TaskInfo> waiting;
    private transient Counter rejected;

    @Override
    public void open(OpenContext ctx) {
        waiting = getRuntimeContext().getState(WAITING);
        rejected = getRuntimeContext().getMetricGroup().counter("initialModelsRejected");
    }

    @Override
    public void processElement(TaskInfo task, ReadOnlyContext ctx, Collector<RoundMessage> out) throws Exception {
        ReadOnlyBroadcastState<Long, ModelInfo> models = ctx.getBroadcastState(MODELS);
        ModelInfo model = models.get(task.modelId);
        if (model == null) {
            waiting.update(task);
        } else {
            load(task, model, r -> ctx.output(AdmissionFunction.DEAD_LETTERS, r), out);
        }
    }

    @Override
    public void processBroadcastElement(ModelInfo model, Context ctx, Collector<RoundMessage> out) throws Exception {
        BroadcastState<Long, ModelInfo> models = ctx.getBroadcastState(MODELS);
        models.put(model.modelId, model);
        ctx.applyToKeyedState(WAITING, (taskId, state) -> {
            TaskInfo task = state.value();
            if (task != null && task.modelId == model.modelId) {
                load(task, model, r -> ctx.output(AdmissionFunction.DEAD_LETTERS, r), out);
                state.clear();
            }
        });
    }

    private void load(TaskInfo task, ModelInfo model, Consumer<RawRecord> deadLetters, Collector<RoundMessage> out) {
        float[] initial;
        try {
            initial = ModelFile.read(URI.create(model.uri), task.dimension, model.initialRoot);
        } catch (IOException | IllegalArgumentException e) {
            RejectionReason reason = e instanceof IOException ? RejectionReason.MALFORMED
                    : e.getMessage() != null && e.getMessage().contains("root") ? RejectionReason.BAD_HASH
                    : RejectionReason.WRONG_SHAPE;
            String detail = "initial model " + model.modelId + " of task " + task.taskId + " unusable: " + e.getMessage();
            rejected.inc();
            LOG.warn("{}; every round of the task fails", detail);
            deadLetters.accept(DeadLetters.record(Topics.CHAIN_EVENTS.name(), model.rawKey,
                    model.rawValue, model.partition, model.offset, reason, detail, System.currentTimeMillis()));
            for (int c = 0; c < task.chunkCount(); c++) {
                RoundMessage m = init(task, c);
                m.failed = true;
                m.reason = detail;
                out.collect(m);
            }
            return;
        }
        for (int c = 0; c < task.chunkCount(); c++) {
            RoundMessage m = init(task, c);
            m.payload = slice(initial, task, c);
            out.collect(m);
        }
        LOG.info("initial model {} of task {} loaded from {} ({} coordinates)", model.modelId, task.taskId,
                model.uri, initial.length);
    }

    private static RoundMessage init(TaskInfo task, int chunk) {
        RoundMessage m = RoundMessage.of(RoundMessage.Kind.INIT, task.taskId, -1);
        m.chunkIndex = chunk;
        m.task = task;
        return m;
    }

    /** The coordinates of chunk {@code c} (leaves {@code c·2^k ..}) as float32 little-endian. */
    static byte[] slice(float[] model, TaskInfo task, int c) {
        long perChunk = (long) ModelFile.LEAF_COORDS << task.chunkLeavesLog2;
        int from = (int) (c * perChunk);
        int to = (int) Math.min(model.length, from + perChunk);
        ByteBuffer b = ByteBuffer.allocate((to - from) * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(model, from, to - from);
        return b.array();
    }
}
