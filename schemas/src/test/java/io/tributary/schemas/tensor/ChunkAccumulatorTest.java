package io.tributary.schemas.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChunkAccumulatorTest {

    private static final int UPDATES = 24;

    /** Chunks [update][chunk] of random updates, decoded. */
    private static DecodedChunk[][] decodedUpdates(WireParams p, long seed) throws ChunkRejectedException {
        SplittableRandom rnd = new SplittableRandom(seed);
        ChunkDecoder decoder = new ChunkDecoder(p);
        DecodedChunk[][] out = new DecodedChunk[UPDATES][];
        try (TensorEncoder enc = new TensorEncoder(p)) {
            for (int u = 0; u < UPDATES; u++) {
                EncodedUpdate e = enc.encode(Fixtures.randomUpdate(rnd, p.dimension(), rnd.nextDouble(0.01, 2)), u);
                out[u] = new DecodedChunk[p.chunkCount()];
                for (int c = 0; c < p.chunkCount(); c++) {
                    // Half decoded fully, half framing-only (leaves then checked by the accumulator,
                    // which takes its speculative int32 path with undo).
                    out[u][c] = decoder.decode(e.chunks().get(c), u % 2 == 0
                            ? ChunkDecoder.Verification.FULL : ChunkDecoder.Verification.FRAMING);
                }
            }
        }
        return out;
    }

    /** Independent reference: BigInteger sums straight from the decoded mantissas and exponents. */
    private static long[] referenceSums(WireParams p, DecodedChunk[][] d, long[] w, int chunk) {
        int n = p.coordsInChunk(chunk);
        long[] sums = new long[n];
        for (int i = 0; i < n; i++) {
            BigInteger s = BigInteger.ZERO;
            for (int u = 0; u < d.length; u++) {
                DecodedChunk c = d[u][chunk];
                int e = c.exponent(i / 64, (i % 64) / 32);
                s = s.add(BigInteger.valueOf(c.mantissa(i)).shiftLeft(e - p.expMin()).multiply(BigInteger.valueOf(w[u])));
            }
            sums[i] = s.longValueExact();
        }
        return sums;
    }

    @Test
    void shouldBeByteIdenticalUnderAnyPermutationAndSplitWhenMerged() throws Exception {
        for (long maxWeight : new long[] {1_000, 1L << 30}) {
            WireParams p = Fixtures.small().toBuilder().maxWeight(maxWeight).maxContributors(UPDATES).build();
            DecodedChunk[][] d = decodedUpdates(p, maxWeight);
            Random rnd = new Random(17);
            long[] w = new long[UPDATES];
            for (int u = 0; u < UPDATES; u++) {
                // Mix small weights (int32 partials) and huge ones (int64 path).
                w[u] = u % 3 == 0 ? 1 + (rnd.nextLong() >>> 1) % maxWeight : 1 + rnd.nextInt(8); // int32 partials: 8 * 128 * 2^18 < 2^31
            }
            for (int chunk = 0; chunk < p.chunkCount(); chunk++) {
                long[] expected = referenceSums(p, d, w, chunk);
                float[] old = new float[p.coordsInChunk(chunk)];
                for (int i = 0; i < old.length; i++) {
                    old[i] = (float) rnd.nextGaussian();
                }
                ChunkAccumulator inOrder = new ChunkAccumulator(p, chunk, new ScalarKernel());
                for (int u = 0; u < UPDATES; u++) {
                    inOrder.add(d[u][chunk], w[u]);
                }
                assertThat(inOrder.sums()).isEqualTo(expected);
                float[] expectedModel = inOrder.applyTo(old);

                for (int trial = 0; trial < 20; trial++) {
                    List<Integer> order = new ArrayList<>();
                    for (int u = 0; u < UPDATES; u++) {
                        order.add(u);
                    }
                    Collections.shuffle(order, rnd);
                    // Split the permuted updates into random partials, each filled with addAll.
                    List<ChunkAccumulator> partials = new ArrayList<>();
                    int pos = 0;
                    while (pos < UPDATES) {
                        int len = 1 + rnd.nextInt(UPDATES - pos);
                        List<DecodedChunk> cs = new ArrayList<>();
                        long[] ws = new long[len];
                        for (int j = 0; j < len; j++) {
                            cs.add(d[order.get(pos + j)][chunk]);
                            ws[j] = w[order.get(pos + j)];
                        }
                        AccumulateKernel kernel = rnd.nextBoolean() ? new ScalarKernel() : AccumulateKernel.best();
                        ChunkAccumulator part = new ChunkAccumulator(p, chunk, kernel);
                        part.addAll(cs, ws);
                        partials.add(part);
                        pos += len;
                    }
                    Collections.shuffle(partials, rnd);
                    ChunkAccumulator merged = partials.get(0);
                    for (int j = 1; j < partials.size(); j++) {
                        merged.merge(partials.get(j));
                    }
                    assertThat(merged.sums()).isEqualTo(expected);
                    assertThat(merged.totalWeight()).isEqualTo(inOrder.totalWeight());
                    assertThat(merged.contributors()).isEqualTo(UPDATES);
                    assertThat(merged.mean()).isEqualTo(inOrder.mean());
                    float[] model = merged.applyTo(old);
                    for (int i = 0; i < model.length; i++) {
                        assertThat(Float.floatToRawIntBits(model[i])).isEqualTo(Float.floatToRawIntBits(expectedModel[i]));
                    }
                }
            }
        }
    }

    @Test
    void shouldUseVectorKernelIdenticalToScalarWhenAvailable() throws Exception {
        assertThat(AccumulateKernel.best()).as("the test JVM runs with jdk.incubator.vector")
                .isInstanceOf(VectorKernel.class);
        WireParams p = Fixtures.small().toBuilder().dimension(70_000).chunkLeavesLog2(10).build();
        DecodedChunk[][] d = decodedUpdates(p, 99);
        long[] w = new long[UPDATES];
        for (int u = 0; u < UPDATES; u++) {
            w[u] = u % 2 == 0 ? 1 + u % 5 : 1 + u * 41; // both the int32 and the int64 path
        }
        for (int chunk = 0; chunk < p.chunkCount(); chunk++) {
            List<DecodedChunk> cs = new ArrayList<>();
            for (int u = 0; u < UPDATES; u++) {
                cs.add(d[u][chunk]);
            }
            ChunkAccumulator scalar = new ChunkAccumulator(p, chunk, new ScalarKernel());
            scalar.addAll(cs, w);
            ChunkAccumulator vector = new ChunkAccumulator(p, chunk, new VectorKernel());
            vector.addAll(cs, w);
            assertThat(vector.sums()).isEqualTo(scalar.sums()).isEqualTo(referenceSums(p, d, w, chunk));
        }
    }

    @Test
    void shouldCheckLeavesInTheAccumulatorWhenDecodedWithFramingOnly() throws Exception {
        WireParams p = Fixtures.small().toBuilder().dimension(70_000).chunkLeavesLog2(10).build();
        ChunkDecoder decoder = new ChunkDecoder(p);
        SplittableRandom rnd = new SplittableRandom(8);
        try (TensorEncoder enc = new TensorEncoder(p)) {
            EncodedUpdate a = enc.encode(Fixtures.randomUpdate(rnd, p.dimension(), 0.5), 1);
            EncodedUpdate b = enc.encode(Fixtures.randomUpdate(rnd, p.dimension(), 0.5), 2);
            int last = p.chunkCount() - 1;
            for (int c : new int[] {0, last}) {
                ChunkAccumulator checked = new ChunkAccumulator(p, c);
                checked.addAll(List.of(decoder.decode(a.chunks().get(c)), decoder.decode(b.chunks().get(c))),
                        new long[] {3, 4});
                ChunkAccumulator framed = new ChunkAccumulator(p, c);
                DecodedChunk fa = decoder.decode(a.chunks().get(c), ChunkDecoder.Verification.FRAMING);
                assertThat(fa.leavesChecked()).isFalse();
                framed.addAll(List.of(fa, decoder.decode(b.chunks().get(c), ChunkDecoder.Verification.FRAMING)),
                        new long[] {3, 4});
                assertThat(framed.sums()).isEqualTo(checked.sums());
            }

            // A bad exponent in the last tile of chunk 0 of update b: rejected, accumulator unchanged.
            ChunkAccumulator acc = new ChunkAccumulator(p, 0);
            acc.add(decoder.decode(a.chunks().get(0)), 2);
            long[] before = acc.sums();
            byte[] leaves = java.util.Arrays.copyOfRange(b.leafBytes(), 0, 1024 * 66);
            leaves[1000 * 66 + 1] = (byte) (p.expMax() + 1);
            byte[] bad = TensorEncoder.writeIpc(enc.allocator(), enc.chunkMetadata(b.tree(), 0), leaves, 0, 1024, 66);
            DecodedChunk framedBad = decoder.decode(bad, ChunkDecoder.Verification.FRAMING);
            assertThatThrownBy(() -> acc.addAll(List.of(decoder.decode(a.chunks().get(0)), framedBad),
                    new long[] {1, 1}))
                    .isInstanceOfSatisfying(ChunkRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(RejectReason.EXPONENT_OUT_OF_RANGE));
            assertThat(acc.sums()).isEqualTo(before);
            assertThat(acc.contributors()).isEqualTo(1);
            assertThat(acc.totalWeight()).isEqualTo(2);

            // Nonzero padding in the last leaf of the last chunk.
            int lastLeaves = p.leavesInChunk(last);
            int first = last << 10;
            byte[] tail = java.util.Arrays.copyOfRange(b.leafBytes(), first * 66, (first + lastLeaves) * 66);
            int pad = p.coordsInChunk(last) % 64;
            assertThat(pad).isPositive();
            tail[(lastLeaves - 1) * 66 + 2 + pad] = 5;
            byte[] badPad = TensorEncoder.writeIpc(enc.allocator(), enc.chunkMetadata(b.tree(), last), tail, 0,
                    lastLeaves, 66);
            ChunkAccumulator accLast = new ChunkAccumulator(p, last);
            assertThatThrownBy(() -> accLast.add(decoder.decode(badPad, ChunkDecoder.Verification.FRAMING), 1))
                    .isInstanceOfSatisfying(ChunkRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(RejectReason.NONZERO_PADDING));
            assertThat(accLast.contributors()).isZero();
        }
    }

    @Test
    void shouldRoundMeanHalfToEven() {
        assertThat(ChunkAccumulator.divideHalfEven(5, 2)).isEqualTo(2);
        assertThat(ChunkAccumulator.divideHalfEven(7, 2)).isEqualTo(4);
        assertThat(ChunkAccumulator.divideHalfEven(-5, 2)).isEqualTo(-2);
        assertThat(ChunkAccumulator.divideHalfEven(-7, 2)).isEqualTo(-4);
        assertThat(ChunkAccumulator.divideHalfEven(1, 3)).isEqualTo(0);
        assertThat(ChunkAccumulator.divideHalfEven(2, 3)).isEqualTo(1);
        assertThat(ChunkAccumulator.divideHalfEven(-2, 3)).isEqualTo(-1);
        assertThat(ChunkAccumulator.divideHalfEven(Long.MAX_VALUE, Long.MAX_VALUE - 1)).isEqualTo(1);
        assertThat(ChunkAccumulator.divideHalfEven(Long.MIN_VALUE + 1, 2)).isEqualTo(Long.MIN_VALUE / 2);
    }

    @Test
    void shouldApplyAggregateAsOneFloatAdditionToTheOldModel() throws Exception {
        WireParams p = Fixtures.small();
        DecodedChunk[][] d = decodedUpdates(p, 3);
        ChunkAccumulator acc = new ChunkAccumulator(p, 0);
        acc.add(d[0][0], 3);
        acc.add(d[1][0], 5);
        long[] q = acc.mean();
        float[] old = new float[q.length];
        java.util.Arrays.fill(old, 0.25f);
        float[] updated = acc.applyTo(old);
        for (int i = 0; i < q.length; i++) {
            float delta = (float) (q[i] * Math.pow(2, p.expMin()));
            assertThat(updated[i]).isEqualTo(0.25f + delta);
        }
    }

    @Test
    void shouldRefuseWeightsAndContributorsBeyondTheProvenHeadroom() throws Exception {
        WireParams p = Fixtures.small().toBuilder().maxContributors(2).build();
        DecodedChunk[][] d = decodedUpdates(p, 4);
        ChunkAccumulator acc = new ChunkAccumulator(p, 1);
        assertThatThrownBy(() -> acc.add(d[0][1], 1001))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside [1, 1000]");
        assertThatThrownBy(() -> acc.add(d[0][1], 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> acc.add(d[0][0], 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("accumulator of chunk 1");
        acc.add(d[0][1], 1);
        acc.add(d[1][1], 1);
        assertThatThrownBy(() -> acc.add(d[2][1], 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxContributors 2");
        assertThatThrownBy(() -> new ChunkAccumulator(p, 2).mean())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no update");
    }

    @Test
    void shouldContinueBitForBitWhenRestoredFromItsState() throws Exception {
        WireParams p = Fixtures.small().toBuilder().maxContributors(UPDATES).build();
        DecodedChunk[][] d = decodedUpdates(p, 99);
        for (int c = 0; c < p.chunkCount(); c++) {
            ChunkAccumulator whole = new ChunkAccumulator(p, c);
            ChunkAccumulator half = new ChunkAccumulator(p, c);
            for (int u = 0; u < UPDATES; u++) {
                whole.add(d[u][c], u + 1);
                if (u < UPDATES / 2) {
                    half.add(d[u][c], u + 1);
                }
            }
            ChunkAccumulator restored = ChunkAccumulator.restore(p, c, half.sums(), half.totalWeight(),
                    half.contributors());
            for (int u = UPDATES / 2; u < UPDATES; u++) {
                restored.add(d[u][c], u + 1);
            }
            assertThat(restored.sums()).isEqualTo(whole.sums());
            assertThat(restored.totalWeight()).isEqualTo(whole.totalWeight());
            assertThat(restored.contributors()).isEqualTo(whole.contributors());
            assertThat(restored.mean()).isEqualTo(whole.mean());
        }
    }

    @Test
    void shouldRefuseRestoringImpossibleState() {
        WireParams p = Fixtures.small();
        int n = p.coordsInChunk(0);
        assertThatThrownBy(() -> ChunkAccumulator.restore(p, 0, new long[n + 1], 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sums for chunk 0");
        assertThatThrownBy(() -> ChunkAccumulator.restore(p, 0, new long[n], 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("impossible");
        assertThatThrownBy(() -> ChunkAccumulator.restore(p, 0, new long[n], p.maxWeight() * 2 + 1, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("impossible");
    }
}
