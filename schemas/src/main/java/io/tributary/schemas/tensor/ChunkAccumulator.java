package io.tributary.schemas.tensor;

import static io.tributary.schemas.tensor.WireParams.LEAF_BYTES;
import static io.tributary.schemas.tensor.WireParams.LEAF_COORDS;
import static io.tributary.schemas.tensor.WireParams.MANTISSA_BOUND;

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
    static final int TILE_LEAVES = 512;
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

    /**
     * Rebuilds an accumulator from its exact state, as returned by {@link #sums()},
     * {@link #totalWeight()} and {@link #contributors()} (for example after it was kept in a
     * stream processor's checkpointed state). The result is indistinguishable from the original:
     * further adds, merges and means give the same bits.
     *
     * @throws IllegalArgumentException if the state cannot belong to chunk {@code chunkIndex} of
     *     a task with these parameters
     */
    public static ChunkAccumulator restore(WireParams params, int chunkIndex, long[] sums, long totalWeight,
                                           long contributors) {
        ChunkAccumulator acc = new ChunkAccumulator(params, chunkIndex);
        if (sums.length != acc.coordCount) {
            throw new IllegalArgumentException(sums.length + " sums for chunk " + chunkIndex + " of "
                    + acc.coordCount + " coordinates");
        }
        if (contributors < 0 || contributors > params.maxContributors() || totalWeight < contributors
                || totalWeight > contributors * params.maxWeight()) {
            throw new IllegalArgumentException("state of " + contributors + " contributors with total weight "
                    + totalWeight + " is impossible under " + params);
        }
        System.arraycopy(sums, 0, acc.sums, 0, sums.length);
        acc.totalWeight = totalWeight;
        acc.contributors = contributors;
        return acc;
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

    /**
     * Adds one update's chunk with weight {@code weight} (1 to maxWeight).
     *
     * @throws ChunkRejectedException if the chunk was decoded with
     *     {@link ChunkDecoder.Verification#FRAMING} and its leaves fail the exponent or padding
     *     check; the accumulator is then unchanged
     */
    public void add(DecodedChunk chunk, long weight) throws ChunkRejectedException {
        addAll(List.of(chunk), new long[] {weight});
    }

    /**
     * Adds several updates' chunks at once. Coordinates are visited tile by tile and updates
     * inside a tile, so the accumulator tile stays in cache. Inside a tile, each update's leaves
     * are checked (if the decoder did not) and its largest exponent bounds its contribution;
     * updates are summed in int32 partials while the sum of those bounds provably fits an int32,
     * then flushed into the int64 sums; an update whose bound alone does not fit goes straight to
     * int64.
     *
     * @throws ChunkRejectedException if a chunk decoded with {@link ChunkDecoder.Verification#FRAMING}
     *     fails the exponent or padding check; nothing of this call is then added
     */
    public void addAll(List<DecodedChunk> chunks, long[] weights) throws ChunkRejectedException {
        if (chunks.size() != weights.length) {
            throw new IllegalArgumentException(chunks.size() + " chunks but " + weights.length + " weights");
        }
        if (contributors + chunks.size() > params.maxContributors()) {
            throw new IllegalStateException("adding " + chunks.size() + " contributors to " + contributors
                    + " exceeds the task's maxContributors " + params.maxContributors()
                    + ", beyond which the accumulator's headroom is not proven");
        }
        boolean anyUnchecked = false;
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
            anyUnchecked |= !c.leavesChecked();
        }
        // A failed check restores the sums: from a copy, or by zeroing an accumulator that was empty.
        long[] snapshot = anyUnchecked && contributors > 0 ? sums.clone() : null;
        try {
            accumulate(chunks, weights);
        } catch (ChunkRejectedException e) {
            if (snapshot != null) {
                System.arraycopy(snapshot, 0, sums, 0, sums.length);
            } else {
                Arrays.fill(sums, 0L);
            }
            throw e;
        }
        for (long w : weights) {
            totalWeight += w;
        }
        contributors += chunks.size();
    }

    private void accumulate(List<DecodedChunk> chunks, long[] weights) throws ChunkRejectedException {
        int expMin = params.expMin();
        int expMax = params.expMax();
        int[] partial = new int[TILE_LEAVES * LEAF_COORDS];
        for (int tile = 0; tile < leafCount; tile += TILE_LEAVES) {
            int tileLeaves = Math.min(TILE_LEAVES, leafCount - tile);
            int coordOff = tile * LEAF_COORDS;
            int tileCoords = tileLeaves * LEAF_COORDS;
            boolean lastTile = tile + tileLeaves == leafCount;
            long groupBound = 0;
            for (int u = 0; u < chunks.size(); u++) {
                DecodedChunk c = chunks.get(u);
                byte[] data = c.buffer();
                int off = c.dataOffset() + tile * LEAF_BYTES;
                long w = weights[u];
                if (lastTile && !c.leavesChecked() && coordCount < leafCount * LEAF_COORDS) {
                    LeafChecks.checkLeaves(params, data, c.dataOffset(), leafCount - 1, 1, leafCount, coordCount);
                }
                int knownMax = c.leavesChecked() ? c.maxExponent() : expMin;
                if (contributionBound(w, knownMax - expMin) > INT32_LIMIT) {
                    // Even alone (at its known or smallest possible exponent) it might not fit an
                    // int32 partial: straight to int64.
                    reject(kernel.addInt64(data, off, tileLeaves, w, expMin, expMax, sums, coordOff), c);
                    continue;
                }
                if (u + 1 < chunks.size()) {
                    // Software prefetch: one load per cache line of the next update's tile puts many
                    // memory reads in flight at once (the kernel alone streams ~35% slower here).
                    DecodedChunk next = chunks.get(u + 1);
                    touchSink += touch(next.buffer(), next.dataOffset() + tile * LEAF_BYTES, tileLeaves * LEAF_BYTES);
                }
                // Add speculatively, then size the contribution with the tile's real largest exponent.
                int seen = kernel.addInt32(data, off, tileLeaves, (int) w, expMin, expMax, partial, 0);
                reject(seen, c);
                long bound = contributionBound(w, seen - expMin);
                if (bound > INT32_LIMIT) {
                    // Undo (exact: wrapping arithmetic is exact modulo 2^32) and add in int64 instead.
                    kernel.addInt32(data, off, tileLeaves, (int) -w, expMin, expMax, partial, 0);
                    kernel.addInt64(data, off, tileLeaves, w, expMin, expMax, sums, coordOff);
                    continue;
                }
                if (groupBound + bound > INT32_LIMIT) {
                    // Undo, flush the group, start a new one with u.
                    kernel.addInt32(data, off, tileLeaves, (int) -w, expMin, expMax, partial, 0);
                    kernel.flush(partial, sums, coordOff, tileCoords);
                    kernel.addInt32(data, off, tileLeaves, (int) w, expMin, expMax, partial, 0);
                    groupBound = 0;
                }
                groupBound += bound;
            }
            if (groupBound > 0) {
                kernel.flush(partial, sums, coordOff, tileCoords);
            }
        }
    }

    /** Keeps the prefetch loads observable so the JIT cannot drop them. */
    private int touchSink;

    private static int touch(byte[] b, int off, int len) {
        int x = 0;
        for (int i = 0; i < len; i += 64) {
            x += b[off + i];
        }
        return x;
    }

    private static void reject(int seen, DecodedChunk c) throws ChunkRejectedException {
        if (seen == AccumulateKernel.BAD_EXPONENT) {
            throw new ChunkRejectedException(RejectReason.EXPONENT_OUT_OF_RANGE, "chunk " + c.chunkIndex()
                    + " has a block exponent outside the task's range");
        }
    }

    /** {@code w * 128 * 2^shift}, or Long.MAX_VALUE where that would not fit 63 bits. */
    static long contributionBound(long w, int shift) {
        int bits = 64 - Long.numberOfLeadingZeros(w);
        return bits + 7 + shift > 62 ? Long.MAX_VALUE : (w * MANTISSA_BOUND) << shift;
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
