package io.tributary.schemas.tensor;

import static io.tributary.schemas.tensor.WireParams.BLOCKS_PER_LEAF;
import static io.tributary.schemas.tensor.WireParams.BLOCK_COORDS;
import static io.tributary.schemas.tensor.WireParams.LEAF_BYTES;
import static io.tributary.schemas.tensor.WireParams.LEAF_COORDS;

/** Plain-Java kernel: the reference the vector kernel is tested against, and the fallback. */
final class ScalarKernel implements AccumulateKernel {

    @Override
    public int addInt32(byte[] data, int leafOff, int leaves, int weight, int expMin, int expMax, int[] acc,
                        int accOff) {
        int bad = 0;
        int max = expMin;
        for (int leaf = 0; leaf < leaves; leaf++) {
            int o = leafOff + leaf * LEAF_BYTES;
            for (int blk = 0; blk < BLOCKS_PER_LEAF; blk++) {
                int e = data[o + blk];
                bad |= (e - expMin) | (expMax - e);
                max = Math.max(max, e);
                int s = weight << (e - expMin);
                int mo = o + BLOCKS_PER_LEAF + blk * BLOCK_COORDS;
                int ao = accOff + leaf * LEAF_COORDS + blk * BLOCK_COORDS;
                for (int j = 0; j < BLOCK_COORDS; j++) {
                    acc[ao + j] += data[mo + j] * s;
                }
            }
        }
        return bad < 0 ? BAD_EXPONENT : max;
    }

    @Override
    public int addInt64(byte[] data, int leafOff, int leaves, long weight, int expMin, int expMax, long[] acc,
                        int accOff) {
        int bad = 0;
        int max = expMin;
        for (int leaf = 0; leaf < leaves; leaf++) {
            int o = leafOff + leaf * LEAF_BYTES;
            for (int blk = 0; blk < BLOCKS_PER_LEAF; blk++) {
                int e = data[o + blk];
                bad |= (e - expMin) | (expMax - e);
                max = Math.max(max, e);
                long s = weight << (e - expMin);
                int mo = o + BLOCKS_PER_LEAF + blk * BLOCK_COORDS;
                int ao = accOff + leaf * LEAF_COORDS + blk * BLOCK_COORDS;
                for (int j = 0; j < BLOCK_COORDS; j++) {
                    acc[ao + j] += data[mo + j] * s;
                }
            }
        }
        return bad < 0 ? BAD_EXPONENT : max;
    }

    @Override
    public void flush(int[] partial, long[] sums, int off, int len) {
        for (int j = 0; j < len; j++) {
            sums[off + j] += partial[j];
            partial[j] = 0;
        }
    }
}
