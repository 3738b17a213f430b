package io.tributary.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Splits a labelled data set into a held-out test split and K worker shares, reproducibly from a
 * seed. The test split is an IID sample of {@code testSize} examples, taken first. The rest is
 * dealt either IID (a seeded shuffle cut into K near-equal parts) or non-IID: for each class, a
 * proportion vector drawn from Dirichlet(alpha, ..., alpha) over the K workers cuts that class's
 * (shuffled) examples. Small alpha gives each worker few classes; large alpha approaches IID.
 * Inside each share, samples keep the order of the input.
 */
public final class DataSplitter {

    /** The result: one held-out test split and one share per worker. */
    public record Split(TrainingData test, List<TrainingData> workers) {
    }

    private DataSplitter() {
    }

    /** IID split: test first, then K near-equal random shares. */
    public static Split iid(List<Sample> all, int workers, int testSize, long seed) {
        checkArgs(all, workers, testSize);
        SplittableRandom rng = new SplittableRandom(seed);
        int[] order = permutation(all.size(), rng);
        int rest = all.size() - testSize;
        List<int[]> shares = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int from = testSize + (int) ((long) rest * w / workers);
            int to = testSize + (int) ((long) rest * (w + 1) / workers);
            shares.add(Arrays.copyOfRange(order, from, to));
        }
        return build(all, Arrays.copyOf(order, testSize), shares);
    }

    /** Non-IID split with per-class proportions drawn from Dirichlet(alpha); labels must be >= 0. */
    public static Split dirichlet(List<Sample> all, int workers, int testSize, double alpha, long seed) {
        checkArgs(all, workers, testSize);
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be a positive finite number, got " + alpha);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int[] order = permutation(all.size(), rng);
        int classes = 0;
        for (Sample s : all) {
            classes = Math.max(classes, s.label() + 1);
        }
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = testSize; i < order.length; i++) {
            byClass.get(all.get(order[i]).label()).add(order[i]);
        }
        List<List<Integer>> shares = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            shares.add(new ArrayList<>());
        }
        for (List<Integer> members : byClass) {
            double[] p = Dirichlet.sample(rng, alpha, workers);
            int n = members.size();
            double cumulative = 0;
            int from = 0;
            for (int w = 0; w < workers; w++) {
                cumulative += p[w];
                int to = w == workers - 1 ? n : (int) Math.min(n, Math.round(cumulative * n));
                shares.get(w).addAll(members.subList(from, Math.max(from, to)));
                from = Math.max(from, to);
            }
        }
        List<int[]> indexShares = new ArrayList<>();
        for (List<Integer> share : shares) {
            indexShares.add(share.stream().mapToInt(Integer::intValue).toArray());
        }
        return build(all, Arrays.copyOf(order, testSize), indexShares);
    }

    private static Split build(List<Sample> all, int[] test, List<int[]> shares) {
        List<TrainingData> workers = new ArrayList<>();
        for (int[] share : shares) {
            workers.add(select(all, share));
        }
        return new Split(select(all, test), List.copyOf(workers));
    }

    /** The samples at {@code indices}, in input order. */
    private static TrainingData select(List<Sample> all, int[] indices) {
        int[] sorted = indices.clone();
        Arrays.sort(sorted);
        List<Sample> out = new ArrayList<>(sorted.length);
        for (int i : sorted) {
            out.add(all.get(i));
        }
        return TrainingData.of(out);
    }

    /** A seeded Fisher-Yates permutation of 0..n-1. */
    static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static void checkArgs(List<Sample> all, int workers, int testSize) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        }
        if (testSize < 0 || testSize > all.size()) {
            throw new IllegalArgumentException("testSize must be in [0, " + all.size() + "], got " + testSize);
        }
    }

    /** Dirichlet and Gamma sampling from a seeded generator (Marsaglia and Tsang's method). */
    static final class Dirichlet {
        private Dirichlet() {
        }

        /** A point of the (k-1)-simplex drawn from Dirichlet(alpha, ..., alpha). */
        static double[] sample(SplittableRandom rng, double alpha, int k) {
            double[] g = new double[k];
            double sum = 0;
            for (int i = 0; i < k; i++) {
                g[i] = gamma(rng, alpha);
                sum += g[i];
            }
            if (sum == 0) { // every draw underflowed (tiny alpha): all mass on one random worker
                g[rng.nextInt(k)] = 1;
                sum = 1;
            }
            for (int i = 0; i < k; i++) {
                g[i] /= sum;
            }
            return g;
        }

        /** Gamma(shape, 1). For shape < 1: Gamma(shape + 1) * U^(1/shape). */
        static double gamma(SplittableRandom rng, double shape) {
            if (shape < 1) {
                double u = rng.nextDouble();
                return gamma(rng, shape + 1) * Math.pow(u, 1 / shape);
            }
            double d = shape - 1.0 / 3;
            double c = 1 / Math.sqrt(9 * d);
            while (true) {
                double x;
                double v;
                do {
                    x = gaussian(rng);
                    v = 1 + c * x;
                } while (v <= 0);
                v = v * v * v;
                double u = rng.nextDouble();
                if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                    return d * v;
                }
            }
        }

        /** Standard normal by the polar Box-Muller method (one of the pair is used). */
        static double gaussian(SplittableRandom rng) {
            double u;
            double v;
            double s;
            do {
                u = 2 * rng.nextDouble() - 1;
                v = 2 * rng.nextDouble() - 1;
                s = u * u + v * v;
            } while (s >= 1 || s == 0);
            return u * Math.sqrt(-2 * Math.log(s) / s);
        }
    }
}
