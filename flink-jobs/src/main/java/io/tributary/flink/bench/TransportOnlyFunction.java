package io.tributary.flink.bench;

import io.tributary.flink.RoundMessage;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The benchmark's floor: takes the same messages on the same keys as the aggregation operator and
 * does no work with them; on a chunk's close it answers with an all-zero result of the right size.
 * What a rule costs above this is the operator's own work; this much is Flink moving the chunks.
 */
final class TransportOnlyFunction extends KeyedProcessFunction<String, RoundMessage, RoundMessage> {

    private final int[] coordsPerChunk;

    TransportOnlyFunction(int[] coordsPerChunk) {
        this.coordsPerChunk = coordsPerChunk.clone();
    }

    @Override
    public void processElement(RoundMessage m, Context ctx, Collector<RoundMessage> out) {
        if (m.kind == RoundMessage.Kind.CLOSE) {
            RoundMessage r = new RoundMessage();
            r.kind = RoundMessage.Kind.RESULT;
            r.taskId = m.taskId;
            r.round = m.round;
            r.chunkIndex = m.chunkIndex;
            r.payload = new byte[4 * coordsPerChunk[m.chunkIndex]];
            out.collect(r);
        }
    }
}
