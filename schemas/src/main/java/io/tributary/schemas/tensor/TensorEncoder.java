package io.tributary.schemas.tensor;

import static io.tributary.schemas.tensor.WireParams.LEAF_BYTES;

import io.tributary.schemas.merkle.MerkleTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Encodes a float32 update into format-version-1 chunks: clip to the L2 bound, quantize into
 * leaves with seeded stochastic rounding, hash the leaves into the update's Merkle tree, and write
 * each chunk (a run of 2^k whole leaves) as an Arrow IPC stream with Arrow's own writer.
 *
 * <p>Not thread-safe (it owns an Arrow allocator); close it when done.
 */
public final class TensorEncoder implements AutoCloseable {

    private final WireParams params;
    private final BufferAllocator allocator;

    public TensorEncoder(WireParams params) {
        this.params = params;
        this.allocator = new RootAllocator(ChunkFormat.maxChunkBytes(params) * 4);
    }

    /** The encoder's Arrow allocator (tests write hand-made chunks with it). */
    BufferAllocator allocator() {
        return allocator;
    }

    public WireParams params() {
        return params;
    }

    /**
     * Encodes {@code update} (length {@link WireParams#dimension()}) with stochastic rounding drawn
     * from {@code seed}.
     */
    public EncodedUpdate encode(float[] update, long seed) {
        if (update.length != params.dimension()) {
            throw new IllegalArgumentException("update has " + update.length + " coordinates, the task expects "
                    + params.dimension());
        }
        float clipFactor = BlockQuantizer.clipFactor(update, params.l2Bound());
        int leaves = params.totalLeaves();
        byte[] leafBytes = new byte[leaves * LEAF_BYTES];
        BlockQuantizer.quantizeLeaves(update, clipFactor, 0, leaves, params, seed, leafBytes, 0);
        MerkleTree tree = MerkleTree.ofLeafBytes(leafBytes, 0, leaves, LEAF_BYTES, false);
        List<byte[]> chunks = new ArrayList<>(params.chunkCount());
        for (int c = 0; c < params.chunkCount(); c++) {
            chunks.add(writeChunk(tree, leafBytes, c));
        }
        return new EncodedUpdate(tree, leafBytes, chunks);
    }

    /** Writes chunk {@code c} of an update whose leaves and tree are given. */
    byte[] writeChunk(MerkleTree tree, byte[] leafBytes, int c) {
        int first = c << params.chunkLeavesLog2();
        return writeIpc(allocator, chunkMetadata(tree, c), leafBytes, first * LEAF_BYTES, params.leavesInChunk(c),
                LEAF_BYTES);
    }

    /** The headers of chunk {@code c} (schema custom metadata), in a fixed order. */
    Map<String, String> chunkMetadata(MerkleTree tree, int c) {
        int level = params.chunkLevel();
        HexFormat hex = HexFormat.of();
        StringBuilder proofHex = new StringBuilder();
        for (byte[] s : tree.subtreeProof(level, c)) {
            proofHex.append(hex.formatHex(s));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(ChunkFormat.KEY_FORMAT, Integer.toString(WireParams.FORMAT_VERSION));
        meta.put(ChunkFormat.KEY_DIMENSION, Integer.toString(params.dimension()));
        meta.put(ChunkFormat.KEY_CHUNK_LEAVES_LOG2, Integer.toString(params.chunkLeavesLog2()));
        meta.put(ChunkFormat.KEY_CHUNK_INDEX, Integer.toString(c));
        meta.put(ChunkFormat.KEY_CHUNK_ROOT, hex.formatHex(tree.node(level, c)));
        meta.put(ChunkFormat.KEY_UPDATE_ROOT, hex.formatHex(tree.root()));
        meta.put(ChunkFormat.KEY_PROOF, proofHex.toString());
        return meta;
    }

    /**
     * Writes one record batch of {@code count} fixed-size binary values of {@code width} bytes,
     * taken from {@code data[off...]}, as an Arrow IPC stream (schema with {@code metadata},
     * batch, end of stream) using Arrow's own {@link ArrowStreamWriter}.
     */
    static byte[] writeIpc(BufferAllocator allocator, Map<String, String> metadata, byte[] data, int off, int count,
                           int width) {
        Field field = new Field(ChunkFormat.FIELD_NAME,
                FieldType.notNullable(new ArrowType.FixedSizeBinary(width)), null);
        Schema schema = new Schema(List.of(field), metadata);
        try (FixedSizeBinaryVector vector = new FixedSizeBinaryVector(field, allocator)) {
            vector.allocateNew(count);
            vector.getDataBuffer().setBytes(0, data, off, (long) count * width);
            for (int i = 0; i < count; i++) {
                BitVectorHelper.setBit(vector.getValidityBuffer(), i);
            }
            vector.setValueCount(count);
            List<FieldVector> vectors = List.of(vector);
            try (VectorSchemaRoot root = new VectorSchemaRoot(schema, vectors, count)) {
                ByteArrayChannel out = new ByteArrayChannel(
                        (int) (ChunkFormat.pad8((long) count * width) + ChunkFormat.pad8((count + 7) / 8)) + 2048);
                try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
                    writer.start();
                    writer.writeBatch();
                    writer.end();
                }
                return out.toByteArray();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
    }

    @Override
    public void close() {
        allocator.close();
    }
}
