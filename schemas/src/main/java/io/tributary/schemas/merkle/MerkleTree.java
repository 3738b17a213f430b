package io.tributary.schemas.merkle;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A binary SHA-256 Merkle tree over {@code n >= 1} leaf hashes, exactly as the Solidity contracts
 * verify it (FORMAT.md, "Merkle tree"):
 *
 * <ul>
 *   <li>the leaf level is padded to the next power of two with the empty node, 32 zero bytes;
 *   <li>a node is {@code H(0x01 || left || right)}; pairs are combined level by level, so the
 *       padding above level 0 is {@code Z(l+1) = H(0x01 || Z(l) || Z(l))} with {@code Z(0) = 0^32};
 *   <li>the root of a single leaf is its leaf hash.
 * </ul>
 *
 * <p>Only the real nodes are stored (two times the leaf hashes in all); padding nodes are computed
 * once per level. Instances are immutable.
 */
public final class MerkleTree {

    private static final int H = Sha256.HASH_BYTES;
    /** Deep enough for 2^62 leaves; the empty nodes are computed once. */
    private static final byte[][] EMPTY = computeEmptyNodes(63);

    private final int leafCount;
    private final int depth;
    /** levels[l] holds the ceil(n / 2^l) real nodes of level l, 32 bytes each, concatenated. */
    private final byte[][] levels;

    private MerkleTree(int leafCount, byte[][] levels) {
        this.leafCount = leafCount;
        this.depth = levels.length - 1;
        this.levels = levels;
    }

    /**
     * Builds the tree over {@code count} leaf hashes stored back to back in {@code leafHashes}
     * (which is copied).
     */
    public static MerkleTree ofLeafHashes(byte[] leafHashes, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("a Merkle tree needs at least one leaf, got " + count);
        }
        if (leafHashes.length < (long) count * H) {
            throw new IllegalArgumentException("expected " + count + " leaf hashes of 32 bytes, got "
                    + leafHashes.length + " bytes");
        }
        return build(Arrays.copyOf(leafHashes, count * H), count, false, Sha256Engine.fastest());
    }

    /**
     * Hashes {@code count} leaves of {@code leafLen} bytes stored back to back from {@code off}
     * and builds their tree; with {@code parallel}, slices of leaves and of each wide level are
     * hashed on the common fork-join pool (the result is the same). Uses {@link Sha256Engine#fastest()}.
     */
    public static MerkleTree ofLeafBytes(byte[] data, int off, int count, int leafLen, boolean parallel) {
        return ofLeafBytes(data, off, count, leafLen, parallel, Sha256Engine.fastest());
    }

    /** As {@link #ofLeafBytes(byte[], int, int, int, boolean)}, hashing with the given engine. */
    public static MerkleTree ofLeafBytes(byte[] data, int off, int count, int leafLen, boolean parallel,
            Sha256Engine engine) {
        if (count < 1) {
            throw new IllegalArgumentException("a Merkle tree needs at least one leaf, got " + count);
        }
        if (off < 0 || leafLen < 0 || data.length - off < (long) count * leafLen) {
            throw new IllegalArgumentException(count + " leaves of " + leafLen + " bytes do not fit from offset " + off);
        }
        if (!engine.isAvailable()) {
            throw new IllegalArgumentException("hash engine " + engine + " is not available in this JVM");
        }
        byte[] hashes = new byte[count * H];
        if (parallel && count > SLICE) {
            IntStream.range(0, (count + SLICE - 1) / SLICE).parallel().forEach(sl -> {
                int first = sl * SLICE;
                int n = Math.min(count - first, SLICE);
                engine.newBatch().hash(Sha256.LEAF_PREFIX, data, off + first * leafLen, leafLen, leafLen, n,
                        hashes, first * H);
            });
        } else {
            engine.newBatch().hash(Sha256.LEAF_PREFIX, data, off, leafLen, leafLen, count, hashes, 0);
        }
        return build(hashes, count, parallel, engine);
    }

    /**
     * Work unit of the parallel paths, in leaves or parent nodes: a multiple of every vector width,
     * and no smaller than {@code VectorBatch.MIN_MESSAGES}.
     */
    private static final int SLICE = 1024;

    private static MerkleTree build(byte[] leafHashes, int count, boolean parallel, Sha256Engine engine) {
        int depth = depthFor(count);
        byte[][] levels = new byte[depth + 1][];
        levels[0] = leafHashes;
        int n = count;
        Sha256Batch sequential = engine.newBatch();
        for (int l = 0; l < depth; l++) {
            int parents = (n + 1) >>> 1;
            int pairs = n >>> 1; // parents whose two children are real nodes
            byte[] below = levels[l];
            byte[] above = new byte[parents * H];
            // The children of a parent are 64 contiguous bytes: left || right.
            if (parallel && pairs > SLICE) {
                IntStream.range(0, (pairs + SLICE - 1) / SLICE).parallel().forEach(sl -> {
                    int first = sl * SLICE;
                    engine.newBatch().hash(Sha256.NODE_PREFIX, below, first * 2 * H, 2 * H, 2 * H,
                            Math.min(pairs - first, SLICE), above, first * H);
                });
            } else {
                sequential.hash(Sha256.NODE_PREFIX, below, 0, 2 * H, 2 * H, pairs, above, 0);
            }
            if (pairs < parents) { // an odd last node: its right sibling is padding
                new Sha256().nodeHash(below, 2 * pairs * H, EMPTY[l], 0, above, pairs * H);
            }
            levels[l + 1] = above;
            n = parents;
        }
        return new MerkleTree(count, levels);
    }

    /** Builds the tree over the given leaves' byte strings, hashing each as {@code H(0x00 || leaf)}. */
    public static MerkleTree ofLeaves(List<byte[]> leaves) {
        Sha256 sha = new Sha256();
        byte[] hashes = new byte[leaves.size() * H];
        for (int i = 0; i < leaves.size(); i++) {
            byte[] leaf = leaves.get(i);
            sha.leafHash(leaf, 0, leaf.length, hashes, i * H);
        }
        return ofLeafHashes(hashes, leaves.size());
    }

    /**
     * Root of the tree of height {@code height} whose first {@code count} leaves are the given
     * hashes and whose other {@code 2^height - count} leaves are empty: the root of a chunk's
     * subtree, or of a whole update when {@code height == depthFor(count)}.
     */
    public static byte[] paddedRoot(byte[] leafHashes, int count, int height) {
        int depth = depthFor(count);
        if (height < depth) {
            throw new IllegalArgumentException(count + " leaves do not fit a tree of height " + height);
        }
        byte[] h = ofLeafHashes(leafHashes, count).root();
        Sha256 sha = new Sha256();
        for (int l = depth; l < height; l++) {
            sha.nodeHash(h, 0, EMPTY[l], 0, h, 0);
        }
        return h;
    }

    /** Number of levels above the leaves: {@code ceil(log2(n))}, 0 for one leaf. */
    public static int depthFor(long leafCount) {
        if (leafCount < 1) {
            throw new IllegalArgumentException("leaf count must be >= 1, got " + leafCount);
        }
        return 64 - Long.numberOfLeadingZeros(leafCount - 1);
    }

    /** The padding node of a level: 32 zero bytes at level 0, {@code H(0x01||Z||Z)} above (a copy). */
    public static byte[] emptyNode(int level) {
        return EMPTY[level].clone();
    }

    public int leafCount() {
        return leafCount;
    }

    public int depth() {
        return depth;
    }

    public byte[] root() {
        return Arrays.copyOfRange(levels[depth], 0, H);
    }

    /** The node at {@code level} and {@code index}; the empty node where the padding lies. */
    public byte[] node(int level, long index) {
        if (level < 0 || level > depth) {
            throw new IllegalArgumentException("level " + level + " outside [0, " + depth + "]");
        }
        long width = 1L << (depth - level);
        if (index < 0 || index >= width) {
            throw new IllegalArgumentException("index " + index + " outside level " + level + " of width " + width);
        }
        byte[] lv = levels[level];
        if (index * H >= lv.length) {
            return emptyNode(level);
        }
        int off = (int) index * H;
        return Arrays.copyOfRange(lv, off, off + H);
    }

    /** Proof of leaf {@code index}: sibling hashes bottom-up ({@link #depth()} of them). */
    public byte[][] proof(int index) {
        if (index < 0 || index >= leafCount) {
            throw new IllegalArgumentException("leaf index " + index + " outside [0, " + leafCount + ")");
        }
        return subtreeProof(0, index);
    }

    /**
     * Proof of the subtree rooted at node ({@code level}, {@code index}): the {@code depth - level}
     * siblings above it, bottom-up. A chunk of 2^k leaves is the subtree at level {@code min(k, depth)}.
     */
    public byte[][] subtreeProof(int level, long index) {
        node(level, index); // validates
        byte[][] siblings = new byte[depth - level][];
        long i = index;
        for (int l = level; l < depth; l++) {
            siblings[l - level] = node(l, i ^ 1);
            i >>>= 1;
        }
        return siblings;
    }

    /**
     * Verifies that {@code nodeHash} sits at position {@code index} of its level under {@code root}:
     * for each sibling s, {@code h = (index & 1) == 0 ? H(0x01||h||s) : H(0x01||s||h)}, {@code index >>= 1};
     * accepts iff {@code h == root} and {@code index == 0} at the end.
     */
    public static boolean verify(byte[] nodeHash, long index, byte[][] siblings, byte[] root) {
        if (nodeHash == null || nodeHash.length != H || root == null || root.length != H
                || siblings == null || index < 0) {
            return false;
        }
        Sha256 sha = new Sha256();
        byte[] h = nodeHash.clone();
        long i = index;
        for (byte[] s : siblings) {
            if (s == null || s.length != H) {
                return false;
            }
            if ((i & 1) == 0) {
                sha.nodeHash(h, 0, s, 0, h, 0);
            } else {
                sha.nodeHash(s, 0, h, 0, h, 0);
            }
            i >>>= 1;
        }
        return i == 0 && Arrays.equals(h, root);
    }

    private static byte[][] computeEmptyNodes(int levels) {
        Sha256 sha = new Sha256();
        byte[][] z = new byte[levels + 1][];
        z[0] = new byte[H];
        for (int l = 1; l <= levels; l++) {
            z[l] = sha.nodeHash(z[l - 1], z[l - 1]);
        }
        return z;
    }
}
