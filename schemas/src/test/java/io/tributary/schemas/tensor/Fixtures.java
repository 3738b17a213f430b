package io.tributary.schemas.tensor;

import java.util.SplittableRandom;

/** Small parameter sets and random updates shared by the tensor tests. */
final class Fixtures {

    private Fixtures() {}

    /** 1000 coordinates = 16 leaves (the last one 40 real coordinates), 4 leaves per chunk: 4 chunks. */
    static WireParams small() {
        return WireParams.builder()
                .dimension(1000)
                .chunkLeavesLog2(2)
                .exponentRange(-24, -4)
                .l2Bound(1.0)
                .maxWeight(1_000)
                .maxContributors(1_000)
                .build();
    }

    /**
     * A random update with coordinates of mixed magnitudes (some blocks tiny, some zero, some
     * large enough to be clipped).
     */
    static float[] randomUpdate(SplittableRandom rnd, int dimension, double scale) {
        float[] x = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            int kind = (i / 32 + rnd.nextInt(2)) % 5;
            double v = rnd.nextDouble(-1, 1) * scale;
            x[i] = switch (kind) {
                case 0 -> 0f;
                case 1 -> (float) (v * 1e-6);
                case 2 -> (float) (v * 1e-3);
                default -> (float) v;
            };
        }
        return x;
    }
}
