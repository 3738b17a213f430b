package io.tributary.schemas.tensor;

import static io.tributary.schemas.tensor.WireParams.LEAF_BYTES;
import static io.tributary.schemas.tensor.WireParams.LEAF_COORDS;
import static io.tributary.schemas.tensor.WireParams.MANTISSA_BOUND;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Exact weighted sum of one chunk over a round's updates (DESIGN decision 1, FORMAT.md
 * "Aggregation"). Every coordinate is summed in int64 in the task's fixed-point unit
 * {@code 2^expMin}: mantissa m at exponent e with weight w contributes {@code w * (m << (e - expMin))}.
 * Integer addition is associative, so the result is the same bit for bit for any order of
 * {@link #add}, any grouping in {@link #addAll}, and any split into partial accumulators combined
 * with {@link #merge}. {@link WireParams} proved at build time that no sum of at most
 * {@code maxContributors} updates of weight at most {@code maxWeight} can overflow.
 *
 * <p>Not thread-safe; one instance per (task, round, chunk) key.
 */
public final class ChunkAccumulator {

    /** Leaves per tile: the int32 and int64 tiles (16,384 coordinates) stay in L2. */
    static final int TILE_LEAVES = 256;
    private static final long INT32_LIMIT = Integer.MAX_VALUE;

    private final WireParams params;
    private final int chunkIndex;
    private final int leafCount;
    private final int coordCount;
    private final AccumulateKernel kernel;
    private final long[] sums;
    private long totalWeight;
    private long contributors;

    public ChunkAccumulator(WireParams params, int chunkIndex) {
        this(params, chunkIndex, AccumulateKernel.best());
    }

    ChunkAccumulator(WireParams params, int chunkIndex, AccumulateKernel kernel) {
        this.params = params;
        this.chunkIndex = chunkIndex;
        this.leafCount = params.leavesInChunk(chunkIndex);
        this.coordCount = params.coordsInChunk(chunkIndex);
        this.kernel = kernel;
        this.sums = new long[leafCount * LEAF_COORDS];
    }

    public int chunkIndex() {
        return chunkIndex;
    }

    public long totalWeight() {
        return totalWeight;
    }

    public long contributors() {
        return contributors;
    }

    /** The exact sums in units of 2^expMin, one per real coordinate (a copy). */
    public long[] sums() {
        return Arrays.copyOf(sums, coordCount);
    }

    /** Adds one update's chunk with weight {@code weight} (1 to maxWeight). */
    public void add(DecodedChunk chunk, long weight) {
        addAll(List.of(chunk), new long[] {weight});
    }

    /**
     * Adds several updates' chunks at once: coordinates are visited tile by tile, updates inside
     * a tile, so the accumulator tile stays in cache; updates whose bounds allow it are summed in
     * int32 partials first and flushed into the int64 sums.
     */
    public void addAll(List<DecodedChunk> chunks, long[] weights) {
        if (chunks.size() != weights.length) {
            throw new IllegalArgumentException(chunks.size() + " chunks but " + weights.length + " weights");
        }
        if (contributors + chunks.size() > params.maxContributors()) {
            throw new IllegalStateException("adding " + chunks.size() + " contributors to " + contributors
                    + " exceeds the task's maxContributors " + params.maxContributors()
                    + ", beyond which the accumulator's headroom is not proven");
        }
        int expMin = params.expMin();
        // Group int32-safe updates so each group's partial sums provably fit an int32.
        List<int[]> groups = new ArrayList<>();
        List<Integer> wide = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        long currentBound = 0;
        for (int u = 0; u < chunks.size(); u++) {
            DecodedChunk c = chunks.get(u);
            long w = weights[u];
            if (c.chunkIndex() != chunkIndex || c.leafCount() != leafCount) {
                throw new IllegalArgumentException("chunk " + c.chunkIndex() + " added to the accumulator of chunk "
                        + chunkIndex);
            }
            if (w < 1 || w > params.maxWeight()) {
                throw new IllegalArgumentException("weight " + w + " outside [1, " + params.maxWeight() + "]");
            }
            int shift = c.maxExponent() - expMin;
            // |w * m << shift| <= w * 128 * 2^shift; compare without overflow (w <= 2^63 / 2^(7+45)).
            long bound = shift + 7 + (64 - Long.numberOfLeadingZeros(w)) > 62
                    ? Long.MAX_VALUE : (w * MANTISSA_BOUND) << shift;
            if (bound > INT32_LIMIT) {
                wide.add(u);
                continue;
            }
            if (currentBound + bound > INT32_LIMIT) {
                groups.add(current.stream().mapToInt(Integer::intValue).toArray());
                current = new ArrayList<>();
                currentBound = 0;
            }
            current.add(u);
            currentBound += bound;
        }
        if (!current.isEmpty()) {
            groups.add(current.stream().mapToInt(Integer::intValue).toArray());
        }

        int[] partial = groups.isEmpty() ? null : new int[TILE_LEAVES * LEAF_COORDS];
        for (int tile = 0; tile < leafCount; tile += TILE_LEAVES) {
            int tileLeaves = Math.min(TILE_LEAVES, leafCount - tile);
            int coordOff = tile * LEAF_COORDS;
            for (int[] group : groups) {
                for (int u : group) {
                    DecodedChunk c = chunks.get(u);
                    kernel.addInt32(c.buffer(), c.dataOffset() + tile * LEAF_BYTES, tileLeaves, (int) weights[u],
                            expMin, partial, 0);
                }
                kernel.flush(partial, sums, coordOff, tileLeaves * LEAF_COORDS);
            }
            for (int u : wide) {
                DecodedChunk c = chunks.get(u);
                kernel.addInt64(c.buffer(), c.dataOffset() + tile * LEAF_BYTES, tileLeaves, weights[u], expMin,
                        sums, coordOff);
            }
        }
        for (long w : weights) {
            totalWeight += w;
        }
        contributors += chunks.size();
    }

    /** Adds another partial accumulator of the same chunk into this one. */
    public void merge(ChunkAccumulator other) {
        if (other.chunkIndex != chunkIndex || !other.params.equals(params)) {
            throw new IllegalArgumentException("cannot merge chunk " + other.chunkIndex + " into chunk " + chunkIndex
                    + " or accumulators of different tasks");
        }
        if (contributors + other.contributors > params.maxContributors()) {
            throw new IllegalStateException("merged contributors " + (contributors + other.contributors)
                    + " exceed maxContributors " + params.maxContributors());
        }
        for (int i = 0; i < sums.length; i++) {
            sums[i] += other.sums[i];
        }
        totalWeight += other.totalWeight;
        contributors += other.contributors;
    }

    /**
     * The weighted mean {@code sum / totalWeight} of every real coordinate, in units of 2^expMin,
     * rounded half to even.
     */
    public long[] mean() {
        if (totalWeight == 0) {
            throw new IllegalStateException("no update was added to chunk " + chunkIndex);
        }
        long[] q = new long[coordCount];
        for (int i = 0; i < coordCount; i++) {
            q[i] = divideHalfEven(sums[i], totalWeight);
        }
        return q;
    }

    /**
     * The new model chunk: {@code old[i] + (float) (mean[i] * 2^expMin)}, one float32 addition
     * per coordinate after one rounding of the exact aggregate to float32 (FORMAT.md).
     */
    public float[] applyTo(float[] oldModelChunk) {
        if (oldModelChunk.length != coordCount) {
            throw new IllegalArgumentException("model chunk of " + oldModelChunk.length + " coordinates, chunk "
                    + chunkIndex + " has " + coordCount);
        }
        long[] q = mean();
        float[] out = new float[coordCount];
        for (int i = 0; i < coordCount; i++) {
            out[i] = oldModelChunk[i] + toFloat(q[i], params.expMin());
        }
        return out;
    }

    /** {@code q * 2^expMin} rounded once to float32: q is exact in binary64 (|q| < 2^53) and so is the scaling. */
    public static float toFloat(long q, int expMin) {
        return (float) Math.scalb((double) q, expMin);
    }

    /** {@code n / d} for {@code d > 0}, rounded to the nearest integer, ties to even. */
    static long divideHalfEven(long n, long d) {
        long q = Math.floorDiv(n, d);
        long r = n - q * d; // 0 <= r < d
        long other = d - r;
        if (r > other || (r == other && (q & 1) != 0)) {
            q++;
        }
        return q;
    }
}
