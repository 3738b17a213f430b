package io.tributary.flink;

import io.tributary.schemas.tensor.DecodedChunk;
import io.tributary.schemas.tensor.WireParams;
import java.util.Arrays;
import java.util.List;

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
        return trimmed(updates, 0);
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
