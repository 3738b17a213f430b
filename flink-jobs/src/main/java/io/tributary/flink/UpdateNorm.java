package io.tributary.flink;

import io.tributary.schemas.tensor.DecodedChunk;
import io.tributary.schemas.tensor.WireParams;
import java.math.BigInteger;

/**
 * The exact L2 norm check of an update, summed chunk by chunk in integers (units of 2^expMin).
 *
 * <p>The encoder clips to C and then rounds stochastically; each coordinate moves by less than
 * one step {@code 2^e} of its block (FORMAT.md section 3), so an honest update's decoded norm is
 * below {@code C + sqrt(T)} with {@code T = sum 4^(e_i - expMin)} over its real coordinates
 * (triangle inequality). An update is admitted iff {@code floorSqrt(S) <= ceil(C') + ceilSqrt(T)}
 * where {@code S} is the exact sum of squared coordinates and {@code C' = C * (1 + 2^-20) / 2^expMin}
 * (the slack covers the float32 clip factor). All integer: every replica decides the same.
 */
final class UpdateNorm {

    private UpdateNorm() {}

    /** Adds one chunk's squared norm to {@code sums[0]} and its squared rounding allowance to {@code sums[1]}. */
    static BigInteger[] add(BigInteger[] sums, DecodedChunk c, int expMin) {
        BigInteger s = sums[0];
        BigInteger t = sums[1];
        int n = c.coordCount();
        for (int start = 0; start < n; start += WireParams.BLOCK_COORDS) {
            int end = Math.min(n, start + WireParams.BLOCK_COORDS);
            int leaf = start / WireParams.LEAF_COORDS;
            int block = (start % WireParams.LEAF_COORDS) / WireParams.BLOCK_COORDS;
            int shift = 2 * (c.exponent(leaf, block) - expMin);
            long sq = 0;
            for (int i = start; i < end; i++) {
                int m = c.mantissa(i);
                sq += (long) m * m;
            }
            s = s.add(BigInteger.valueOf(sq).shiftLeft(shift));
            t = t.add(BigInteger.valueOf(end - start).shiftLeft(shift));
        }
        return new BigInteger[] {s, t};
    }

    static boolean withinBound(BigInteger s, BigInteger t, double l2Bound, int expMin) {
        double scaled = Math.scalb(l2Bound * (1 + 0x1p-20), -expMin);
        BigInteger c = BigInteger.valueOf((long) Math.ceil(Math.min(scaled, 0x1p62)));
        BigInteger tRoot = t.sqrt();
        if (tRoot.multiply(tRoot).compareTo(t) < 0) {
            tRoot = tRoot.add(BigInteger.ONE);
        }
        return s.sqrt().compareTo(c.add(tRoot)) <= 0;
    }
}
