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

    private BlockQuantizer() {}

    /**
     * The factor that clips {@code x} to L2 norm {@code bound}: {@code (float) (bound / norm)} if
     * {@code ||x||_2} (summed in binary64, in index order) exceeds the bound, else exactly 1.
     *
     * @throws IllegalArgumentException if a coordinate is NaN or infinite
     */
    public static float clipFactor(float[] x, double bound) {
        double sq = 0;
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            sq += (double) v * v;
        }
        if (!Double.isFinite(sq)) {
            for (int i = 0; i < x.length; i++) {
                if (!Float.isFinite(x[i])) {
                    throw new IllegalArgumentException("coordinate " + i + " is not finite: " + x[i]);
                }
            }
        }
        double norm = Math.sqrt(sq);
        return norm <= bound ? 1f : (float) (bound / norm);
    }

    /** {@code x} clipped to L2 norm {@code bound}: every coordinate times {@link #clipFactor}. */
    public static float[] clip(float[] x, double bound) {
        float f = clipFactor(x, bound);
        if (f == 1f) {
            return x;
        }
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

    /** SplitMix64 output number {@code index + 1} of the generator seeded with {@code seed}. */
    static long splitMix(long seed, long index) {
        long z = seed + (index + 1) * GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The 24-bit stochastic-rounding draw r of global coordinate {@code index}: u = r / 2^24. */
    static int draw(long seed, long index) {
        return (int) (splitMix(seed, index) >>> 40);
    }

    /**
     * Quantizes leaves {@code [firstLeaf, firstLeaf + leafCount)} of {@code x * clipFactor} into
     * {@code out} at {@code outOff}, 66 bytes per leaf. Coordinates past the end of {@code x} are
     * padding: zero mantissas (and exponent expMin for an all-padding block). Mantissa of
     * coordinate i with block exponent e: {@code clamp((floor(y_i * 2^(24-e)) + r_i) >> 24, -127, 127)},
     * which is exactly {@code floor(y_i / 2^e + r_i / 2^24)}: integer arithmetic, no rounding.
     */
    public static void quantizeLeaves(float[] x, float clipFactor, int firstLeaf, int leafCount, WireParams p,
                                      long seed, byte[] out, int outOff) {
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
                    maxAbs = Math.max(maxAbs, Math.abs(x[i] * clipFactor));
                }
                int e = chooseExponent(maxAbs, expMin, expMax);
                out[o + b] = (byte) e;
                double scale = Math.scalb(1.0, 24 - e);
                int mo = o + WireParams.BLOCKS_PER_LEAF + b * BLOCK_COORDS - start;
                long z = seed + (start + 1L) * GAMMA;
                for (int i = start; i < end; i++, z += GAMMA) {
                    long t = (long) Math.floor((x[i] * clipFactor) * scale);
                    t = Math.max(-SATURATE, Math.min(SATURATE, t));
                    long r = z;
                    r = (r ^ (r >>> 30)) * 0xBF58476D1CE4E5B9L;
                    r = (r ^ (r >>> 27)) * 0x94D049BB133111EBL;
                    r = (r ^ (r >>> 31)) >>> 40;
                    long m = (t + r) >> 24;
                    out[mo + i] = (byte) Math.max(-MANTISSA_MAX, Math.min(MANTISSA_MAX, m));
                }
                for (int i = Math.max(start, end); i < start + BLOCK_COORDS; i++) {
                    out[mo + i] = 0;
                }
            }
        }
    }

    /** Bound on floor(y * 2^(24-e)) before adding r, far beyond any unsaturated mantissa. */
    private static final long SATURATE = 1L << 40;

    /** Value of mantissa m at exponent e, exactly, as a float32. */
    public static float value(int mantissa, int exponent) {
        return (float) Math.scalb((double) mantissa, exponent);
    }
}
