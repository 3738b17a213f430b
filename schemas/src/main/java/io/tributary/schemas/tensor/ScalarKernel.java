package io.tributary.schemas.tensor;

import static io.tributary.schemas.tensor.WireParams.BLOCKS_PER_LEAF;
import static io.tributary.schemas.tensor.WireParams.BLOCK_COORDS;
import static io.tributary.schemas.tensor.WireParams.LEAF_BYTES;
import static io.tributary.schemas.tensor.WireParams.LEAF_COORDS;

/** Plain-Java kernel: the reference the vector kernel is tested against, and the fallback. */
final class ScalarKernel implements AccumulateKernel {

    @Override
    public void addInt32(byte[] data, int leafOff, int leaves, int weight, int expMin, int[] acc, int accOff) {
        for (int leaf = 0; leaf < leaves; leaf++) {
            int o = leafOff + leaf * LEAF_BYTES;
            for (int blk = 0; blk < BLOCKS_PER_LEAF; blk++) {
                int s = weight << (data[o + blk] - expMin);
                int mo = o + BLOCKS_PER_LEAF + blk * BLOCK_COORDS;
                int ao = accOff + leaf * LEAF_COORDS + blk * BLOCK_COORDS;
                for (int j = 0; j < BLOCK_COORDS; j++) {
                    acc[ao + j] += data[mo + j] * s;
                }
            }
        }
    }

    @Override
    public void addInt64(byte[] data, int leafOff, int leaves, long weight, int expMin, long[] acc, int accOff) {
        for (int leaf = 0; leaf < leaves; leaf++) {
            int o = leafOff + leaf * LEAF_BYTES;
            for (int blk = 0; blk < BLOCKS_PER_LEAF; blk++) {
                long s = weight << (data[o + blk] - expMin);
                int mo = o + BLOCKS_PER_LEAF + blk * BLOCK_COORDS;
                int ao = accOff + leaf * LEAF_COORDS + blk * BLOCK_COORDS;
                for (int j = 0; j < BLOCK_COORDS; j++) {
                    acc[ao + j] += data[mo + j] * s;
                }
            }
        }
    }

    @Override
    public void flush(int[] partial, long[] sums, int off, int len) {
        for (int j = 0; j < len; j++) {
            sums[off + j] += partial[j];
            partial[j] = 0;
        }
    }
}
