package io.tributary.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.schemas.tensor.ChunkDecoder;
import io.tributary.schemas.tensor.DecodedChunk;
import io.tributary.schemas.tensor.WireParams;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class UpdatePreparerTest {

    static final int DIM = MlpSpec.mnist().parameterCount();

    /** The MNIST task's wire parameters as the tests use them (bound C given). */
    static WireParams params(double l2Bound) {
        return WireParams.builder().dimension(DIM).exponentRange(-24, 0).l2Bound(l2Bound).maxWeight(10_000)
                .maxContributors(16).build();
    }

    private static float[] gaussian(int n, double scale, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rng.nextGaussian() * scale);
        }
        return x;
    }

    @Test
    void shouldClipToTheBoundAndDecodeBackWithinTheFormatErrorBound() throws Exception {
        WireParams p = params(1.0);
        float[] delta = gaussian(DIM, 0.01, 3); // norm ~ 3.2, clipped to 1
        try (UpdatePreparer preparer = new UpdatePreparer(p)) {
            PreparedUpdate u = preparer.prepare(new LocalUpdate(delta, 1_234), 77);
            assertThat(u.l2Norm()).isGreaterThan(3.0);
            assertThat(u.clipped()).isTrue();
            assertThat(u.clippedNorm()).isCloseTo(1.0, Offset.offset(1e-5));
            assertThat(u.weight()).isEqualTo(1_234);
            assertThat(u.encoded().chunks()).hasSize(p.chunkCount());

            float[] decoded = decodeAll(p, u);
            float[] y = u.clippedDelta();
            double worst = 0;
            for (int block = 0; block * 32 < DIM; block++) {
                float maxAbs = 0;
                for (int i = block * 32; i < Math.min(DIM, block * 32 + 32); i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(y[i]));
                }
                double bound = Math.max(Math.scalb(1.0, p.expMin()), 2.0 * maxAbs / 127);
                for (int i = block * 32; i < Math.min(DIM, block * 32 + 32); i++) {
                    double err = Math.abs((double) decoded[i] - y[i]);
                    assertThat(err).as("coordinate %d", i).isLessThan(bound);
                    worst = Math.max(worst, err / bound);
                }
            }
            assertThat(worst).isGreaterThan(0); // it really is quantized
        }
    }

    @Test
    void shouldLeaveAnUpdateInsideTheBoundUnclipped() throws Exception {
        WireParams p = params(10.0);
        float[] delta = gaussian(DIM, 0.01, 4);
        try (UpdatePreparer preparer = new UpdatePreparer(p)) {
            PreparedUpdate u = preparer.prepare(new LocalUpdate(delta, 10), 1);
            assertThat(u.clipped()).isFalse();
            assertThat(u.clippedDelta()).containsExactly(delta);
            // stochastic rounding is unbiased: the decoded sum stays close to the true sum
            float[] decoded = decodeAll(p, u);
            double diff = 0;
            for (int i = 0; i < DIM; i++) {
                diff += decoded[i] - delta[i];
            }
            assertThat(Math.abs(diff)).isLessThan(0.05);
        }
    }

    @Test
    void shouldEncodeTheSameRootForTheSameSeedAndAnotherForAnotherSeed() {
        WireParams p = params(1.0);
        float[] delta = gaussian(DIM, 0.001, 5);
        try (UpdatePreparer preparer = new UpdatePreparer(p)) {
            byte[] a = preparer.prepare(new LocalUpdate(delta, 5), 9).updateRoot();
            byte[] b = preparer.prepare(new LocalUpdate(delta, 5), 9).updateRoot();
            byte[] c = preparer.prepare(new LocalUpdate(delta, 5), 10).updateRoot();
            assertThat(a).isEqualTo(b).isNotEqualTo(c);
        }
        assertThat(UpdatePreparer.encodingSeed(1, 2, 3)).isEqualTo(UpdatePreparer.encodingSeed(1, 2, 3))
                .isNotEqualTo(UpdatePreparer.encodingSeed(1, 2, 4))
                .isNotEqualTo(UpdatePreparer.encodingSeed(2, 2, 3));
    }

    @Test
    void shouldRefuseAWeightOutsideTheTaskBoundsOrAWrongLength() {
        try (UpdatePreparer preparer = new UpdatePreparer(params(1.0))) {
            assertThatThrownBy(() -> preparer.prepare(new LocalUpdate(new float[DIM], 0), 1))
                    .hasMessageContaining("weight 0");
            assertThatThrownBy(() -> preparer.prepare(new LocalUpdate(new float[DIM], 10_001), 1))
                    .hasMessageContaining("10000");
            assertThatThrownBy(() -> preparer.prepare(new LocalUpdate(new float[3], 1), 1))
                    .hasMessageContaining("3 coordinates");
        }
    }

    /** Decodes every chunk with full verification and concatenates the coordinates. */
    static float[] decodeAll(WireParams p, PreparedUpdate u) throws Exception {
        ChunkDecoder decoder = new ChunkDecoder(p);
        float[] out = new float[p.dimension()];
        int at = 0;
        for (byte[] chunk : u.encoded().chunks()) {
            DecodedChunk d = decoder.decode(chunk);
            assertThat(d.updateRoot()).isEqualTo(u.updateRoot());
            float[] f = d.toFloats();
            System.arraycopy(f, 0, out, at, f.length);
            at += f.length;
        }
        assertThat(at).isEqualTo(p.dimension());
        return out;
    }
}
