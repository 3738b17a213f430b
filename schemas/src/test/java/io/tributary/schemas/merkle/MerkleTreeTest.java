package io.tributary.schemas.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Test vectors (computed independently with Python's hashlib, listed in FORMAT.md) and properties. */
class MerkleTreeTest {

    private static final HexFormat HEX = HexFormat.of();

    private static List<byte[]> oneByteLeaves(int n) {
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            leaves.add(new byte[] {(byte) i});
        }
        return leaves;
    }

    @Test
    void shouldMatchPublishedTestVectorsWhenLeavesAreSingleBytes() {
        assertThat(HEX.formatHex(new Sha256().leafHash(new byte[] {0})))
                .isEqualTo("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
        assertThat(HEX.formatHex(MerkleTree.ofLeaves(oneByteLeaves(1)).root()))
                .isEqualTo("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
        assertThat(HEX.formatHex(MerkleTree.ofLeaves(oneByteLeaves(2)).root()))
                .isEqualTo("a20bf9a7cc2dc8a08f5f415a71b19f6ac427bab54d24eec868b5d3103449953a");
        assertThat(HEX.formatHex(MerkleTree.ofLeaves(oneByteLeaves(3)).root()))
                .isEqualTo("fd5115d5f5dadb69e54a181704266b885fe1d67071f8a19fd36f1378f8404e7e");
        assertThat(HEX.formatHex(MerkleTree.ofLeaves(oneByteLeaves(5)).root()))
                .isEqualTo("295a26fc71a0d56e25a91f2538457f33c4d0466c12a07e2c7a0c215d36627d21");
    }

    @Test
    void shouldPadWithZeroLeavesAndHashedEmptyNodesAbove() {
        assertThat(MerkleTree.emptyNode(0)).isEqualTo(new byte[32]);
        assertThat(HEX.formatHex(MerkleTree.emptyNode(1)))
                .isEqualTo("ae0798d0ecaed2b778eddebf18f071a561c53658c05e76cedecc27cafbdbc577");
        assertThat(HEX.formatHex(MerkleTree.emptyNode(2)))
                .isEqualTo("90534fe0aff6db9edb29eee74e78a386916a581c8e6465349493e1a6c87241e1");
        byte[][] proof = MerkleTree.ofLeaves(oneByteLeaves(5)).proof(4);
        assertThat(proof).hasNumberOfRows(3);
        assertThat(HEX.formatHex(proof[0])).isEqualTo("00".repeat(32));
        assertThat(HEX.formatHex(proof[1]))
                .isEqualTo("ae0798d0ecaed2b778eddebf18f071a561c53658c05e76cedecc27cafbdbc577");
        assertThat(HEX.formatHex(proof[2]))
                .isEqualTo("9bcd51240af4005168f033121ba85be5a6ed4f0e6a5fac262066729b8fbfdecb");
    }

    @Test
    void shouldVerifyEveryLeafProofWhenTreeIsBuilt() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int n = 1; n <= 70; n++) {
            List<byte[]> leaves = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] leaf = new byte[1 + rnd.nextInt(80)];
                rnd.nextBytes(leaf);
                leaves.add(leaf);
            }
            MerkleTree tree = MerkleTree.ofLeaves(leaves);
            assertThat(tree.depth()).isEqualTo(MerkleTree.depthFor(n));
            for (int i = 0; i < n; i++) {
                byte[] leafHash = new Sha256().leafHash(leaves.get(i));
                assertThat(MerkleTree.verify(leafHash, i, tree.proof(i), tree.root()))
                        .as("leaf %d of %d", i, n).isTrue();
            }
        }
    }

    @Test
    void shouldRejectProofWhenAnythingIsTampered() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int round = 0; round < 200; round++) {
            int n = 2 + rnd.nextInt(40);
            MerkleTree tree = MerkleTree.ofLeaves(oneByteLeaves(n));
            int i = rnd.nextInt(n);
            byte[] leafHash = new Sha256().leafHash(new byte[] {(byte) i});
            byte[][] proof = tree.proof(i);
            byte[] root = tree.root();
            assertThat(MerkleTree.verify(leafHash, i, proof, root)).isTrue();

            byte[][] badSibling = deepCopy(proof);
            int s = rnd.nextInt(badSibling.length);
            badSibling[s][rnd.nextInt(32)] ^= (byte) (1 << rnd.nextInt(8));
            assertThat(MerkleTree.verify(leafHash, i, badSibling, root)).isFalse();

            byte[] badLeaf = leafHash.clone();
            badLeaf[rnd.nextInt(32)] ^= 1;
            assertThat(MerkleTree.verify(badLeaf, i, proof, root)).isFalse();

            byte[] badRoot = root.clone();
            badRoot[rnd.nextInt(32)] ^= (byte) 0x80;
            assertThat(MerkleTree.verify(leafHash, i, proof, badRoot)).isFalse();

            int otherIndex = (i + 1 + rnd.nextInt(n - 1)) % n;
            assertThat(MerkleTree.verify(leafHash, otherIndex, proof, root)).isFalse();
            // An index with bits above the proof's height must not verify either.
            assertThat(MerkleTree.verify(leafHash, i + (1L << proof.length), proof, root)).isFalse();

            byte[][] shorter = new byte[proof.length - 1][];
            System.arraycopy(proof, 0, shorter, 0, shorter.length);
            assertThat(MerkleTree.verify(leafHash, i, shorter, root)).isFalse();
        }
    }

    @Test
    void shouldProveSubtreesAgainstTheRootWhenChunksAreSubtrees() {
        int n = 37;
        MerkleTree tree = MerkleTree.ofLeaves(oneByteLeaves(n));
        for (int level = 0; level <= tree.depth(); level++) {
            for (long idx = 0; idx < (1L << (tree.depth() - level)); idx++) {
                assertThat(MerkleTree.verify(tree.node(level, idx), idx, tree.subtreeProof(level, idx), tree.root()))
                        .isTrue();
            }
        }
        // The last, short subtree of height 3 holds leaves 32..36 padded to 8.
        byte[] hashes = new byte[5 * 32];
        for (int i = 0; i < 5; i++) {
            System.arraycopy(new Sha256().leafHash(new byte[] {(byte) (32 + i)}), 0, hashes, i * 32, 32);
        }
        assertThat(MerkleTree.paddedRoot(hashes, 5, 3)).isEqualTo(tree.node(3, 4));
    }

    @Test
    void shouldBuildTheSameTreeFromLeafBytesSequentiallyAndInParallel() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int n : new int[] {1, 2, 1023, 1024, 1025, 5000}) {
            byte[] data = new byte[n * 66 + 10];
            rnd.nextBytes(data);
            List<byte[]> leaves = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                leaves.add(java.util.Arrays.copyOfRange(data, 10 + i * 66, 10 + (i + 1) * 66));
            }
            byte[] expected = MerkleTree.ofLeaves(leaves).root();
            assertThat(MerkleTree.ofLeafBytes(data, 10, n, 66, false).root()).isEqualTo(expected);
            MerkleTree parallel = MerkleTree.ofLeafBytes(data, 10, n, 66, true);
            assertThat(parallel.root()).isEqualTo(expected);
            assertThat(MerkleTree.verify(new Sha256().leafHash(leaves.get(n - 1)), n - 1, parallel.proof(n - 1),
                    expected)).isTrue();
        }
    }

    @Test
    void shouldRefuseEmptyTrees() {
        assertThatThrownBy(() -> MerkleTree.ofLeafHashes(new byte[0], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one leaf");
    }

    private static byte[][] deepCopy(byte[][] a) {
        byte[][] c = new byte[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}
