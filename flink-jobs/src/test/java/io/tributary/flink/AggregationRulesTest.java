package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.tensor.ChunkDecoder;
import io.tributary.schemas.tensor.DecodedChunk;
import io.tributary.schemas.tensor.EncodedUpdate;
import io.tributary.schemas.tensor.TensorEncoder;
import io.tributary.schemas.tensor.WireParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The vectorized robust rules give exactly what the plain per-coordinate sort gives. */
class AggregationRulesTest {

    @Test
    void shouldSortEveryInputWhenTheSortingNetworkIsApplied() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int n = 1; n <= 130; n++) {
            int[] network = AggregationRules.sortingNetwork(n);
            for (int trial = 0; trial < 20; trial++) {
                int[] x = new int[n];
                for (int i = 0; i < n; i++) {
                    x[i] = rnd.nextInt(-50, 50); // many ties
                }
                int[] expected = x.clone();
                Arrays.sort(expected);
                for (int k = 0; k < network.length; k += 2) {
                    int a = network[k];
                    int b = network[k + 1];
                    assertThat(a).isLessThan(b);
                    int lo = Math.min(x[a], x[b]);
                    x[b] = Math.max(x[a], x[b]);
                    x[a] = lo;
                }
                assertThat(x).as("n=%d", n).isEqualTo(expected);
            }
        }
    }

    @Test
    void shouldPlaceTheMiddleOutputsWhenOnlyThoseArePartOfTheNetwork() {
        SplittableRandom rnd = new SplittableRandom(6);
        for (int n = 1; n <= 130; n++) {
            int lo = (n - 1) / 2;
            int hi = n / 2;
            int[] partial = AggregationRules.sortingNetwork(n, lo, hi);
            assertThat(partial.length).isLessThanOrEqualTo(AggregationRules.sortingNetwork(n).length);
            for (int trial = 0; trial < 20; trial++) {
                int[] x = new int[n];
                for (int i = 0; i < n; i++) {
                    x[i] = rnd.nextInt(-1000, 1000);
                }
                int[] expected = x.clone();
                Arrays.sort(expected);
                for (int k = 0; k < partial.length; k += 2) {
                    int lo2 = Math.min(x[partial[k]], x[partial[k + 1]]);
                    x[partial[k + 1]] = Math.max(x[partial[k]], x[partial[k + 1]]);
                    x[partial[k]] = lo2;
                }
                assertThat(x[lo]).as("n=%d", n).isEqualTo(expected[lo]);
                assertThat(x[hi]).as("n=%d", n).isEqualTo(expected[hi]);
            }
        }
    }

    @Test
    void shouldMatchThePerCoordinateSortWhenComputedFromChunks() throws Exception {
        for (int n : new int[] {1, 2, 3, 6, 7, 16, 33, 100}) {
            WireParams p = WireParams.builder().dimension(300).chunkLeavesLog2(1).exponentRange(-20, -4)
                    .l2Bound(1.0).maxWeight(1000).maxContributors(n).build();
            List<List<DecodedChunk>> chunks = encode(p, n, 11L * n);
            for (int c = 0; c < p.chunkCount(); c++) {
                List<long[]> values = new ArrayList<>();
                for (DecodedChunk d : chunks.get(c)) {
                    values.add(AggregationRules.fixedPoint(d, p.expMin()));
                }
                assertThat(AggregationRules.median(chunks.get(c), p.expMin(), p.expMax()))
                        .as("median n=%d chunk %d", n, c).isEqualTo(AggregationRules.median(values));
                for (int beta : new int[] {0, 100, 286, 499}) {
                    assertThat(AggregationRules.trimmedMean(chunks.get(c), p.expMin(), p.expMax(), beta))
                            .as("trimmed %d n=%d chunk %d", beta, n, c)
                            .isEqualTo(AggregationRules.trimmedMean(values, beta));
                }
            }
        }
    }

    @Test
    void shouldGiveTheExactPairwiseDistancesWhenComputedFromChunks() throws Exception {
        // span 16 (tiles of 2048 coordinates) and span 22 (tiles of 8)
        for (int[] exp : new int[][] {{-20, -4}, {-26, -4}}) {
            int n = 9;
            WireParams p = WireParams.builder().dimension(3000).chunkLeavesLog2(5).exponentRange(exp[0], exp[1])
                    .l2Bound(1.0).maxWeight(1000).maxContributors(n).build();
            List<List<DecodedChunk>> chunks = encode(p, n, 3);
            for (int c = 0; c < p.chunkCount(); c++) {
                List<long[]> values = new ArrayList<>();
                for (DecodedChunk d : chunks.get(c)) {
                    values.add(AggregationRules.fixedPoint(d, p.expMin()));
                }
                java.math.BigInteger[] got = AggregationRules.pairwiseSquaredDistances(chunks.get(c), p.expMin(),
                        p.expMax());
                assertThat(got).hasSize(n * (n - 1) / 2);
                for (int a = 0, k = 0; a < n; a++) {
                    for (int b = a + 1; b < n; b++, k++) {
                        assertThat(got[k]).as("exp %s chunk %d pair %d,%d", Arrays.toString(exp), c, a, b)
                                .isEqualTo(AggregationRules.squaredDistance(values.get(a), values.get(b)));
                    }
                }
            }
        }
    }

    @Test
    void shouldAverageWithoutSortingWhenTakingTheMean() {
        List<long[]> u = List.of(new long[] {1, -7, 5}, new long[] {2, 3, 5}, new long[] {4, 3, 6}, new long[] {2, 0, 5});
        // 9/4 = 2.25 -> 2; -1/4 = -0.25 -> 0; 21/4 = 5.25 -> 5
        assertThat(AggregationRules.mean(u)).containsExactly(2, 0, 5);
        assertThat(AggregationRules.mean(List.of(new long[] {1}, new long[] {2}))).containsExactly(2); // 1.5 -> 2
        assertThat(AggregationRules.mean(List.of(new long[] {3}, new long[] {2}))).containsExactly(2); // 2.5 -> 2
    }

    /** chunks[c] = chunk c of each of n random updates. */
    private static List<List<DecodedChunk>> encode(WireParams p, int n, long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        ChunkDecoder decoder = new ChunkDecoder(p);
        List<List<DecodedChunk>> out = new ArrayList<>();
        for (int c = 0; c < p.chunkCount(); c++) {
            out.add(new ArrayList<>());
        }
        try (TensorEncoder enc = new TensorEncoder(p)) {
            for (int u = 0; u < n; u++) {
                float[] x = new float[p.dimension()];
                double scale = rnd.nextDouble(0.01, 0.5) / Math.sqrt(p.dimension());
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (rnd.nextGaussian() * scale);
                }
                EncodedUpdate e = enc.encode(x, seed + u);
                for (int c = 0; c < p.chunkCount(); c++) {
                    out.get(c).add(decoder.decode(e.chunks().get(c), ChunkDecoder.Verification.STRUCTURE));
                }
            }
        }
        return out;
    }
}
