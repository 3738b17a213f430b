package io.tributary.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.tensor.WireParams;
import io.tributary.trainer.cdc.PostgresCdcSource;
import io.tributary.trainer.cdc.RoundCut;
import io.tributary.trainer.cdc.TestPostgres;
import io.tributary.trainer.data.DataRoot;
import io.tributary.trainer.data.DataSplitter;
import io.tributary.trainer.data.Sample;
import io.tributary.trainer.data.TrainingData;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.io.file.PathUtils;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ML loop of the demo with no chain and no Kafka: three workers (the third fed from its own
 * Postgres table through Debezium, with rows still arriving during the run) train three rounds of
 * MNIST; their clipped, encoded updates are aggregated exactly with FedAvg and applied to the
 * global model, which improves round over round.
 */
class FederatedSmokeIT {

    private static final Logger LOG = LoggerFactory.getLogger(FederatedSmokeIT.class);
    private static final Path BASE = Path.of(System.getProperty("tributary.test.dir", "target/it-state"), "smoke");
    private static final long TASK = 1;
    private static final int ROUNDS = 3;

    @Test
    void shouldRaiseTestAccuracyEveryRoundWhenThreeWorkersOneFromPostgresAverageTheirUpdates() throws Exception {
        if (Files.exists(BASE)) {
            PathUtils.deleteDirectory(BASE);
        }
        WireParams params = WireParams.builder().dimension(MlpSpec.mnist().parameterCount()).exponentRange(-24, 0)
                .l2Bound(5.0).maxWeight(10_000).maxContributors(16).build();
        DataSplitter.Split split = DataSplitter.iid(Mnist.all(), 3, 1_000, 2026);
        List<Sample> silo = ((TrainingData.ListData) split.workers().get(2)).samples();
        List<LocalTrainer> trainers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            trainers.add(LocalTrainer.builder().spec(MlpSpec.mnist()).epochs(1).batchSize(32).seed(100 + w).build());
        }
        LocalTrainer evaluator = trainers.get(0);
        float[] global = evaluator.model().initialParams();
        double initial = evaluator.evaluate(global, split.test()).accuracy();
        List<Double> accuracies = new ArrayList<>();

        try (TestPostgres pg = TestPostgres.start(BASE.resolve("pg"));
             UpdatePreparer preparer = new UpdatePreparer(params)) {
            pg.createDigitsTable("silo");
            try (Connection c = pg.connect()) {
                TestPostgres.insert(c, "silo", silo.subList(0, 2_000));
            }
            AtomicReference<Throwable> inserterFailure = new AtomicReference<>();
            Thread inserter = new Thread(() -> {
                try (Connection c = pg.connect()) {
                    for (int from = 2_000; from < silo.size(); from += 100) {
                        TestPostgres.insert(c, "silo", silo.subList(from, Math.min(silo.size(), from + 100)));
                    }
                } catch (Exception e) {
                    inserterFailure.set(e);
                }
            }, "silo-inserter");
            try (PostgresCdcSource source = PostgresCdcSource.builder().url(pg.dataUrl("silo"))
                    .stateDir(BASE.resolve("worker-2")).slotName("smoke_worker_2").build()) {
                source.start();
                for (int round = 0; round < ROUNDS; round++) {
                    long t0 = System.nanoTime();
                    source.awaitReceived(round == 0 ? 2_000 : silo.size(), Duration.ofSeconds(120));
                    RoundCut cut = source.cut(round);
                    if (round == 0) {
                        inserter.start(); // these rows arrive while round 0 trains: they feed round 1
                    }
                    assertThat(cut.dataRoot()).isEqualTo(DataRoot.of(withPostgresIds(silo, cut.rowCount())));
                    List<TrainingData> data = List.of(split.workers().get(0), split.workers().get(1), cut.rows());
                    List<PreparedUpdate> updates = new ArrayList<>();
                    for (int w = 0; w < 3; w++) {
                        LocalUpdate u = trainers.get(w).train(global, data.get(w), round);
                        updates.add(preparer.prepare(u, UpdatePreparer.encodingSeed(100 + w, TASK, round)));
                    }
                    global = FedAvg.apply(params, global, updates);
                    Evaluation e = evaluator.evaluate(global, split.test());
                    accuracies.add(e.accuracy());
                    LOG.info("round {}: samples {} / {} / {} (silo rows up to lsn {}), |update| {} / {} / {}, "
                                    + "test loss {} accuracy {}, {} ms",
                            round, updates.get(0).weight(), updates.get(1).weight(), updates.get(2).weight(), cut.lsn(),
                            fmt(updates.get(0).l2Norm()), fmt(updates.get(1).l2Norm()), fmt(updates.get(2).l2Norm()),
                            fmt(e.loss()), e.accuracy(), (System.nanoTime() - t0) / 1_000_000);
                    if (round > 0) {
                        assertThat(cut.rowCount()).isEqualTo(silo.size());
                    } else {
                        assertThat(cut.rowCount()).isEqualTo(2_000);
                    }
                }
                inserter.join(60_000);
                assertThat(inserterFailure.get()).isNull();
            }
        }
        LOG.info("test accuracy: initial {}, after rounds {}", initial, accuracies);
        for (int r = 1; r < ROUNDS; r++) {
            assertThat(accuracies.get(r)).as("round %d over round %d", r, r - 1).isGreaterThan(accuracies.get(r - 1));
        }
        assertThat(accuracies.get(ROUNDS - 1)).isGreaterThanOrEqualTo(0.85);
    }

    /** The silo's first {@code n} samples as the table holds them: ids 1..n in insertion order. */
    private static TrainingData withPostgresIds(List<Sample> silo, int n) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Sample s = silo.get(i);
            out.add(new Sample(DataRoot.idOf(i + 1), s.label(), s.features()));
        }
        return TrainingData.of(out);
    }

    private static String fmt(double x) {
        return String.format("%.4f", x);
    }
}
