package io.tributary.schemas.merkle;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One worker's share of a round, as a leaf of the round's contributions tree (DESIGN decision 5).
 * Leaf bytes (68): {@code chainId (uint64 BE) || worker (20 bytes) || updateRoot (32 bytes) ||
 * weight (uint64 BE)}; the leaf hash is {@code H(0x00 || leafBytes)} like every other leaf.
 *
 * <p>{@code chainId} and {@code weight} are unsigned 64-bit values carried in a Java {@code long}.
 */
public final class Contribution {

    public static final int ADDRESS_BYTES = 20;
    public static final int LEAF_BYTES = 8 + ADDRESS_BYTES + Sha256.HASH_BYTES + 8;

    private final long chainId;
    private final byte[] worker;
    private final byte[] updateRoot;
    private final long weight;

    public Contribution(long chainId, byte[] worker, byte[] updateRoot, long weight) {
        if (worker == null || worker.length != ADDRESS_BYTES) {
            throw new IllegalArgumentException("worker must be a 20-byte address, got "
                    + (worker == null ? "null" : worker.length + " bytes"));
        }
        if (updateRoot == null || updateRoot.length != Sha256.HASH_BYTES) {
            throw new IllegalArgumentException("updateRoot must be 32 bytes, got "
                    + (updateRoot == null ? "null" : updateRoot.length + " bytes"));
        }
        this.chainId = chainId;
        this.worker = worker.clone();
        this.updateRoot = updateRoot.clone();
        this.weight = weight;
    }

    public long chainId() {
        return chainId;
    }

    public byte[] worker() {
        return worker.clone();
    }

    public byte[] updateRoot() {
        return updateRoot.clone();
    }

    public long weight() {
        return weight;
    }

    /** The 68 leaf bytes, in the order the contracts hash them. */
    public byte[] leafBytes() {
        return ByteBuffer.allocate(LEAF_BYTES)
                .putLong(chainId)
                .put(worker)
                .put(updateRoot)
                .putLong(weight)
                .array();
    }

    /** The contributions tree of a round: leaf i is {@code contributions.get(i)}. */
    public static MerkleTree tree(java.util.List<Contribution> contributions) {
        return MerkleTree.ofLeaves(contributions.stream().map(Contribution::leafBytes).toList());
    }

    /** {@code H(0x00 || leafBytes())}. */
    public byte[] leafHash() {
        return new Sha256().leafHash(leafBytes());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Contribution c
                && c.chainId == chainId
                && c.weight == weight
                && Arrays.equals(c.worker, worker)
                && Arrays.equals(c.updateRoot, updateRoot);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(chainId) + Arrays.hashCode(worker)) + Arrays.hashCode(updateRoot)
                + Long.hashCode(weight);
    }

    @Override
    public String toString() {
        HexFormat hex = HexFormat.of();
        return "Contribution{chainId=" + Long.toUnsignedString(chainId)
                + ", worker=0x" + hex.formatHex(worker)
                + ", updateRoot=0x" + hex.formatHex(updateRoot)
                + ", weight=" + Long.toUnsignedString(weight) + '}';
    }
}
