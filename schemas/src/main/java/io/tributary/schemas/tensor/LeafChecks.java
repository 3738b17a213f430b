package io.tributary.schemas.tensor;

import static io.tributary.schemas.tensor.WireParams.BLOCKS_PER_LEAF;
import static io.tributary.schemas.tensor.WireParams.BLOCK_COORDS;
import static io.tributary.schemas.tensor.WireParams.LEAF_BYTES;
import static io.tributary.schemas.tensor.WireParams.LEAF_COORDS;

/** The leaf-data checks that keep accumulation exact: exponent range and zero padding. */
final class LeafChecks {

    private LeafChecks() {}

    /**
     * Checks leaves {@code [from, from + count)} of a chunk of {@code leafCount} leaves whose data
     * starts at {@code off}: every block exponent in [expMin, expMax]; past {@code coordCount},
     * zero mantissas and exponent expMin for all-padding blocks. Returns the largest exponent seen
     * (expMin if none).
     */
    static int checkLeaves(WireParams p, byte[] b, int off, int from, int count, int leafCount, int coordCount)
            throws ChunkRejectedException {
        int expMin = p.expMin();
        int expMax = p.expMax();
        int maxExp = expMin;
        int bad = 0;
        for (int leaf = from, end = from + count; leaf < end; leaf++) {
            int o = off + leaf * LEAF_BYTES;
            int e0 = b[o];
            int e1 = b[o + 1];
            bad |= (e0 - expMin) | (expMax - e0) | (e1 - expMin) | (expMax - e1);
            maxExp = Math.max(maxExp, Math.max(e0, e1));
        }
        if (bad < 0) {
            for (int leaf = from; leaf < from + count; leaf++) {
                for (int blk = 0; blk < BLOCKS_PER_LEAF; blk++) {
                    int e = b[off + leaf * LEAF_BYTES + blk];
                    if (e < expMin || e > expMax) {
                        throw new ChunkRejectedException(RejectReason.EXPONENT_OUT_OF_RANGE, "leaf " + leaf + " block "
                                + blk + " has exponent " + e + " outside [" + expMin + ", " + expMax + "]");
                    }
                }
            }
        }
        int last = leafCount - 1;
        if (last >= from && last < from + count) {
            for (int i = coordCount; i < leafCount * LEAF_COORDS; i++) {
                int leaf = i / LEAF_COORDS;
                int inLeaf = i % LEAF_COORDS;
                if (b[off + leaf * LEAF_BYTES + BLOCKS_PER_LEAF + inLeaf] != 0) {
                    throw new ChunkRejectedException(RejectReason.NONZERO_PADDING,
                            "padding coordinate " + i + " is not zero");
                }
                if (inLeaf % BLOCK_COORDS == 0 && b[off + leaf * LEAF_BYTES + inLeaf / BLOCK_COORDS] != expMin) {
                    throw new ChunkRejectedException(RejectReason.NONZERO_PADDING, "padding block at coordinate " + i
                            + " has exponent " + b[off + leaf * LEAF_BYTES + inLeaf / BLOCK_COORDS] + ", not expMin");
                }
            }
        }
        return maxExp;
    }
}
