package io.tributary.infra.bench;

import io.tributary.ingest.bench.BenchOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The figures of one end-to-end benchmark run: one {@link Round} per measured round, and their
 * medians against the goals. MB are 10^6 bytes of serialized {@code updates.chunks} records
 * (key + value).
 *
 * @param taskId the benchmark's task
 * @param dimension coordinates per update (P)
 * @param chunkLeavesLog2 leaves per chunk, log2
 * @param workers workers contributing to each round
 * @param chains chains they are on
 * @param partitions partitions of {@code updates.chunks} (and of the ceiling's scratch topic)
 * @param homeConfirmations the connector's confirmation depth on the home chain
 * @param homeBlockTimeMillis the home chain's block time
 * @param rounds the measured rounds
 */
public record E2eBenchResult(long taskId, int dimension, int chunkLeavesLog2, int workers, int chains, int partitions,
                             long homeConfirmations, long homeBlockTimeMillis, List<Round> rounds) {

    /** The goal: the pipeline carries at least this share of the bare Kafka ceiling. */
    public static final double GOAL_VS_KAFKA = 0.6;
    /** The goal for the commit latency, before the home chain's confirmations are added. */
    public static final long GOAL_COMMIT_LATENCY_BASE_MS = 2_000;

    static final String PIPELINE_TIMING = "per round: seconds from the first updates.chunks record handed to the "
            + "producer (all records serialized beforehand, produced only once every chain's confirmed head in "
            + "chain.blocks was at or past the round's reveal deadline) until the round's record was read from "
            + "rounds.commitments by a read_committed consumer (polling every 10 ms) that was positioned at the "
            + "topic's end before the round; pipeline_mb_per_s = median over rounds of chunk MB / those seconds";
    static final String COMMIT_LATENCY_TIMING = "per round: milliseconds from the producer's flush returning with "
            + "every chunk acknowledged (acks=all) until TaskCoordinator.roundCommitment on home showed the round "
            + "committed (eth_call on the latest block, polled every 20 ms); median over rounds";
    static final String KAFKA_CEILING_TIMING = "per round, right after it: the same records (same keys and values) "
            + "produced by the same producer (acks=all, idempotent, linger 5 ms) to a scratch topic with as many "
            + "partitions on the same broker, read by a bare read_committed consumer; MB / seconds from the first "
            + "send to the last record read, best of " + E2eBench.CEILING_PASSES + " passes; median over rounds";
    static final String RATIO = "pipeline_mb_per_s / kafka_ceiling_mb_per_s (the medians)";

    public E2eBenchResult {
        rounds = List.copyOf(rounds);
        if (rounds.isEmpty()) {
            throw new IllegalArgumentException("a result needs at least one round");
        }
    }

    /**
     * One round.
     *
     * @param round the round (0-based)
     * @param records update chunk records of all workers
     * @param bytes their serialized size (key + value)
     * @param produceMillis first send until every record was acknowledged
     * @param pipelineMillis first send until the commitment was visible in {@code rounds.commitments}
     * @param commitLatencyMillis last record acknowledged until commitRound was visible on home
     * @param commitmentRecordMillis last record acknowledged until the commitment was visible in Kafka
     * @param contributors contributors the job counted in the round's commitment
     * @param kafkaCeilingMbPerS the bare producer → consumer rate of the same records
     */
    public record Round(int round, int records, long bytes, double produceMillis, double pipelineMillis,
                        double commitLatencyMillis, double commitmentRecordMillis, int contributors,
                        double kafkaCeilingMbPerS) {

        public double pipelineMbPerS() {
            return bytes / 1e6 / (pipelineMillis / 1e3);
        }

        Round withCeiling(double mbPerS) {
            return new Round(round, records, bytes, produceMillis, pipelineMillis, commitLatencyMillis,
                    commitmentRecordMillis, contributors, mbPerS);
        }

        Map<String, Object> toJson() {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("round", round);
            j.put("records", records);
            j.put("bytes", bytes);
            j.put("contributors", contributors);
            j.put("produce_ms", round3(produceMillis));
            j.put("pipeline_ms", round3(pipelineMillis));
            j.put("pipeline_mb_per_s", round3(pipelineMbPerS()));
            j.put("kafka_ceiling_mb_per_s", round3(kafkaCeilingMbPerS));
            j.put("pipeline_vs_kafka", round3(pipelineMbPerS() / kafkaCeilingMbPerS));
            j.put("commit_latency_ms", round3(commitLatencyMillis));
            j.put("commitment_record_after_last_chunk_ms", round3(commitmentRecordMillis));
            return j;
        }
    }

    public double kafkaCeilingMbPerS() {
        return median(Round::kafkaCeilingMbPerS);
    }

    public double pipelineMbPerS() {
        return median(Round::pipelineMbPerS);
    }

    public double pipelineVsKafka() {
        return pipelineMbPerS() / kafkaCeilingMbPerS();
    }

    public double commitLatencyMillis() {
        return median(Round::commitLatencyMillis);
    }

    /** 2 s plus the home chain's confirmations times its block time. */
    public long commitLatencyGoalMillis() {
        return GOAL_COMMIT_LATENCY_BASE_MS + homeConfirmations * homeBlockTimeMillis;
    }

    public boolean ratioGoalMet() {
        return pipelineVsKafka() >= GOAL_VS_KAFKA;
    }

    public boolean latencyGoalMet() {
        return commitLatencyMillis() <= commitLatencyGoalMillis();
    }

    /** Every figure under a snake_case name, in a stable order. */
    public Map<String, Object> toJson() {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("kafka_ceiling_mb_per_s", round3(kafkaCeilingMbPerS()));
        j.put("pipeline_mb_per_s", round3(pipelineMbPerS()));
        j.put("pipeline_vs_kafka", round3(pipelineVsKafka()));
        j.put("commit_latency_ms", round3(commitLatencyMillis()));
        j.put("mb", "10^6 bytes of serialized updates.chunks records (key + value)");
        j.put("pipeline_timing", PIPELINE_TIMING);
        j.put("commit_latency_timing", COMMIT_LATENCY_TIMING);
        j.put("kafka_ceiling_timing", KAFKA_CEILING_TIMING);
        j.put("pipeline_vs_kafka_is", RATIO);
        j.put("task_id", taskId);
        j.put("parameters", dimension);
        j.put("chunk_leaves_log2", chunkLeavesLog2);
        j.put("workers", workers);
        j.put("chains", chains);
        j.put("partitions", partitions);
        j.put("bytes_per_round", rounds.get(0).bytes());
        j.put("records_per_round", rounds.get(0).records());
        j.put("home_confirmations", homeConfirmations);
        j.put("home_block_time_ms", homeBlockTimeMillis);
        j.put("rounds_measured", rounds.size());
        j.put("rounds", rounds.stream().map(Round::toJson).toList());
        Map<String, Object> goals = new LinkedHashMap<>();
        goals.put("pipeline_vs_kafka", BenchOutput.atLeast(GOAL_VS_KAFKA, ratioGoalMet()));
        goals.put("commit_latency_ms", BenchOutput.atMost(commitLatencyGoalMillis(), latencyGoalMet()));
        j.put("goals", goals);
        j.put("goals_met", ratioGoalMet() && latencyGoalMet());
        return j;
    }

    /** Writes {@link #toJson()} to {@code file}, creating its folder. */
    public void write(Path file) throws IOException {
        BenchOutput.write(toJson(), file);
    }

    private double median(ToDoubleFunction<Round> f) {
        double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static double round3(double v) {
        return BenchOutput.round3(v);
    }
}
