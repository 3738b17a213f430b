package io.tributary.flink;

import io.tributary.schemas.tensor.ChunkDecoder;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Multi-Krum, stage 3 of 3 (key task:round:chunk): once the selection and the selected updates'
 * chunks are here, the chunk's result is their coordinate-wise mean, exact, rounded half to even.
 */
public class KrumApplyFunction extends KeyedProcessFunction<String, RoundMessage, RoundMessage> {

    private transient MapState<String, byte[]> chunks;
    private transient ValueState<RoundMessage> selection;

    @Override
    public void open(OpenContext ctx) {
        chunks = getRuntimeContext().getMapState(new MapStateDescriptor<>("chunks", Types.STRING,
                org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        selection = getRuntimeContext().getState(new ValueStateDescriptor<>("selection",
                TypeInformation.of(RoundMessage.class)));
    }

    @Override
    public void processElement(RoundMessage m, Context ctx, Collector<RoundMessage> out) throws Exception {
        if (m.kind == RoundMessage.Kind.KRUM_SELECT) {
            selection.update(m);
        } else {
            chunks.put(m.contributorId(), m.payload);
        }
        RoundMessage sel = selection.value();
        if (sel == null) {
            return;
        }
        for (String id : sel.contributorWorkers) {
            if (!chunks.contains(id)) {
                return;
            }
        }
        ChunkDecoder decoder = new ChunkDecoder(sel.task.wireParams());
        List<long[]> kept = new ArrayList<>();
        for (String id : sel.contributorWorkers) {
            kept.add(AggregationRules.fixedPoint(decoder.decode(chunks.get(id), ChunkDecoder.Verification.STRUCTURE),
                    sel.task.expMin));
        }
        RoundMessage result = RoundMessage.of(RoundMessage.Kind.RESULT, sel.taskId, sel.round);
        result.chunkIndex = sel.chunkIndex;
        result.task = sel.task;
        result.payload = ChunkAggregateFunction.floats(AggregationRules.mean(kept), sel.task.expMin);
        out.collect(result);
        chunks.clear();
        selection.clear();
    }
}
