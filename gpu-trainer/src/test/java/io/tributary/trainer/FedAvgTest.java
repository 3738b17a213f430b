package io.tributary.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.tensor.WireParams;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FedAvgTest {

    @Test
    void shouldMoveTheGlobalModelByTheSampleWeightedMeanOfTheClippedUpdates() throws Exception {
        WireParams p = UpdatePreparerTest.params(2.0);
        int dim = p.dimension();
        SplittableRandom rng = new SplittableRandom(8);
        float[] global = new float[dim];
        for (int i = 0; i < dim; i++) {
            global[i] = (float) rng.nextGaussian() * 0.05f;
        }
        long[] samples = {3_000, 1_000, 2_000};
        double[] scales = {0.002, 0.004, 0.01}; // the last one (norm ~3.2) is clipped to 2
        try (UpdatePreparer preparer = new UpdatePreparer(p)) {
            List<PreparedUpdate> updates = new java.util.ArrayList<>();
            for (int w = 0; w < 3; w++) {
                float[] d = new float[dim];
                for (int i = 0; i < dim; i++) {
                    d[i] = (float) (rng.nextGaussian() * scales[w]);
                }
                updates.add(preparer.prepare(new LocalUpdate(d, samples[w]), UpdatePreparer.encodingSeed(w, 1, 0)));
            }
            assertThat(updates.get(2).clipped()).isTrue();
            float[] next = FedAvg.apply(p, global, updates);
            double total = 6_000;
            double maxErr = 0;
            for (int i = 0; i < dim; i++) {
                double mean = 0;
                for (int w = 0; w < 3; w++) {
                    mean += updates.get(w).clippedDelta()[i] * samples[w] / total;
                }
                maxErr = Math.max(maxErr, Math.abs(next[i] - global[i] - mean));
            }
            // each update is off by less than one mantissa step of its block (<= 2 max|block| / 127)
            assertThat(maxErr).isLessThan(2 * 0.01 * 6 / 127);
            assertThat(maxErr).isGreaterThan(0);
            // the same updates in another order give the same model, bit for bit
            assertThat(FedAvg.apply(p, global, List.of(updates.get(2), updates.get(0), updates.get(1))))
                    .containsExactly(next);
        }
    }
}
