package io.tributary.trainer.node;

import io.tributary.schemas.avro.ModelChunk;
import io.tributary.schemas.merkle.MerkleTree;
import io.tributary.schemas.tensor.ModelFile;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A round's new global model cut into {@code models.chunks} records as the aggregation job publishes them. */
final class ModelChunks {

    private ModelChunks() {}

    /** Chunks of 2^k model leaves (64 float32 each; the payload is the real coordinates), each with its subtree proof. */
    static List<ModelChunk> of(long taskId, int round, float[] model, int k) {
        MerkleTree tree = ModelFile.tree(model);
        byte[] bytes = ModelFile.toBytes(model);
        int leaves = ModelFile.leafCount(model.length);
        int count = (leaves + (1 << k) - 1) >> k;
        int level = Math.min(k, tree.depth());
        List<ModelChunk> out = new ArrayList<>();
        for (int c = 0; c < count; c++) {
            int from = (c << k) * ModelFile.LEAF_BYTES;
            int to = Math.min(bytes.length, ((c + 1) << k) * ModelFile.LEAF_BYTES);
            List<ByteBuffer> proof = new ArrayList<>();
            for (byte[] s : tree.subtreeProof(level, c)) {
                proof.add(ByteBuffer.wrap(s));
            }
            out.add(ModelChunk.newBuilder().setTaskId(taskId).setRound(round).setChunkIndex(c).setChunkCount(count)
                    .setModelRoot(ByteBuffer.wrap(tree.root())).setProof(proof)
                    .setPayload(ByteBuffer.wrap(Arrays.copyOfRange(bytes, from, to))).build());
        }
        return out;
    }
}
