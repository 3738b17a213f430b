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
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            LocalUpdate update = trainer.train(model, train, round);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(update.samples()).isEqualTo(train.size());
            for (int i = 0; i < model.length; i++) {
                model[i] += update.delta()[i];
            }
            Evaluation e = trainer.evaluate(model, split.test());
            LOG.info("round {}: |delta| {} in {} ms, test loss {} accuracy {}", round, update.l2Norm(), ms, e.loss(),
                    e.accuracy());
            accuracies.add(e.accuracy());
        }
        LOG.info("before training: loss {} accuracy {}", before.loss(), before.accuracy());
        assertThat(before.accuracy()).isLessThan(0.3);
        assertThat(accuracies.get(2)).isGreaterThan(accuracies.get(0));
        assertThat(accuracies.get(2)).isGreaterThan(0.85);
    }
}
