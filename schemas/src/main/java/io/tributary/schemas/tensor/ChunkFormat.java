package io.tributary.schemas.tensor;

import java.nio.charset.StandardCharsets;

/** Names fixed by format version 1 of the Arrow chunk (FORMAT.md, "Chunk"). */
final class ChunkFormat {

    static final String FIELD_NAME = "leaf";
    static final String KEY_FORMAT = "tributary.format";
    static final String KEY_DIMENSION = "tributary.dimension";
    static final String KEY_CHUNK_LEAVES_LOG2 = "tributary.chunk_leaves_log2";
    static final String KEY_CHUNK_INDEX = "tributary.chunk_index";
    static final String KEY_CHUNK_ROOT = "tributary.chunk_root";
    static final String KEY_UPDATE_ROOT = "tributary.update_root";
    static final String KEY_PROOF = "tributary.proof";

    /** Keys in the order the decoder indexes them. */
    static final String[] KEYS = {
        KEY_FORMAT, KEY_DIMENSION, KEY_CHUNK_LEAVES_LOG2, KEY_CHUNK_INDEX, KEY_CHUNK_ROOT, KEY_UPDATE_ROOT, KEY_PROOF
    };
    static final byte[][] KEY_BYTES = new byte[KEYS.length][];

    static {
        for (int i = 0; i < KEYS.length; i++) {
            KEY_BYTES[i] = KEYS[i].getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** Fixed overhead allowance of a chunk beyond its two body buffers (schema message, headers, EOS). */
    static final int MAX_OVERHEAD_BYTES = 16 * 1024;

    private ChunkFormat() {}

    /** Largest byte size a well-formed chunk of these parameters can have. */
    static long maxChunkBytes(WireParams p) {
        long leaves = p.chunkLeaves();
        return MAX_OVERHEAD_BYTES + pad8((leaves + 7) / 8) + pad8(leaves * WireParams.LEAF_BYTES);
    }

    static long pad8(long n) {
        return (n + 7) & ~7L;
    }
}
