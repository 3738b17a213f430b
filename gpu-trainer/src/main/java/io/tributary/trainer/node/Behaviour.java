package io.tributary.trainer.node;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How a worker treats its update before it is clipped and encoded ({@code --behave}): honest
 * workers send what they trained; the others are the attacks of the robustness experiments.
 */
public enum Behaviour {
    /** The trained update, unchanged. */
    HONEST,
    /** The trained update negated. */
    SIGNFLIP,
    /** Gaussian noise with the L2 norm of the task's clip bound, instead of the update. */
    NOISE,
    /** A copy of the last round's global-model delta instead of training (zero in round 0). */
    FREERIDE;

    /** Whether the worker trains at all (noise and free riding need no trained update). */
    public boolean trains() {
        return this == HONEST || this == SIGNFLIP;
    }

    /**
     * The update to send.
     *
     * @param trained the trained update (local - global); ignored (may be null) when {@link #trains()} is false
     * @param lastGlobalDelta global(r) - global(r-1), or null in round 0 (FREERIDE only)
     * @param dimension the model's coordinate count
     * @param clipBound the task's L2 clip bound (NOISE)
     * @param seed the noise seed (NOISE)
     */
    public float[] apply(float[] trained, float[] lastGlobalDelta, int dimension, double clipBound, long seed) {
        switch (this) {
            case HONEST:
                return check(trained, dimension).clone();
            case SIGNFLIP: {
                float[] out = check(trained, dimension).clone();
                for (int i = 0; i < out.length; i++) {
                    out[i] = -out[i];
                }
                return out;
            }
            case NOISE: {
                SplittableRandom rng = new SplittableRandom(seed);
                double[] g = new double[dimension];
                double norm = 0;
                for (int i = 0; i < dimension; i++) {
                    g[i] = gaussian(rng);
                    norm += g[i] * g[i];
                }
                double scale = norm == 0 ? 0 : clipBound / Math.sqrt(norm);
                float[] out = new float[dimension];
                for (int i = 0; i < dimension; i++) {
                    out[i] = (float) (g[i] * scale);
                }
                return out;
            }
            case FREERIDE:
                return lastGlobalDelta == null ? new float[dimension] : check(lastGlobalDelta, dimension).clone();
            default:
                throw new AssertionError(this);
        }
    }

    /** Parses {@code honest|signflip|noise|freeride} (any case). */
    public static Behaviour parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("--behave must be honest, signflip, noise or freeride, got " + text);
        }
    }

    private static float[] check(float[] v, int dimension) {
        if (v == null || v.length != dimension) {
            throw new IllegalArgumentException("update of " + (v == null ? "no" : v.length) + " coordinates, expected "
                    + dimension);
        }
        return v;
    }

    /** A standard normal deviate (Box-Muller; the second value is dropped to keep the stream simple). */
    private static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble(); // (0, 1]
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
