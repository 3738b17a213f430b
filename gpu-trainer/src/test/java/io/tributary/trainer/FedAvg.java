package io.tributary.trainer;

import io.tributary.schemas.tensor.ChunkAccumulator;
import io.tributary.schemas.tensor.ChunkDecoder;
import io.tributary.schemas.tensor.ChunkRejectedException;
import io.tributary.schemas.tensor.DecodedChunk;
import io.tributary.schemas.tensor.WireParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the aggregation job does with a round's updates, in miniature (no Kafka, no chain): decode
 * every worker's chunks with full verification, sum them exactly with {@link ChunkAccumulator}
 * weighted by sample counts, and add the weighted mean to the global model chunk by chunk.
 */
final class FedAvg {

    private FedAvg() {
    }

    static float[] apply(WireParams params, float[] global, List<PreparedUpdate> updates) throws ChunkRejectedException {
        ChunkDecoder decoder = new ChunkDecoder(params);
        float[] next = new float[global.length];
        long[] weights = updates.stream().mapToLong(PreparedUpdate::weight).toArray();
        int chunkCoords = params.chunkLeaves() * WireParams.LEAF_COORDS;
        for (int c = 0; c < params.chunkCount(); c++) {
            List<DecodedChunk> chunks = new ArrayList<>();
            for (PreparedUpdate u : updates) {
                DecodedChunk d = decoder.decode(u.encoded().chunks().get(c));
                if (!Arrays.equals(d.updateRoot(), u.updateRoot()) || d.chunkIndex() != c) {
                    throw new IllegalStateException("chunk " + c + " does not belong to the revealed update");
                }
                chunks.add(d);
            }
            ChunkAccumulator acc = new ChunkAccumulator(params, c);
            acc.addAll(chunks, weights);
            int from = c * chunkCoords;
            float[] slice = Arrays.copyOfRange(global, from, from + params.coordsInChunk(c));
            System.arraycopy(acc.applyTo(slice), 0, next, from, slice.length);
        }
        return next;
    }
}
