package io.tributary.schemas.tensor;

import static io.tributary.schemas.tensor.WireParams.BLOCKS_PER_LEAF;
import static io.tributary.schemas.tensor.WireParams.BLOCK_COORDS;
import static io.tributary.schemas.tensor.WireParams.LEAF_BYTES;
import static io.tributary.schemas.tensor.WireParams.LEAF_COORDS;

/**
 * A validated chunk, read in place: exponents and mantissas are read straight from the IPC
 * buffer's leaf data (nothing is copied). The buffer must not be modified while this view is used.
 */
public final class DecodedChunk {

    private final byte[] buffer;
    private final int dataOffset;
    private final int chunkIndex;
    private final int leafCount;
    private final int coordCount;
    private final boolean leavesChecked;
    private final int maxExponent;
    private final byte[] chunkRoot;
    private final byte[] updateRoot;
    private final byte[][] proof;

    DecodedChunk(byte[] buffer, int dataOffset, int chunkIndex, int leafCount, int coordCount, boolean leavesChecked,
                 int maxExponent,
                 byte[] chunkRoot, byte[] updateRoot, byte[][] proof) {
        this.buffer = buffer;
        this.dataOffset = dataOffset;
        this.chunkIndex = chunkIndex;
        this.leafCount = leafCount;
        this.coordCount = coordCount;
        this.leavesChecked = leavesChecked;
        this.maxExponent = maxExponent;
        this.chunkRoot = chunkRoot;
        this.updateRoot = updateRoot;
        this.proof = proof;
    }

    public int chunkIndex() {
        return chunkIndex;
    }

    public int leafCount() {
        return leafCount;
    }

    /** Real coordinates in this chunk (the last leaf of the tensor may be partly padding). */
    public int coordCount() {
        return coordCount;
    }

    /**
     * Whether exponents and padding were checked by the decoder (false after
     * {@link ChunkDecoder.Verification#FRAMING}: the accumulator checks them).
     */
    public boolean leavesChecked() {
        return leavesChecked;
    }

    /** Largest block exponent in the chunk; expMax when the leaves were not checked. */
    public int maxExponent() {
        return maxExponent;
    }

    public byte[] chunkRoot() {
        return chunkRoot.clone();
    }

    public byte[] updateRoot() {
        return updateRoot.clone();
    }

    public byte[][] proof() {
        byte[][] copy = new byte[proof.length][];
        for (int i = 0; i < proof.length; i++) {
            copy[i] = proof[i].clone();
        }
        return copy;
    }

    /** The underlying IPC buffer (not a copy). */
    byte[] buffer() {
        return buffer;
    }

    /** Offset of the first leaf's first byte within {@link #buffer()}. */
    int dataOffset() {
        return dataOffset;
    }

    public int exponent(int leaf, int block) {
        return buffer[dataOffset + leaf * LEAF_BYTES + block];
    }

    /** Mantissa of coordinate {@code i} of this chunk (0-based within the chunk). */
    public int mantissa(int i) {
        int leaf = i / LEAF_COORDS;
        return buffer[dataOffset + leaf * LEAF_BYTES + BLOCKS_PER_LEAF + (i % LEAF_COORDS)];
    }

    /** The decoded coordinates {@code m * 2^e}, exactly, as float32 (real coordinates only). */
    public float[] toFloats() {
        float[] out = new float[coordCount];
        for (int i = 0; i < coordCount; i++) {
            int leaf = i / LEAF_COORDS;
            int block = (i % LEAF_COORDS) / BLOCK_COORDS;
            out[i] = BlockQuantizer.value(mantissa(i), exponent(leaf, block));
        }
        return out;
    }
}
