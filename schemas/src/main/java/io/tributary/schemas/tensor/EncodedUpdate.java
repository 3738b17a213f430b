package io.tributary.schemas.tensor;

import io.tributary.schemas.merkle.MerkleTree;
import java.util.List;

/**
 * One worker's encoded update: its Merkle tree (whose root the worker reveals on-chain), the leaf
 * bytes and the Arrow IPC chunks to publish on {@code updates.chunks}, in chunk-index order.
 */
public final class EncodedUpdate {

    private final MerkleTree tree;
    private final byte[] leafBytes;
    private final List<byte[]> chunks;

    EncodedUpdate(MerkleTree tree, byte[] leafBytes, List<byte[]> chunks) {
        this.tree = tree;
        this.leafBytes = leafBytes;
        this.chunks = List.copyOf(chunks);
    }

    public byte[] root() {
        return tree.root();
    }

    public MerkleTree tree() {
        return tree;
    }

    /** All leaves back to back, 66 bytes each (not copied: do not modify). */
    public byte[] leafBytes() {
        return leafBytes;
    }

    /** The chunks' Arrow IPC stream bytes (not copied: do not modify). */
    public List<byte[]> chunks() {
        return chunks;
    }
}
