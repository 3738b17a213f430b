package io.tributary.flink;

import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.tensor.EncodedUpdate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Rounds of flink-jobs' test task ({@link Fixtures}, from its test-jar) as Kafka records, for tests
 * outside flink-jobs that drive the live job through Kafka. A FedAvg task on the home chain with
 * {@link #WORKERS} workers per round; event time moves past a round's close with the next round's
 * reveals (chain.events) and a home block head after the close (chain.blocks).
 */
public final class FixtureRounds {

    public static final long TASK = 77;
    public static final int WORKERS = 3;

    private FixtureRounds() {}

    /** The job's {@code models} option for the fixture model. */
    public static String modelsOption() {
        return Fixtures.MODEL + "=" + Fixtures.DIMENSION + ":" + Fixtures.K;
    }

    /** The job's {@code round.close-grace} the fixture's close times assume. */
    public static Duration closeGrace() {
        return Duration.ofSeconds(Fixtures.GRACE);
    }

    /**
     * ModelRegistry.ModelRegistered of the task's model, with a seeded initial model written under
     * target/ (absolute {@code file:} uri, so a TaskManager in another JVM reads it too).
     */
    public static RawRecord modelRegistered() {
        return Fixtures.modelRegistered(Fixtures.initialModel(TASK), "fixture-rounds-" + TASK);
    }

    /** TaskCoordinator.TaskPosted of the task (FedAvg, at least 2 contributors). */
    public static RawRecord taskPosted() {
        return Fixtures.taskPosted(TASK, AggregationRule.FEDAVG, 0, 2);
    }

    /** The round's WorkerHub.UpdateRevealed events, one per worker. */
    public static List<RawRecord> reveals(int round) {
        List<EncodedUpdate> updates = updates(round);
        List<RawRecord> out = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            out.add(Fixtures.reveal(TASK, round, Fixtures.HOME, Fixtures.worker(w), updates.get(w).root(), weight(w)));
        }
        return out;
    }

    /** Every chunk of every worker's update of the round. */
    public static List<RawRecord> chunks(int round) {
        List<EncodedUpdate> updates = updates(round);
        List<RawRecord> out = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            for (int c = 0; c < Fixtures.chunkCount(); c++) {
                out.add(Fixtures.chunk(TASK, round, Fixtures.HOME, Fixtures.worker(w), c, weight(w),
                        updates.get(w).root(), updates.get(w).chunks().get(c)));
            }
        }
        return out;
    }

    /** A confirmed home block head one second after the round's close (reveal deadline + grace). */
    public static RawRecord blockAfterClose(int round) {
        long timestamp = Fixtures.closeMillis(round) / 1000 + 1;
        return Fixtures.block(Fixtures.HOME, timestamp - Fixtures.START + 100, timestamp);
    }

    /** The round's total weight: the sum of its workers' revealed samples. */
    public static long totalWeight() {
        long total = 0;
        for (int w = 0; w < WORKERS; w++) {
            total += weight(w);
        }
        return total;
    }

    private static long weight(int worker) {
        return 10L + worker;
    }

    private static List<EncodedUpdate> updates(int round) {
        return Fixtures.updates(WORKERS, 1000L + round);
    }
}
