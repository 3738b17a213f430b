package io.tributary.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

class MlpModelTest {

    @Test
    void shouldCountTheParametersOfTheTaskModel() {
        assertThat(MlpSpec.mnist().parameterCount()).isEqualTo(784 * 128 + 128 + 128 * 10 + 10);
        assertThat(new MlpModel(MlpSpec.mnist()).initialParams()).hasSize(101_770);
    }

    @Test
    void shouldRoundTripFlatParamsThroughTheNetwork() {
        MlpModel model = new MlpModel(MlpSpec.mnist());
        float[] params = new float[model.parameterCount()];
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < params.length; i++) {
            params[i] = (float) rng.nextGaussian();
        }
        MultiLayerNetwork net = model.newNetwork(params);
        assertThat(MlpModel.flatParams(net)).containsExactly(params);

        float[] other = params.clone();
        other[0] = 42f;
        other[other.length - 1] = -3f;
        model.setFlatParams(net, other);
        assertThat(MlpModel.flatParams(net)).containsExactly(other);
        // the network keeps its own copy: changing the caller's array afterwards changes nothing
        other[1] = 99f;
        assertThat(MlpModel.flatParams(net)[1]).isEqualTo(params[1]);
    }

    @Test
    void shouldDrawTheSameInitialModelForTheSameSeedOnly() {
        float[] a = new MlpModel(MlpSpec.mnist()).initialParams();
        float[] b = new MlpModel(MlpSpec.mnist()).initialParams();
        float[] c = new MlpModel(MlpSpec.mnist().toBuilder().seed(7).build()).initialParams();
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
        // Xavier init: non-zero weights of the expected scale (sqrt(2 / (784 + 128)) ~ 0.047)
        double sq = 0;
        for (int i = 0; i < 784 * 128; i++) {
            sq += a[i] * a[i];
        }
        assertThat(Math.sqrt(sq / (784 * 128))).isBetween(0.02, 0.1);
    }

    @Test
    void shouldRefuseAFlatModelOfTheWrongLength() {
        MlpModel model = new MlpModel(MlpSpec.mnist());
        assertThatThrownBy(() -> model.newNetwork(new float[10]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("101770");
    }

    @Test
    void shouldRefuseNonsenseSpecs() {
        assertThatThrownBy(() -> MlpSpec.builder().learningRate(0).build()).hasMessageContaining("learningRate");
        assertThatThrownBy(() -> MlpSpec.builder().hidden(128, 0).build()).hasMessageContaining("hidden");
        assertThatThrownBy(() -> MlpSpec.builder().outputs(1).build()).hasMessageContaining("outputs");
    }
}
