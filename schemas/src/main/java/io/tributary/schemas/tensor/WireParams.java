package io.tributary.schemas.tensor;

import io.tributary.schemas.merkle.MerkleTree;
import java.math.BigInteger;
import java.util.Objects;

/**
 * The parameters of one task's tensor wire format, version {@value #FORMAT_VERSION} (FORMAT.md).
 * Immutable; built with {@link #builder()}, whose {@code build()} refuses nonsense with a message
 * that says what is wrong, including the accumulator headroom check of DESIGN decision 1: with
 * these parameters no exact weighted sum can overflow int64, or the parameters are refused.
 */
public final class WireParams {

    /** The only format version this code reads and writes. */
    public static final int FORMAT_VERSION = 1;
    /** Coordinates per Merkle leaf. */
    public static final int LEAF_COORDS = 64;
    /** Coordinates sharing one exponent. */
    public static final int BLOCK_COORDS = 32;
    /** Blocks per leaf. */
    public static final int BLOCKS_PER_LEAF = LEAF_COORDS / BLOCK_COORDS;
    /** Bytes of one leaf: 2 exponent bytes then 64 mantissa bytes. */
    public static final int LEAF_BYTES = BLOCKS_PER_LEAF + LEAF_COORDS;
    /** Largest mantissa magnitude an encoder writes. */
    public static final int MANTISSA_MAX = 127;
    /**
     * Largest mantissa magnitude the headroom proof allows for (an int8 can hold -128; the decoder
     * rejects it under full verification, but the accumulator stays exact even if one slips through).
     */
    public static final int MANTISSA_BOUND = 128;
    /** Default log2 of leaves per chunk: 1024 leaves = 65,536 coordinates. */
    public static final int DEFAULT_CHUNK_LEAVES_LOG2 = 10;
    /** Largest allowed log2 of leaves per chunk (a chunk stays under ~70 MB). */
    public static final int MAX_CHUNK_LEAVES_LOG2 = 20;
    /** Largest exponent whose block values still fit a float32 (127 * 2^120 < 2^127). */
    public static final int EXP_MAX_LIMIT = 120;
    /** Smallest exponent: int8 minimum; 127 * 2^-128 is still exact as a float32 subnormal. */
    public static final int EXP_MIN_LIMIT = -128;
    /** Largest exponent span: keeps every mean below 2^53 so it is exact as a binary64. */
    public static final int MAX_EXP_SPAN = 45;

    private final int dimension;
    private final int chunkLeavesLog2;
    private final int expMin;
    private final int expMax;
    private final double l2Bound;
    private final long maxWeight;
    private final long maxContributors;

    private final int totalLeaves;
    private final int chunkCount;
    private final int treeDepth;

    private WireParams(Builder b) {
        this.dimension = b.dimension;
        this.chunkLeavesLog2 = b.chunkLeavesLog2;
        this.expMin = b.expMin;
        this.expMax = b.expMax;
        this.l2Bound = b.l2Bound;
        this.maxWeight = b.maxWeight;
        this.maxContributors = b.maxContributors;
        this.totalLeaves = (int) ((dimension + (long) LEAF_COORDS - 1) / LEAF_COORDS);
        this.chunkCount = (int) ((totalLeaves + (1L << chunkLeavesLog2) - 1) >>> chunkLeavesLog2);
        this.treeDepth = MerkleTree.depthFor(totalLeaves);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder preloaded with these parameters. */
    public Builder toBuilder() {
        return new Builder()
                .dimension(dimension)
                .chunkLeavesLog2(chunkLeavesLog2)
                .exponentRange(expMin, expMax)
                .l2Bound(l2Bound)
                .maxWeight(maxWeight)
                .maxContributors(maxContributors);
    }

    /** Number of float32 coordinates of the model (the flattened tensor). */
    public int dimension() {
        return dimension;
    }

    /** log2 of the number of leaves in a (non-final) chunk. */
    public int chunkLeavesLog2() {
        return chunkLeavesLog2;
    }

    public int chunkLeaves() {
        return 1 << chunkLeavesLog2;
    }

    public int expMin() {
        return expMin;
    }

    public int expMax() {
        return expMax;
    }

    /** L2 bound an update is clipped to before encoding. */
    public double l2Bound() {
        return l2Bound;
    }

    public long maxWeight() {
        return maxWeight;
    }

    public long maxContributors() {
        return maxContributors;
    }

    /** {@code ceil(dimension / 64)}. */
    public int totalLeaves() {
        return totalLeaves;
    }

    public int chunkCount() {
        return chunkCount;
    }

    /** Levels above the leaves in the update tree. */
    public int treeDepth() {
        return treeDepth;
    }

    /** Level of a chunk's subtree root: {@code min(k, depth)}. */
    public int chunkLevel() {
        return Math.min(chunkLeavesLog2, treeDepth);
    }

    /** Leaves in chunk {@code c}: 2^k, except the last, which may be short. */
    public int leavesInChunk(int chunkIndex) {
        if (chunkIndex < 0 || chunkIndex >= chunkCount) {
            throw new IllegalArgumentException("chunk " + chunkIndex + " outside [0, " + chunkCount + ")");
        }
        long first = (long) chunkIndex << chunkLeavesLog2;
        return (int) Math.min(1L << chunkLeavesLog2, totalLeaves - first);
    }

    /** Real (unpadded) coordinates in chunk {@code c}. */
    public int coordsInChunk(int chunkIndex) {
        long firstCoord = ((long) chunkIndex << chunkLeavesLog2) * LEAF_COORDS;
        return (int) Math.min((long) leavesInChunk(chunkIndex) * LEAF_COORDS, dimension - firstCoord);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WireParams p
                && p.dimension == dimension
                && p.chunkLeavesLog2 == chunkLeavesLog2
                && p.expMin == expMin
                && p.expMax == expMax
                && Double.compare(p.l2Bound, l2Bound) == 0
                && p.maxWeight == maxWeight
                && p.maxContributors == maxContributors;
    }

    @Override
    public int hashCode() {
        return Objects.hash(dimension, chunkLeavesLog2, expMin, expMax, l2Bound, maxWeight, maxContributors);
    }

    @Override
    public String toString() {
        return "WireParams{v" + FORMAT_VERSION + ", dimension=" + dimension + ", chunkLeavesLog2=" + chunkLeavesLog2
                + ", exp=[" + expMin + ", " + expMax + "], l2Bound=" + l2Bound + ", maxWeight=" + maxWeight
                + ", maxContributors=" + maxContributors + '}';
    }

    /** Collects parameters; {@link #build()} validates them all at once. */
    public static final class Builder {
        private int dimension = -1;
        private int chunkLeavesLog2 = DEFAULT_CHUNK_LEAVES_LOG2;
        private int expMin = Integer.MIN_VALUE;
        private int expMax = Integer.MIN_VALUE;
        private double l2Bound = Double.NaN;
        private long maxWeight = -1;
        private long maxContributors = -1;

        private Builder() {}

        public Builder dimension(int dimension) {
            this.dimension = dimension;
            return this;
        }

        public Builder chunkLeavesLog2(int k) {
            this.chunkLeavesLog2 = k;
            return this;
        }

        public Builder exponentRange(int expMin, int expMax) {
            this.expMin = expMin;
            this.expMax = expMax;
            return this;
        }

        public Builder l2Bound(double l2Bound) {
            this.l2Bound = l2Bound;
            return this;
        }

        public Builder maxWeight(long maxWeight) {
            this.maxWeight = maxWeight;
            return this;
        }

        public Builder maxContributors(long maxContributors) {
            this.maxContributors = maxContributors;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the first parameter that is missing or wrong
         */
        public WireParams build() {
            require(dimension >= 1, "dimension must be >= 1 coordinate, got " + dimension);
            require(chunkLeavesLog2 >= 0 && chunkLeavesLog2 <= MAX_CHUNK_LEAVES_LOG2,
                    "chunkLeavesLog2 must be in [0, " + MAX_CHUNK_LEAVES_LOG2 + "], got " + chunkLeavesLog2);
            require(expMin != Integer.MIN_VALUE, "exponentRange(expMin, expMax) is required");
            require(expMin >= EXP_MIN_LIMIT && expMax <= EXP_MAX_LIMIT,
                    "exponent range [" + expMin + ", " + expMax + "] must lie within [" + EXP_MIN_LIMIT + ", "
                            + EXP_MAX_LIMIT + "]");
            require(expMin <= expMax, "expMin " + expMin + " is greater than expMax " + expMax);
            require(expMax - expMin <= MAX_EXP_SPAN, "exponent span expMax - expMin = " + (expMax - expMin)
                    + " exceeds " + MAX_EXP_SPAN + " (means must stay exact in binary64)");
            require(!Double.isNaN(l2Bound), "l2Bound is required");
            double largest = Math.scalb((double) MANTISSA_MAX, expMax);
            require(l2Bound > 0 && l2Bound <= largest, "l2Bound must be in (0, 127 * 2^expMax = " + largest
                    + "], got " + l2Bound + " (a clipped coordinate must fit the largest block)");
            require(maxWeight >= 1, "maxWeight must be >= 1, got " + maxWeight);
            require(maxContributors >= 1, "maxContributors must be >= 1, got " + maxContributors);
            // Headroom (DESIGN decision 1): |sum| <= contributors * weight * 128 * 2^(expMax-expMin).
            BigInteger worst = BigInteger.valueOf(maxContributors)
                    .multiply(BigInteger.valueOf(maxWeight))
                    .multiply(BigInteger.valueOf(MANTISSA_BOUND))
                    .shiftLeft(expMax - expMin);
            require(worst.compareTo(BigInteger.valueOf(Long.MAX_VALUE)) <= 0,
                    "accumulator headroom: maxContributors (" + maxContributors + ") * maxWeight (" + maxWeight
                            + ") * 128 * 2^(expMax - expMin = " + (expMax - expMin) + ") = " + worst
                            + " exceeds int64 max " + Long.MAX_VALUE
                            + "; lower the weights, the contributors or the exponent span");
            return new WireParams(this);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException("invalid wire parameters: " + message);
            }
        }
    }
}
