package io.tributary.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.trainer.data.DataSplitter;
import io.tributary.trainer.data.TrainingData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LocalTrainerTest {

    private static final Logger LOG = LoggerFactory.getLogger(LocalTrainerTest.class);

    @Test
    void shouldRaiseAccuracyOverLocalRoundsOnTwoThousandDigits() {
        // 1,000 held-out digits, one worker holding 2,000 (IID from the 10,000 of the package)
        DataSplitter.Split split = DataSplitter.iid(Mnist.all(), 4, 1_000, 11);
        TrainingData train = split.workers().get(0);
        assertThat(train.size()).isEqualTo(2_250);
        LocalTrainer trainer = LocalTrainer.builder().epochs(1).batchSize(32).seed(5).build();

        float[] model = trainer.model().initialParams();
        Evaluation before = trainer.evaluate(model, split.test());
        List<Double> accuracies = new ArrayList<>();
        List<Double> trainingLosses = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            LocalUpdate update = trainer.train(model, train, round);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(update.samples()).isEqualTo(train.size());
            trainingLosses.add(update.loss());
            for (int i = 0; i < model.length; i++) {
                model[i] += update.delta()[i];
            }
            Evaluation e = trainer.evaluate(model, split.test());
            LOG.info("round {}: |delta| {} in {} ms, training loss {}, test loss {} accuracy {}", round, update.l2Norm(), ms,
                    update.loss(), e.loss(), e.accuracy());
            accuracies.add(e.accuracy());
        }
        LOG.info("before training: loss {} accuracy {}", before.loss(), before.accuracy());
        assertThat(before.accuracy()).isLessThan(0.3);
        assertThat(accuracies.get(2)).isGreaterThan(accuracies.get(0));
        assertThat(accuracies.get(2)).isGreaterThan(0.85);
        // the training loss: below ln(10) (the loss of a guess) already in the first epoch, and falling
        assertThat(trainingLosses.get(0)).isPositive().isLessThan(Math.log(10));
        assertThat(trainingLosses.get(2)).isPositive().isLessThan(trainingLosses.get(0));
    }

    @Test
    void shouldReturnTheSameUpdateForTheSameInputsAndSeed() {
        TrainingData data = DataSplitter.iid(Mnist.all(), 20, 0, 3).workers().get(0); // 500 digits
        LocalTrainer a = LocalTrainer.builder().epochs(2).batchSize(50).seed(9).build();
        LocalTrainer b = LocalTrainer.builder().epochs(2).batchSize(50).seed(9).build();
        LocalTrainer otherSeed = LocalTrainer.builder().epochs(2).batchSize(50).seed(10).build();
        float[] global = a.model().initialParams();
        LocalUpdate u1 = a.train(global, data, 4);
        LocalUpdate u2 = b.train(global, data, 4);
        assertThat(u1.samples()).isEqualTo(500);
        assertThat(u1.delta()).containsExactly(u2.delta());
        assertThat(u1.l2Norm()).isPositive();
        // another shuffling seed or another round visits the minibatches in another order
        assertThat(otherSeed.train(global, data, 4).delta()).isNotEqualTo(u1.delta());
        assertThat(a.train(global, data, 5).delta()).isNotEqualTo(u1.delta());
    }

    @Test
    void shouldTrainWithAdamToo() {
        DataSplitter.Split split = DataSplitter.iid(Mnist.all(), 8, 1_000, 12); // 1,125 digits each
        LocalTrainer adam = LocalTrainer.builder()
                .spec(MlpSpec.mnist().toBuilder().optimizer(Optimizer.ADAM).learningRate(1e-3).build())
                .epochs(2).batchSize(32).seed(1).build();
        float[] global = adam.model().initialParams();
        LocalUpdate u = adam.train(global, split.workers().get(0), 0);
        float[] local = global.clone();
        for (int i = 0; i < local.length; i++) {
            local[i] += u.delta()[i];
        }
        Evaluation e = adam.evaluate(local, split.test());
        LOG.info("Adam, 2 epochs on {} digits: test loss {} accuracy {}", u.samples(), e.loss(), e.accuracy());
        assertThat(e.accuracy()).isGreaterThan(0.8);
    }

    @Test
    void shouldGiveAZeroUpdateOfWeightZeroWithoutData() {
        LocalTrainer t = LocalTrainer.builder().build();
        LocalUpdate u = t.train(t.model().initialParams(), TrainingData.of(List.of()), 0);
        assertThat(u.samples()).isZero();
        assertThat(u.l2Norm()).isZero();
        assertThat(u.loss()).isNaN();
    }

    @Test
    void shouldLimitTheNativeThreads() {
        Nd4jRuntime.limitThreads(1);
        assertThat(org.nd4j.linalg.factory.Nd4j.factory().blas().getMaxThreads()).isEqualTo(1);
        assertThat(org.nd4j.linalg.factory.Nd4j.getEnvironment().maxThreads()).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Nd4jRuntime.limitThreads(0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
