package io.tributary.schemas.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.schemas.merkle.MerkleTree;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TensorCodecTest {

    @Test
    void shouldDecodeWithinDocumentedErrorBoundWhenEncoded() throws Exception {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int trial = 0; trial < 40; trial++) {
            int dimension = 1 + rnd.nextInt(3000);
            WireParams p = Fixtures.small().toBuilder().dimension(dimension).chunkLeavesLog2(rnd.nextInt(5)).build();
            float[] x = Fixtures.randomUpdate(rnd, dimension, trial % 2 == 0 ? 0.05 : 1.0);
            float[] clipped = BlockQuantizer.clip(x, p.l2Bound());
            float[] decoded = decodeAll(p, encode(p, x, trial));
            assertThat(decoded).hasSize(dimension);
            for (int i = 0; i < dimension; i++) {
                int blockStart = i - i % WireParams.BLOCK_COORDS;
                float maxAbs = 0;
                for (int j = blockStart; j < Math.min(blockStart + WireParams.BLOCK_COORDS, dimension); j++) {
                    maxAbs = Math.max(maxAbs, Math.abs(clipped[j]));
                }
                // FORMAT.md: |decoded - clipped| < 2^e <= max(2^expMin, 2 * maxAbs(block) / 127).
                double bound = Math.max(Math.scalb(1.0, p.expMin()), 2.0 * maxAbs / 127);
                assertThat(Math.abs((double) decoded[i] - clipped[i])).as("coordinate %d", i).isLessThan(bound);
            }
        }
    }

    @Test
    void shouldClipToL2BoundWhenNormIsLarger() {
        float[] x = {3f, 4f};
        float[] y = BlockQuantizer.clip(x, 1.0);
        assertThat(Math.hypot(y[0], y[1])).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(BlockQuantizer.clip(x, 5.0)).isSameAs(x);
        assertThatThrownBy(() -> BlockQuantizer.clip(new float[] {Float.NaN}, 1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not finite");
    }

    @Test
    void shouldChooseSmallestExponentThatFitsTheBlock() {
        assertThat(BlockQuantizer.chooseExponent(0f, -10, 5)).isEqualTo(-10);
        assertThat(BlockQuantizer.chooseExponent(127f, -10, 5)).isEqualTo(0);
        assertThat(BlockQuantizer.chooseExponent(127.01f, -10, 5)).isEqualTo(1);
        assertThat(BlockQuantizer.chooseExponent(254f, -10, 5)).isEqualTo(1);
        assertThat(BlockQuantizer.chooseExponent(1e-9f, -10, 5)).isEqualTo(-10);
        assertThat(BlockQuantizer.chooseExponent(1e9f, -10, 5)).isEqualTo(5);
    }

    @Test
    void shouldRoundStochasticallyWithoutBiasWhenAveragedOverSeeds() {
        WireParams p = Fixtures.small().toBuilder().dimension(64).build();
        float[] x = new float[64];
        x[0] = 0.0009f; // sets the block exponent
        x[1] = 0.0000123f; // far below one mantissa step of that block
        double sum = 0;
        int seeds = 4000;
        for (int s = 0; s < seeds; s++) {
            byte[] leaf = new byte[WireParams.LEAF_BYTES];
            BlockQuantizer.quantizeLeaves(x, 1f, 0, 1, p, s, leaf, 0);
            sum += BlockQuantizer.value(leaf[3], leaf[0]);
        }
        double step = Math.scalb(1.0, BlockQuantizer.chooseExponent(0.0009f, p.expMin(), p.expMax()));
        assertThat(Math.abs(sum / seeds - x[1])).isLessThan(step * 0.05);
    }

    @Test
    void shouldQuantizeExactlyAsFloorOfScaledValuePlusDrawWhenComputedWithBigDecimal() {
        WireParams p = Fixtures.small().toBuilder().dimension(64 * 40).build();
        SplittableRandom rnd = new SplittableRandom(12);
        float[] x = Fixtures.randomUpdate(rnd, p.dimension(), 0.5);
        float f = 0.8f;
        long seed = rnd.nextLong();
        byte[] leaves = new byte[40 * WireParams.LEAF_BYTES];
        BlockQuantizer.quantizeLeaves(x, f, 0, 40, p, seed, leaves, 0);
        for (int i = 0; i < x.length; i++) {
            int leaf = i / 64;
            int e = leaves[leaf * 66 + (i % 64) / 32];
            // m = floor(y / 2^e + r / 2^24), y = x * f rounded to float32: exact rational arithmetic.
            java.math.BigDecimal y = new java.math.BigDecimal(x[i] * f);
            java.math.BigDecimal t = e >= 0 ? y.divide(java.math.BigDecimal.valueOf(2).pow(e))
                    : y.multiply(java.math.BigDecimal.valueOf(2).pow(-e));
            java.math.BigDecimal u = new java.math.BigDecimal(BlockQuantizer.draw(seed, i))
                    .divide(java.math.BigDecimal.valueOf(1 << 24));
            long m = t.add(u).setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
            m = Math.max(-127, Math.min(127, m));
            assertThat(leaves[leaf * 66 + 2 + i % 64]).as("coordinate %d", i).isEqualTo((byte) m);
        }
    }

    @Test
    void shouldEncodeIdenticallyWhenSeedIsTheSame() {
        WireParams p = Fixtures.small();
        float[] x = Fixtures.randomUpdate(new SplittableRandom(3), p.dimension(), 0.1);
        EncodedUpdate a = encode(p, x, 42);
        EncodedUpdate b = encode(p, x, 42);
        EncodedUpdate c = encode(p, x, 43);
        assertThat(a.root()).isEqualTo(b.root());
        for (int i = 0; i < a.chunks().size(); i++) {
            assertThat(a.chunks().get(i)).isEqualTo(b.chunks().get(i));
        }
        assertThat(a.root()).isNotEqualTo(c.root());
    }

    @Test
    void shouldKeepUpdateRootStableAcrossChunkSizes() throws Exception {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int dimension : new int[] {1, 64, 65, 1000, 4096, 5000}) {
            float[] x = Fixtures.randomUpdate(rnd, dimension, 0.2);
            byte[] root = null;
            for (int k = 0; k <= 8; k++) {
                WireParams p = Fixtures.small().toBuilder().dimension(dimension).chunkLeavesLog2(k).build();
                EncodedUpdate u = encode(p, x, 9);
                assertThat(u.chunks()).hasSize(p.chunkCount());
                if (root == null) {
                    root = u.root();
                } else {
                    assertThat(u.root()).as("dimension %d, k %d", dimension, k).isEqualTo(root);
                }
                ChunkDecoder decoder = new ChunkDecoder(p);
                for (byte[] chunk : u.chunks()) {
                    DecodedChunk d = decoder.decode(chunk);
                    assertThat(d.updateRoot()).isEqualTo(root);
                    assertThat(MerkleTree.verify(d.chunkRoot(), d.chunkIndex(), d.proof(), root)).isTrue();
                }
            }
        }
    }

    @Test
    void shouldProduceRealArrowIpcReadableByArrowItself() throws Exception {
        WireParams p = Fixtures.small();
        EncodedUpdate u = encode(p, Fixtures.randomUpdate(new SplittableRandom(8), p.dimension(), 0.1), 1);
        byte[] chunk = u.chunks().get(1);
        try (var allocator = new org.apache.arrow.memory.RootAllocator();
             var reader = new org.apache.arrow.vector.ipc.ArrowStreamReader(
                     new java.io.ByteArrayInputStream(chunk), allocator)) {
            assertThat(reader.loadNextBatch()).isTrue();
            var root = reader.getVectorSchemaRoot();
            assertThat(root.getSchema().getCustomMetadata()).containsEntry("tributary.format", "1")
                    .containsEntry("tributary.chunk_index", "1");
            var leaves = (org.apache.arrow.vector.FixedSizeBinaryVector) root.getVector("leaf");
            assertThat(leaves.getValueCount()).isEqualTo(4);
            byte[] expected = java.util.Arrays.copyOfRange(u.leafBytes(), 4 * 66, 5 * 66);
            assertThat(leaves.get(0)).isEqualTo(expected);
            assertThat(reader.loadNextBatch()).isFalse();
        }
    }

    @Test
    void shouldRefuseUpdatesOfTheWrongDimension() {
        WireParams p = Fixtures.small();
        try (TensorEncoder enc = new TensorEncoder(p)) {
            assertThatThrownBy(() -> enc.encode(new float[999], 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expects 1000");
        }
    }

    static EncodedUpdate encode(WireParams p, float[] x, long seed) {
        try (TensorEncoder enc = new TensorEncoder(p)) {
            return enc.encode(x, seed);
        }
    }

    static float[] decodeAll(WireParams p, EncodedUpdate u) throws ChunkRejectedException {
        ChunkDecoder decoder = new ChunkDecoder(p);
        List<Float> out = new ArrayList<>();
        float[] all = new float[p.dimension()];
        int pos = 0;
        for (byte[] chunk : u.chunks()) {
            float[] f = decoder.decode(chunk).toFloats();
            System.arraycopy(f, 0, all, pos, f.length);
            pos += f.length;
        }
        assertThat(pos).isEqualTo(p.dimension());
        return all;
    }
}
