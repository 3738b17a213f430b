package io.tributary.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.trainer.Mnist;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataSplitterTest {

    @Test
    void shouldSplitIidIntoDisjointNearEqualSharesAndATestSplit() {
        DataSplitter.Split split = DataSplitter.iid(Mnist.all(), 3, 1_000, 42);
        assertThat(split.test().size()).isEqualTo(1_000);
        assertThat(split.workers()).extracting(TrainingData::size).containsExactly(3_000, 3_000, 3_000);
        assertCoversExactlyOnce(split, 10_000);
        // IID: every worker sees every digit at roughly its overall frequency (~10 %)
        for (TrainingData w : split.workers()) {
            double[] f = labelFractions(w);
            for (double x : f) {
                assertThat(x).isBetween(0.06, 0.14);
            }
        }
    }

    @Test
    void shouldSplitTheSameWayForTheSameSeedOnly() {
        DataSplitter.Split a = DataSplitter.dirichlet(Mnist.all(), 4, 500, 0.5, 9);
        DataSplitter.Split b = DataSplitter.dirichlet(Mnist.all(), 4, 500, 0.5, 9);
        DataSplitter.Split c = DataSplitter.dirichlet(Mnist.all(), 4, 500, 0.5, 10);
        assertThat(ids(a.test())).isEqualTo(ids(b.test()));
        for (int w = 0; w < 4; w++) {
            assertThat(ids(a.workers().get(w))).isEqualTo(ids(b.workers().get(w)));
        }
        assertThat(ids(a.workers().get(0))).isNotEqualTo(ids(c.workers().get(0)));
        assertThat(ids(DataSplitter.iid(Mnist.all(), 2, 10, 1).test()))
                .isEqualTo(ids(DataSplitter.iid(Mnist.all(), 2, 10, 1).test()));
    }

    @Test
    void shouldSkewLabelsWithSmallAlphaAndNotWithLargeAlpha() {
        double skewed = meanLargestClassFraction(DataSplitter.dirichlet(Mnist.all(), 5, 1_000, 0.1, 3));
        double nearIid = meanLargestClassFraction(DataSplitter.dirichlet(Mnist.all(), 5, 1_000, 1_000, 3));
        assertThat(skewed).isGreaterThan(0.4);
        assertThat(nearIid).isLessThan(0.15);
        DataSplitter.Split s = DataSplitter.dirichlet(Mnist.all(), 5, 1_000, 0.1, 3);
        assertCoversExactlyOnce(s, 10_000);
    }

    @Test
    void shouldDrawDirichletProportionsWithTheRightMean() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
        double[] mean = new double[4];
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            double[] p = DataSplitter.Dirichlet.sample(rng, 0.3, 4);
            double sum = 0;
            for (int k = 0; k < 4; k++) {
                assertThat(p[k]).isBetween(0.0, 1.0);
                sum += p[k];
                mean[k] += p[k] / n;
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        }
        for (double m : mean) {
            assertThat(m).isCloseTo(0.25, org.assertj.core.data.Offset.offset(0.01));
        }
    }

    private static double meanLargestClassFraction(DataSplitter.Split split) {
        double sum = 0;
        int counted = 0;
        for (TrainingData w : split.workers()) {
            if (w.size() == 0) {
                continue;
            }
            double max = 0;
            for (double f : labelFractions(w)) {
                max = Math.max(max, f);
            }
            sum += max;
            counted++;
        }
        return sum / counted;
    }

    private static double[] labelFractions(TrainingData d) {
        double[] f = new double[10];
        for (int i = 0; i < d.size(); i++) {
            f[d.sample(i).label()] += 1.0 / d.size();
        }
        return f;
    }

    private static void assertCoversExactlyOnce(DataSplitter.Split split, int total) {
        Set<String> seen = new HashSet<>();
        int count = 0;
        for (TrainingData d : concat(split)) {
            for (String id : ids(d)) {
                assertThat(seen.add(id)).as("%s dealt twice", id).isTrue();
                count++;
            }
        }
        assertThat(count).isEqualTo(total);
    }

    private static List<TrainingData> concat(DataSplitter.Split split) {
        List<TrainingData> all = new java.util.ArrayList<>(split.workers());
        all.add(split.test());
        return all;
    }

    private static List<String> ids(TrainingData d) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            out.add(new String(d.sample(i).rowId(), StandardCharsets.US_ASCII));
        }
        return out;
    }
}
