package io.tributary.trainer.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.trainer.LocalUpdate;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class BehaviourTest {

    private static final float[] TRAINED = {0.5f, -1.25f, 0f, 3f};

    @Test
    void shouldSendTheTrainedUpdateWhenHonest() {
        float[] out = Behaviour.HONEST.apply(TRAINED, null, 4, 1.0, 1);
        assertThat(out).containsExactly(TRAINED).isNotSameAs(TRAINED);
    }

    @Test
    void shouldNegateEveryCoordinateWhenSignFlipping() {
        assertThat(Behaviour.SIGNFLIP.apply(TRAINED, null, 4, 1.0, 1)).containsExactly(-0.5f, 1.25f, -0f, -3f);
        assertThat(TRAINED[0]).as("input untouched").isEqualTo(0.5f);
    }

    @Test
    void shouldSendGaussianNoiseOfTheClipNormIndependentOfTheTrainedUpdate() {
        int dim = 10_000;
        float[] a = Behaviour.NOISE.apply(new float[dim], null, dim, 2.5, 42);
        float[] b = Behaviour.NOISE.apply(new float[dim], null, dim, 2.5, 43);
        assertThat(new LocalUpdate(a, 1).l2Norm()).isCloseTo(2.5, Offset.offset(1e-4));
        assertThat(a).isNotEqualTo(b);
        double mean = 0;
        double m2 = 0;
        for (float x : a) {
            mean += x;
            m2 += (double) x * x;
        }
        mean /= dim;
        double sd = Math.sqrt(m2 / dim - mean * mean);
        assertThat(Math.abs(mean)).isLessThan(4 * sd / Math.sqrt(dim));
        assertThat(sd).isCloseTo(2.5 / Math.sqrt(dim), Offset.offset(0.05 * 2.5 / Math.sqrt(dim)));
        assertThat(Behaviour.NOISE.apply(null, null, dim, 2.5, 42)).containsExactly(a); // seeded
    }

    @Test
    void shouldCopyLastRoundsGlobalDeltaWhenFreeRidingAndSendZeroInRoundZero() {
        float[] delta = {1f, 2f, 3f, 4f};
        assertThat(Behaviour.FREERIDE.apply(null, delta, 4, 1.0, 1)).containsExactly(delta);
        assertThat(Behaviour.FREERIDE.apply(null, null, 4, 1.0, 1)).containsExactly(0f, 0f, 0f, 0f);
        assertThat(Behaviour.FREERIDE.trains()).isFalse();
        assertThat(Behaviour.NOISE.trains()).isFalse();
        assertThat(Behaviour.HONEST.trains()).isTrue();
        assertThat(Behaviour.SIGNFLIP.trains()).isTrue();
    }

    @Test
    void shouldParseTheCommandLineNamesAndRefuseOthers() {
        assertThat(Behaviour.parse("signflip")).isEqualTo(Behaviour.SIGNFLIP);
        assertThat(Behaviour.parse(" Noise ")).isEqualTo(Behaviour.NOISE);
        assertThatThrownBy(() -> Behaviour.parse("evil")).hasMessageContaining("honest, signflip, noise or freeride");
        assertThatThrownBy(() -> Behaviour.HONEST.apply(TRAINED, null, 5, 1.0, 1)).hasMessageContaining("expected 5");
    }
}
