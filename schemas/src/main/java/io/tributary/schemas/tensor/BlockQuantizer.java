package io.tributary.schemas.tensor;

import static io.tributary.schemas.tensor.WireParams.BLOCK_COORDS;
import static io.tributary.schemas.tensor.WireParams.LEAF_BYTES;
import static io.tributary.schemas.tensor.WireParams.LEAF_COORDS;
import static io.tributary.schemas.tensor.WireParams.MANTISSA_MAX;

/**
 * Clipping and block-floating-point quantization (FORMAT.md, "Encoding"). Pure functions of the
 * input, the parameters and the seed, so a worker's encoding is reproducible.
 */
public final class BlockQuantizer {

    /** SplitMix64 increment (the golden gamma). */
    static final long GAMMA = 0x9E3779B97F4A7C15L;
    private static final double TWO_POW_MINUS_24 = 0x1.0p-24;

    private BlockQuantizer() {}

    /**
     * Returns {@code x} clipped to L2 norm {@code bound}: if {@code ||x||_2} (summed in binary64,
     * in index order) exceeds the bound, every coordinate is multiplied by
     * {@code (float) (bound / norm)}; otherwise {@code x} itself is returned.
     *
     * @throws IllegalArgumentException if a coordinate is NaN or infinite
     */
    public static float[] clip(float[] x, double bound) {
        double sq = 0;
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("coordinate " + i + " is not finite: " + v);
            }
            sq += (double) v * v;
        }
        double norm = Math.sqrt(sq);
        if (norm <= bound) {
            return x;
        }
        float f = (float) (bound / norm);
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * f;
        }
        return y;
    }

    /**
     * The smallest exponent e in [expMin, expMax] with {@code maxAbs <= 127 * 2^e}; expMax when
     * even that is too small (the mantissas then saturate at +-127).
     */
    static int chooseExponent(float maxAbs, int expMin, int expMax) {
        if (maxAbs == 0f) {
            return expMin;
        }
        int e = Math.min(expMax, Math.max(expMin, Math.getExponent(maxAbs) - 7));
        while (e < expMax && maxAbs > Math.scalb((double) MANTISSA_MAX, e)) {
            e++;
        }
        return e;
    }

    /** The stochastic-rounding offset u in [0, 1) of global coordinate {@code index}: SplitMix64. */
    static double uniform(long seed, long index) {
        long z = seed + (index + 1) * GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 40) * TWO_POW_MINUS_24;
    }

    /**
     * Quantizes leaves {@code [firstLeaf, firstLeaf + leafCount)} of the (already clipped) tensor
     * {@code x} into {@code out} at {@code outOff}, 66 bytes per leaf. Coordinates past the end of
     * {@code x} are padding: zero mantissas.
     */
    public static void quantizeLeaves(float[] x, int firstLeaf, int leafCount, WireParams p, long seed,
                                      byte[] out, int outOff) {
        int expMin = p.expMin();
        int expMax = p.expMax();
        int n = x.length;
        for (int leaf = 0; leaf < leafCount; leaf++) {
            int leafStart = (firstLeaf + leaf) * LEAF_COORDS;
            int o = outOff + leaf * LEAF_BYTES;
            for (int b = 0; b < WireParams.BLOCKS_PER_LEAF; b++) {
                int start = leafStart + b * BLOCK_COORDS;
                int end = Math.min(start + BLOCK_COORDS, n);
                float maxAbs = 0f;
                for (int i = start; i < end; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(x[i]));
                }
                int e = chooseExponent(maxAbs, expMin, expMax);
                out[o + b] = (byte) e;
                double scale = Math.scalb(1.0, -e);
                int mo = o + WireParams.BLOCKS_PER_LEAF + b * BLOCK_COORDS;
                for (int i = start; i < end; i++) {
                    double t = x[i] * scale;
                    double m = Math.floor(t + uniform(seed, i));
                    int mi = (int) Math.max(-MANTISSA_MAX, Math.min(MANTISSA_MAX, m));
                    out[mo + (i - start)] = (byte) mi;
                }
                for (int i = Math.max(start, end); i < start + BLOCK_COORDS; i++) {
                    out[mo + (i - start)] = 0;
                }
            }
        }
    }

    /** Value of mantissa m at exponent e, exactly, as a float32. */
    public static float value(int mantissa, int exponent) {
        return (float) Math.scalb((double) mantissa, exponent);
    }
}
