package io.tributary.flink;

import io.tributary.schemas.tensor.DecodedChunk;
import io.tributary.schemas.tensor.WireParams;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The robust aggregation rules in exact integer arithmetic (DESIGN decision 1). Every coordinate of
 * every update is the integer {@code m << (e - expMin)} in the task's unit {@code 2^expMin}; a rule
 * maps the n integers of one coordinate to one integer, rounding only in a final division, half to
 * even. The results depend only on the multiset of updates, never on their order.
 */
public final class AggregationRules {

    private AggregationRules() {}

    /** The coordinates of one decoded chunk in units of 2^expMin (real coordinates only). */
    public static long[] fixedPoint(DecodedChunk c, int expMin) {
        long[] v = new long[c.coordCount()];
        for (int i = 0; i < v.length; i++) {
            int e = c.exponent(i / WireParams.LEAF_COORDS, (i % WireParams.LEAF_COORDS) / WireParams.BLOCK_COORDS);
            v[i] = (long) c.mantissa(i) << (e - expMin);
        }
        return v;
    }

    /**
     * Coordinate-wise median; for an even count the mean of the two middle values, rounded half to
     * even.
     */
    public static long[] median(List<long[]> updates) {
        return trimmed(updates, (updates.size() - 1) / 2);
    }

    /**
     * Coordinate-wise trimmed mean: in each coordinate the {@code floor(n * betaPerMille / 1000)}
     * smallest and as many largest values are dropped and the rest averaged (half to even).
     */
    public static long[] trimmedMean(List<long[]> updates, int betaPerMille) {
        if (betaPerMille < 0 || betaPerMille >= 500) {
            throw new IllegalArgumentException("trimmed-mean beta must be in [0, 500) per mille, got " + betaPerMille);
        }
        return trimmed(updates, (int) ((long) updates.size() * betaPerMille / 1000));
    }

    /**
     * {@link #median(List)} of the chunks' fixed-point values, computed straight from their
     * mantissas and exponents (same result, bit for bit).
     */
    public static long[] median(List<DecodedChunk> chunks, int expMin, int expMax) {
        return trimmedChunks(chunks, expMin, expMax, (chunks.size() - 1) / 2);
    }

    /** {@link #trimmedMean(List, int)} of the chunks' fixed-point values, from their mantissas and exponents. */
    public static long[] trimmedMean(List<DecodedChunk> chunks, int expMin, int expMax, int betaPerMille) {
        if (betaPerMille < 0 || betaPerMille >= 500) {
            throw new IllegalArgumentException("trimmed-mean beta must be in [0, 500) per mille, got " + betaPerMille);
        }
        return trimmedChunks(chunks, expMin, expMax, (int) ((long) chunks.size() * betaPerMille / 1000));
    }

    private static final VectorSpecies<Integer> LANES = IntVector.SPECIES_PREFERRED;
    private static final Map<List<Integer>, int[]> NETWORKS = new ConcurrentHashMap<>();

    /**
     * Sorts each coordinate's n values with a sorting network, {@link #LANES} coordinates at once
     * (one vector lane per coordinate, so there are no data-dependent branches), then averages the
     * kept middle. Values are {@code m << (e - expMin)} with |m| <= 127: they fit an int when the
     * exponent span is at most 23; wider spans take the long path ({@link #trimmed}).
     */
    private static long[] trimmedChunks(List<DecodedChunk> chunks, int expMin, int expMax, int cut) {
        int n = chunks.size();
        if (n == 0) {
            throw new IllegalArgumentException("no updates");
        }
        int lanes = LANES.length();
        if (expMax - expMin > 23 || WireParams.BLOCK_COORDS % lanes != 0) {
            List<long[]> values = new java.util.ArrayList<>(n);
            for (DecodedChunk c : chunks) {
                values.add(fixedPoint(c, expMin));
            }
            return trimmed(values, cut);
        }
        int dim = chunks.get(0).coordCount();
        int[] network = NETWORKS.computeIfAbsent(List.of(n, cut), k -> sortingNetwork(n, cut, n - cut - 1));
        int[] column = new int[n * lanes];
        long[] out = new long[dim];
        int kept = n - 2 * cut;
        for (int i = 0; i < dim; i += lanes) {
            int leaf = i / WireParams.LEAF_COORDS;
            int block = (i % WireParams.LEAF_COORDS) / WireParams.BLOCK_COORDS;
            for (int u = 0; u < n; u++) {
                DecodedChunk c = chunks.get(u);
                int shift = c.exponent(leaf, block) - expMin;
                int base = u * lanes;
                for (int l = 0; l < lanes; l++) {
                    // lanes past the real coordinates read the last leaf's zero padding: computed, not kept
                    column[base + l] = c.mantissa(i + l) << shift;
                }
            }
            for (int k = 0; k < network.length; k += 2) {
                int a = network[k] * lanes;
                int b = network[k + 1] * lanes;
                IntVector va = IntVector.fromArray(LANES, column, a);
                IntVector vb = IntVector.fromArray(LANES, column, b);
                va.min(vb).intoArray(column, a);
                va.max(vb).intoArray(column, b);
            }
            int real = Math.min(lanes, dim - i);
            for (int l = 0; l < real; l++) {
                long sum = 0;
                for (int u = cut; u < n - cut; u++) {
                    sum += column[u * lanes + l];
                }
                out[i + l] = divideHalfEven(sum, kept);
            }
        }
        return out;
    }

    /**
     * Batcher's odd-even merge sort for n inputs, as (a, b) pairs with a < b: after the pairs are
     * applied in order (min to a, max to b) the inputs are sorted. Built for the next power of two;
     * a pair that reaches past n would only ever compare a value with the +infinity of padding, so
     * it is left out.
     */
    static int[] sortingNetwork(int n) {
        return sortingNetwork(n, 0, n - 1);
    }

    /**
     * The pairs of {@link #sortingNetwork(int)} that the sorted outputs {@code first..last} depend
     * on: walking back from those outputs, a pair is kept when either of its positions is still
     * needed, and then both are. Those outputs come out exactly as from the whole network.
     */
    static int[] sortingNetwork(int n, int first, int last) {
        int size = Integer.highestOneBit(Math.max(1, n - 1)) << 1;
        java.util.ArrayList<int[]> pairs = new java.util.ArrayList<>();
        for (int p = 1; p < size; p <<= 1) {
            for (int k = p; k >= 1; k >>= 1) {
                for (int j = k % p; j + k < size; j += 2 * k) {
                    for (int i = 0; i < k && i + j + k < size; i++) {
                        int a = i + j;
                        int b = i + j + k;
                        if (a / (2 * p) == b / (2 * p) && b < n) {
                            pairs.add(new int[] {a, b});
                        }
                    }
                }
            }
        }
        boolean[] needed = new boolean[Math.max(n, 1)];
        for (int i = Math.max(0, first); i <= last && i < n; i++) {
            needed[i] = true;
        }
        java.util.ArrayDeque<int[]> kept = new java.util.ArrayDeque<>();
        for (int k = pairs.size() - 1; k >= 0; k--) {
            int[] pair = pairs.get(k);
            if (needed[pair[0]] || needed[pair[1]]) {
                needed[pair[0]] = true;
                needed[pair[1]] = true;
                kept.addFirst(pair);
            }
        }
        int[] out = new int[2 * kept.size()];
        int k = 0;
        for (int[] pair : kept) {
            out[k++] = pair[0];
            out[k++] = pair[1];
        }
        return out;
    }

    private static long[] trimmed(List<long[]> updates, int cut) {
        int n = updates.size();
        if (n == 0) {
            throw new IllegalArgumentException("no updates");
        }
        int dim = updates.get(0).length;
        long[] out = new long[dim];
        long[] column = new long[n];
        int kept = n - 2 * cut;
        for (int i = 0; i < dim; i++) {
            for (int u = 0; u < n; u++) {
                column[u] = updates.get(u)[i];
            }
            Arrays.sort(column);
            long sum = 0; // |value| < 2^53 and kept <= maxContributors: headroom proven by WireParams
            for (int u = cut; u < n - cut; u++) {
                sum += column[u];
            }
            out[i] = divideHalfEven(sum, kept);
        }
        return out;
    }

    /**
     * Multi-Krum selection (Blanchard et al. 2017) from the exact pairwise squared distances of the
     * whole updates: each update's score is the sum of its {@code n - f - 2} smallest distances to
     * the others; the {@code n - f} updates with the smallest scores (ties: lower index) are kept.
     *
     * @param distances symmetric n x n matrix of squared distances (in units of 4^expMin)
     * @return the indices of the selected updates, ascending
     */
    public static int[] multiKrumSelect(java.math.BigInteger[][] distances, int f) {
        int n = distances.length;
        if (f < 1 || n < 2 * f + 3) {
            throw new IllegalArgumentException("multi-Krum needs f >= 1 and n > 2f + 2, got n=" + n + ", f=" + f);
        }
        java.math.BigInteger[] score = new java.math.BigInteger[n];
        for (int u = 0; u < n; u++) {
            java.math.BigInteger[] row = new java.math.BigInteger[n - 1];
            for (int v = 0, j = 0; v < n; v++) {
                if (v != u) {
                    row[j++] = distances[u][v];
                }
            }
            Arrays.sort(row);
            java.math.BigInteger s = java.math.BigInteger.ZERO;
            for (int j = 0; j < n - f - 2; j++) {
                s = s.add(row[j]);
            }
            score[u] = s;
        }
        Integer[] order = new Integer[n];
        for (int u = 0; u < n; u++) {
            order[u] = u;
        }
        Arrays.sort(order, (a, b) -> {
            int c = score[a].compareTo(score[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] selected = new int[n - f];
        for (int j = 0; j < selected.length; j++) {
            selected[j] = order[j];
        }
        Arrays.sort(selected);
        return selected;
    }

    private static final VectorSpecies<Long> DIST_LONGS = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> DIST_INTS =
            VectorSpecies.of(int.class, VectorShape.forBitSize(DIST_LONGS.length() * 32));
    /** Coordinates gathered per tile: n int rows of this length stay in the L2 cache while every pair is done. */
    private static final int DIST_TILE = 2048;

    /**
     * The exact squared distances between every pair of the chunks' fixed-point values, as the
     * row-major upper triangle ({@code (0,1), (0,2), ..., (1,2), ...}), the same integers
     * {@link #squaredDistance} gives. Coordinates are gathered tile by tile as ints (exponent span at
     * most 22; wider spans take the long path) and each pair's squares are summed in int64 vector
     * lanes; a tile is short enough that all of its squares together stay below 2^63, and tiles add
     * into an exact total.
     */
    public static java.math.BigInteger[] pairwiseSquaredDistances(List<DecodedChunk> chunks, int expMin, int expMax) {
        int n = chunks.size();
        int pairs = n * (n - 1) / 2;
        java.math.BigInteger[] out = new java.math.BigInteger[pairs];
        int span = expMax - expMin;
        if (span > 22) {
            List<long[]> values = new java.util.ArrayList<>(n);
            for (DecodedChunk c : chunks) {
                values.add(fixedPoint(c, expMin));
            }
            for (int a = 0, k = 0; a < n; a++) {
                for (int b = a + 1; b < n; b++, k++) {
                    out[k] = squaredDistance(values.get(a), values.get(b));
                }
            }
            return out;
        }
        // |value| <= 127 << span, so a square of a difference is below 2^(2 * (span + 8)), and a tile
        // of at most 2^(63 - 2 * (span + 8)) coordinates sums below 2^63 (>= 8 coordinates for span <= 22).
        int step = DIST_LONGS.length();
        int tileLen = (int) Math.min(DIST_TILE, 1L << Math.min(30, 63 - 2 * (span + 8)));
        tileLen -= tileLen % step;
        if (tileLen == 0) {
            throw new IllegalStateException(step + " int64 lanes do not fit a tile at exponent span " + span);
        }
        int dim = n == 0 ? 0 : chunks.get(0).coordCount();
        int[][] tile = new int[n][tileLen];
        long[] total = new long[pairs];
        java.math.BigInteger[] carry = new java.math.BigInteger[pairs];
        for (int start = 0; start < dim; start += tileLen) {
            int len = Math.min(tileLen, dim - start);
            int padded = (len + step - 1) / step * step;
            for (int u = 0; u < n; u++) {
                DecodedChunk c = chunks.get(u);
                int[] row = tile[u];
                for (int j = 0; j < padded; j++) {
                    int i = start + j;
                    row[j] = i < dim ? c.mantissa(i) << (c.exponent(i / WireParams.LEAF_COORDS,
                            (i % WireParams.LEAF_COORDS) / WireParams.BLOCK_COORDS) - expMin) : 0;
                }
            }
            for (int a = 0, k = 0; a < n; a++) {
                int[] ra = tile[a];
                for (int b = a + 1; b < n; b++, k++) {
                    int[] rb = tile[b];
                    LongVector acc = LongVector.zero(DIST_LONGS);
                    for (int j = 0; j < padded; j += step) {
                        IntVector d = IntVector.fromArray(DIST_INTS, ra, j).sub(IntVector.fromArray(DIST_INTS, rb, j));
                        LongVector dl = (LongVector) d.convertShape(VectorOperators.I2L, DIST_LONGS, 0);
                        acc = acc.add(dl.mul(dl));
                    }
                    long sum = acc.reduceLanes(VectorOperators.ADD); // below 2^63: tileLen bounds it
                    long t = total[k] + sum;
                    if (t < 0) { // both are non-negative: a negative sum is an overflow
                        java.math.BigInteger c = carry[k] == null ? java.math.BigInteger.ZERO : carry[k];
                        carry[k] = c.add(java.math.BigInteger.valueOf(total[k])).add(java.math.BigInteger.valueOf(sum));
                        t = 0;
                    }
                    total[k] = t;
                }
            }
        }
        for (int k = 0; k < pairs; k++) {
            java.math.BigInteger t = java.math.BigInteger.valueOf(total[k]);
            out[k] = carry[k] == null ? t : carry[k].add(t);
        }
        return out;
    }

    /** Squared Euclidean distance of two updates' chunks, exactly. */
    public static java.math.BigInteger squaredDistance(long[] a, long[] b) {
        java.math.BigInteger s = java.math.BigInteger.ZERO;
        long acc = 0; // squares of differences < 2^108: accumulate in BigInteger per coordinate group
        for (int i = 0; i < a.length; i++) {
            long d = a[i] - b[i];
            if (Math.abs(d) < (1L << 26)) {
                long sq = d * d; // < 2^52
                if (acc > Long.MAX_VALUE - sq) {
                    s = s.add(java.math.BigInteger.valueOf(acc));
                    acc = 0;
                }
                acc += sq;
            } else {
                java.math.BigInteger bd = java.math.BigInteger.valueOf(d);
                s = s.add(bd.multiply(bd));
            }
        }
        return s.add(java.math.BigInteger.valueOf(acc));
    }

    /** Unweighted coordinate-wise mean of the selected updates, half to even. */
    public static long[] mean(List<long[]> updates) {
        if (updates.isEmpty()) {
            throw new IllegalArgumentException("no updates");
        }
        long[] sum = new long[updates.get(0).length];
        for (long[] u : updates) { // update by update: sequential reads, no per-coordinate sort
            for (int i = 0; i < sum.length; i++) {
                sum[i] += u[i]; // |value| < 2^53 and n <= maxContributors: headroom proven by WireParams
            }
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] = divideHalfEven(sum[i], updates.size());
        }
        return sum;
    }

    /** {@code n / d} for {@code d > 0}, to the nearest integer, ties to even (FORMAT.md section 6). */
    static long divideHalfEven(long n, long d) {
        long q = Math.floorDiv(n, d);
        long r = n - q * d;
        long other = d - r;
        if (r > other || (r == other && (q & 1) != 0)) {
            q++;
        }
        return q;
    }
}
