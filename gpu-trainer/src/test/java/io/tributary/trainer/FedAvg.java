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
public final class FedAvg {

    private FedAvg() {
    }

    static float[] apply(WireParams params, float[] global, List<PreparedUpdate> updates) throws ChunkRejectedException {
        List<List<byte[]>> chunks = updates.stream().map(u -> u.encoded().chunks()).toList();
        List<byte[]> roots = updates.stream().map(PreparedUpdate::updateRoot).toList();
        return apply(params, global, chunks, updates.stream().mapToLong(PreparedUpdate::weight).toArray(), roots);
    }

    /**
     * The same for updates as published: per worker its chunks' bytes in chunk order, its weight
     * and its revealed root.
     */
    public static float[] apply(WireParams params, float[] global, List<List<byte[]>> updates, long[] weights,
                                List<byte[]> roots) throws ChunkRejectedException {
        ChunkDecoder decoder = new ChunkDecoder(params);
        float[] next = new float[global.length];
        int chunkCoords = params.chunkLeaves() * WireParams.LEAF_COORDS;
        for (int c = 0; c < params.chunkCount(); c++) {
            List<DecodedChunk> chunks = new ArrayList<>();
            for (int w = 0; w < updates.size(); w++) {
                DecodedChunk d = decoder.decode(updates.get(w).get(c));
                if (!Arrays.equals(d.updateRoot(), roots.get(w)) || d.chunkIndex() != c) {
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
