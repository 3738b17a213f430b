package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.tensor.ChunkAccumulator;
import io.tributary.schemas.tensor.ChunkDecoder;
import io.tributary.schemas.tensor.EncodedUpdate;
import io.tributary.schemas.tensor.TensorEncoder;
import io.tributary.schemas.tensor.WireParams;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * 7 workers, 2 of them Byzantine, on real encoded updates (clip bound C = 1): the honest ones send
 * g + noise with |g| = 0.5 and |noise| = 0.05; the attackers either flip the sign and push to the
 * bound (-C g/|g|) or push to the bound along one fixed direction. Documented bound (README): median,
 * trimmed mean (beta = 286 per mille, 2 of 7 trimmed per side) and multi-Krum (f = 2) stay within
 * 0.25 |g| of the honest mean; FedAvg is off by more than 0.6 |g|.
 */
class ByzantineRulesTest {

    enum Attack { SIGN_FLIP_TO_BOUND, PUSH_TO_BOUND_ONE_DIRECTION }

    private static final int HONEST = 5;
    private static final int BYZANTINE = 2;

    private final WireParams p = Fixtures.params(16);

    private List<EncodedUpdate> updates(Attack attack, float[] g) {
        SplittableRandom rnd = new SplittableRandom(77);
        float[] direction = Fixtures.randomUpdate(rnd, 1.0);
        List<EncodedUpdate> out = new ArrayList<>();
        try (TensorEncoder enc = new TensorEncoder(p)) {
            for (int w = 0; w < HONEST; w++) {
                float[] noise = Fixtures.randomUpdate(rnd, 0.05);
                float[] x = new float[g.length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = g[i] + noise[i];
                }
                out.add(enc.encode(x, w));
            }
            for (int b = 0; b < BYZANTINE; b++) {
                float[] x = new float[g.length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = attack == Attack.SIGN_FLIP_TO_BOUND ? -g[i] * 100 : direction[i] * 100; // clipped to C
                }
                out.add(enc.encode(x, 100 + b));
            }
        }
        return out;
    }

    /** The updates' coordinates in units of 2^expMin, per chunk: [chunk][update][coordinate]. */
    private long[][][] fixedPoint(List<EncodedUpdate> updates) throws Exception {
        ChunkDecoder decoder = new ChunkDecoder(p);
        long[][][] v = new long[p.chunkCount()][updates.size()][];
        for (int c = 0; c < p.chunkCount(); c++) {
            for (int u = 0; u < updates.size(); u++) {
                v[c][u] = AggregationRules.fixedPoint(decoder.decode(updates.get(u).chunks().get(c)), p.expMin());
            }
        }
        return v;
    }

    private double[] toDouble(List<long[]> chunks) {
        double[] out = new double[p.dimension()];
        int off = 0;
        for (long[] c : chunks) {
            for (long q : c) {
                out[off++] = Math.scalb((double) q, p.expMin());
            }
        }
        return out;
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    @ParameterizedTest
    @EnumSource(Attack.class)
    void shouldKeepRobustRulesNearTheHonestMeanWhileFedAvgIsPulledAway(Attack attack) throws Exception {
        float[] g = Fixtures.randomUpdate(new SplittableRandom(5), 0.5);
        List<EncodedUpdate> updates = updates(attack, g);
        long[][][] v = fixedPoint(updates);
        int n = updates.size();

        List<long[]> honest = new ArrayList<>();
        List<long[]> fedAvg = new ArrayList<>();
        List<long[]> median = new ArrayList<>();
        List<long[]> trimmed = new ArrayList<>();
        ChunkDecoder decoder = new ChunkDecoder(p);
        // Multi-Krum, stage 1: partial squared distances per chunk, summed over the update.
        BigInteger[][] dist = new BigInteger[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                dist[a][b] = BigInteger.ZERO;
            }
        }
        for (int c = 0; c < p.chunkCount(); c++) {
            honest.add(AggregationRules.mean(java.util.Arrays.asList(v[c]).subList(0, HONEST)));
            ChunkAccumulator acc = new ChunkAccumulator(p, c);
            for (EncodedUpdate u : updates) {
                acc.add(decoder.decode(u.chunks().get(c)), 1);
            }
            fedAvg.add(acc.mean());
            median.add(AggregationRules.median(java.util.Arrays.asList(v[c])));
            trimmed.add(AggregationRules.trimmedMean(java.util.Arrays.asList(v[c]), 286));
            for (int a = 0; a < n; a++) {
                for (int b = a + 1; b < n; b++) {
                    BigInteger d = AggregationRules.squaredDistance(v[c][a], v[c][b]);
                    dist[a][b] = dist[a][b].add(d);
                    dist[b][a] = dist[b][a].add(d);
                }
            }
        }
        // Stage 2: selection over the whole update; stage 3: per-chunk mean of the selected.
        int[] selected = AggregationRules.multiKrumSelect(dist, BYZANTINE);
        assertThat(selected).containsExactly(0, 1, 2, 3, 4);
        List<long[]> krum = new ArrayList<>();
        for (int c = 0; c < p.chunkCount(); c++) {
            List<long[]> kept = new ArrayList<>();
            for (int u : selected) {
                kept.add(v[c][u]);
            }
            krum.add(AggregationRules.mean(kept));
        }

        double[] honestMean = toDouble(honest);
        double gNorm = 0.5;
        assertThat(distance(toDouble(fedAvg), honestMean)).as("FedAvg").isGreaterThan(0.6 * gNorm);
        assertThat(distance(toDouble(median), honestMean)).as("median").isLessThan(0.25 * gNorm);
        assertThat(distance(toDouble(trimmed), honestMean)).as("trimmed mean").isLessThan(0.25 * gNorm);
        assertThat(distance(toDouble(krum), honestMean)).as("multi-Krum").isLessThan(0.25 * gNorm);
    }

    @Test
    void shouldRoundTheMedianOfAnEvenCountHalfToEven() {
        List<long[]> u = List.of(new long[] {1, 2, -3}, new long[] {2, 4, -4}, new long[] {100, 9, 0},
                new long[] {-100, 3, -1});
        // sorted columns: [-100,1,2,100] -> (1+2)/2=1.5 -> 2; [2,3,4,9] -> 3.5 -> 4; [-4,-3,-1,0] -> -2
        assertThat(AggregationRules.median(u)).containsExactly(2, 4, -2);
    }

    @Test
    void shouldTrimTheSameCountFromBothSides() {
        List<long[]> u = new ArrayList<>();
        for (long x : new long[] {1000, 1, 2, 3, 4, 5, 6, 7, 8, -1000}) {
            u.add(new long[] {x});
        }
        assertThat(AggregationRules.trimmedMean(u, 100)).containsExactly(4); // drops +-1000: 36/8 = 4.5 -> 4
        assertThat(AggregationRules.trimmedMean(u, 0)).containsExactly(4); // 36/10 = 3.6 -> 4
    }

    @Test
    void shouldGiveTheSameResultForAnyOrderOfUpdates() {
        SplittableRandom rnd = new SplittableRandom(9);
        List<long[]> u = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            u.add(rnd.longs(50, -1_000_000, 1_000_000).toArray());
        }
        long[] median = AggregationRules.median(u);
        long[] trimmed = AggregationRules.trimmedMean(u, 200);
        java.util.Collections.shuffle(u, new java.util.Random(1));
        assertThat(AggregationRules.median(u)).isEqualTo(median);
        assertThat(AggregationRules.trimmedMean(u, 200)).isEqualTo(trimmed);
    }
}
