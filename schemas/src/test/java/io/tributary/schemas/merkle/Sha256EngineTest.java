package io.tributary.schemas.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Every engine must give the bytes of the JDK's {@code MessageDigest} SHA-256, for any length and count. */
class Sha256EngineTest {

    private static byte[] reference(byte prefix, byte[] src, int off, int len) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(prefix);
        md.update(src, off, len);
        return md.digest();
    }

    @Test
    void shouldOfferTheVectorEngineWhenTheIncubatorModuleIsAdded() {
        // The build adds jdk.incubator.vector to every test JVM; every x86-64 CPU with AVX2 has 8+ int lanes.
        assertThat(Sha256Engine.VECTOR.isAvailable()).as("Vector API engine available").isTrue();
        assertThat(Sha256Engine.fastest())
                .isEqualTo(VectorBatch.LANES >= 16 ? Sha256Engine.VECTOR : Sha256Engine.MESSAGE_DIGEST);
        assertThat(Sha256Engine.MESSAGE_DIGEST.isAvailable()).isTrue();
    }

    @Test
    void shouldMatchMessageDigestForEveryLengthAndCountWhenHashingBatches() throws Exception {
        SplittableRandom rnd = new SplittableRandom(42);
        Map<String, Sha256Batch> batches = new LinkedHashMap<>();
        batches.put("MESSAGE_DIGEST", Sha256Engine.MESSAGE_DIGEST.newBatch());
        // Every count in lanes, and as the engine makes it: small counts on the digest.
        batches.put("VECTOR lanes", new VectorBatch(MessageDigestBatch::new, 0));
        batches.put("VECTOR", Sha256Engine.VECTOR.newBatch());
        int min = VectorBatch.MIN_MESSAGES;
        for (Map.Entry<String, Sha256Batch> entry : batches.entrySet()) {
            String engine = entry.getKey();
            Sha256Batch batch = entry.getValue();
            for (int len = 0; len <= 200; len++) {
                // Counts around one and two vectors of 8 and 16 lanes and around the engine's
                // threshold, plus a random one.
                for (int count : new int[] {1, 7, 8, 9, 15, 16, 17, 33, min - 1, min + 17, 1 + rnd.nextInt(70)}) {
                    byte prefix = (byte) rnd.nextInt(256);
                    int stride = len + rnd.nextInt(3);
                    int off = rnd.nextInt(5);
                    byte[] src = new byte[off + count * stride + rnd.nextInt(3)];
                    rnd.nextBytes(src);
                    int outOff = rnd.nextInt(4);
                    byte[] out = new byte[outOff + 32 * count];
                    batch.hash(prefix, src, off, len, stride, count, out, outOff);
                    for (int i = 0; i < count; i++) {
                        assertThat(Arrays.copyOfRange(out, outOff + 32 * i, outOff + 32 * i + 32))
                                .as("%s len %d count %d message %d", engine, len, count, i)
                                .isEqualTo(reference(prefix, src, off + i * stride, len));
                    }
                }
            }
        }
    }

    @Test
    void shouldBuildTheSameTreeWithEveryEngineForAllSizesUpTo300AndAroundTheVectorThreshold() {
        SplittableRandom rnd = new SplittableRandom(5);
        int min = VectorBatch.MIN_MESSAGES;
        IntStream sizes = IntStream.concat(IntStream.rangeClosed(1, 300),
                IntStream.of(2 * min - 1, 2 * min, 2 * min + 1, 2 * min + 33, 4 * min - 3, 4 * min + 35));
        for (int n : sizes.toArray()) {
            byte[] data = new byte[n * 66 + 3];
            rnd.nextBytes(data);
            List<byte[]> leaves = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                leaves.add(Arrays.copyOfRange(data, 3 + i * 66, 3 + (i + 1) * 66));
            }
            byte[] expected = MerkleTree.ofLeaves(leaves).root();
            for (Sha256Engine engine : Sha256Engine.values()) {
                MerkleTree tree = MerkleTree.ofLeafBytes(data, 3, n, 66, false, engine);
                assertThat(tree.root()).as("%s, %d leaves", engine, n).isEqualTo(expected);
                int i = rnd.nextInt(n);
                assertThat(MerkleTree.verify(new Sha256().leafHash(leaves.get(i)), i, tree.proof(i), expected))
                        .as("%s, proof of leaf %d of %d", engine, i, n).isTrue();
            }
        }
    }

    @Test
    void shouldBuildTheSameLargeTreeWithEveryEngineSequentiallyAndInParallel() {
        SplittableRandom rnd = new SplittableRandom(9);
        int n = 3 * 1024 + 77;
        byte[] data = new byte[n * 66];
        rnd.nextBytes(data);
        MerkleTree expected = MerkleTree.ofLeafBytes(data, 0, n, 66, false, Sha256Engine.MESSAGE_DIGEST);
        for (Sha256Engine engine : Sha256Engine.values()) {
            for (boolean parallel : new boolean[] {false, true}) {
                MerkleTree tree = MerkleTree.ofLeafBytes(data, 0, n, 66, parallel, engine);
                assertThat(tree.root()).as("%s parallel=%s", engine, parallel).isEqualTo(expected.root());
                for (int level = 0; level <= tree.depth(); level++) {
                    long width = (long) Math.ceil(n / Math.pow(2, level));
                    for (long idx = 0; idx < width; idx += 1 + rnd.nextInt(50)) {
                        assertThat(tree.node(level, idx)).isEqualTo(expected.node(level, idx));
                    }
                }
            }
        }
    }

    @Test
    void shouldHashLeavesLikeSha256LeafHash() {
        SplittableRandom rnd = new SplittableRandom(13);
        byte[] data = new byte[100 * 68];
        rnd.nextBytes(data);
        for (Sha256Engine engine : Sha256Engine.values()) {
            byte[] out = new byte[100 * 32];
            engine.hashLeaves(data, 0, 100, 68, out, 0);
            for (int i = 0; i < 100; i++) {
                assertThat(Arrays.copyOfRange(out, 32 * i, 32 * i + 32))
                        .isEqualTo(new Sha256().leafHash(Arrays.copyOfRange(data, 68 * i, 68 * i + 68)));
            }
        }
    }

    @Test
    void shouldRefuseLeavesThatDoNotFitOrNoRoomForHashes() {
        assertThatThrownBy(() -> Sha256Engine.fastest().hashLeaves(new byte[65], 0, 1, 66, new byte[32], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not fit");
        assertThatThrownBy(() -> Sha256Engine.fastest().hashLeaves(new byte[132], 0, 2, 66, new byte[63], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no room");
    }
}
