package io.tributary.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.trainer.MlpSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./tributary bench e2e} with one small round: a devnet of its own (three anvils, Kafka, the
 * connector, relayer and the round aggregation job committing on home), one worker per chain, and
 * the JSON it writes.
 */
class BenchE2eIT {

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldCommitTheRoundOfEveryWorkerAndWriteConsistentFigures() throws Exception {
        Path out = Path.of("target", "bench-it", "e2e.json").toAbsolutePath();
        Files.deleteIfExists(out);
        int code = Tributary.commandLine().execute("bench", "e2e", "--out", out.toString(),
                "--rounds", "1", "--workers-per-chain", "1",
                "--dir", Path.of("target", "bench-it", "e2e-devnet").toAbsolutePath().toString());
        assertThat(code).isZero();

        JsonNode json = new ObjectMapper().readTree(out.toFile());
        for (String field : List.of("kafka_ceiling_mb_per_s", "pipeline_mb_per_s", "pipeline_vs_kafka", "commit_latency_ms")) {
            assertThat(json.path(field).isNumber()).as(field).isTrue();
            assertThat(json.path(field).asDouble()).as(field).isPositive();
        }
        for (String field : List.of("pipeline_timing", "commit_latency_timing", "kafka_ceiling_timing",
                "pipeline_vs_kafka_is", "mb")) {
            assertThat(json.path(field).asText()).as(field).isNotBlank();
        }
        assertThat(json.path("workers").asInt()).isEqualTo(3);
        assertThat(json.path("chains").asInt()).isEqualTo(3);
        assertThat(json.path("parameters").asInt()).isEqualTo(MlpSpec.mnist().parameterCount());
        assertThat(json.path("rounds_measured").asInt()).isEqualTo(1);

        // the one round: every worker's update went into the commitment
        JsonNode round = json.path("rounds").get(0);
        assertThat(round.path("round").asInt()).isZero();
        assertThat(round.path("contributors").asInt()).isEqualTo(3);
        assertThat(round.path("bytes").asLong()).isEqualTo(json.path("bytes_per_round").asLong())
                .isGreaterThan(3L * MlpSpec.mnist().parameterCount()); // at least one byte per coordinate per worker
        assertThat(round.path("records").asInt()).isPositive().isEqualTo(json.path("records_per_round").asInt());
        // a commitment follows its last chunk; the pipeline holds the produce time
        assertThat(round.path("pipeline_ms").asDouble()).isGreaterThan(round.path("produce_ms").asDouble());
        assertThat(round.path("commitment_record_after_last_chunk_ms").asDouble()).isPositive();
        double pipeline = json.path("pipeline_mb_per_s").asDouble();
        assertThat(pipeline).isCloseTo(round.path("bytes").asLong() / 1e6 / (round.path("pipeline_ms").asDouble() / 1e3),
                Offset.offset(pipeline * 0.01));
        assertThat(json.path("pipeline_vs_kafka").asDouble()).isCloseTo(
                pipeline / json.path("kafka_ceiling_mb_per_s").asDouble(), Offset.offset(0.002));

        // goals: ratio >= 0.6, latency <= 2 s + home confirmations x block time (2 x 1 s on the devnet)
        JsonNode goals = json.path("goals");
        assertThat(goals.path("pipeline_vs_kafka").path("min").asDouble()).isEqualTo(0.6);
        assertThat(goals.path("pipeline_vs_kafka").path("met").asBoolean())
                .isEqualTo(json.path("pipeline_vs_kafka").asDouble() >= 0.6);
        assertThat(goals.path("commit_latency_ms").path("max").asDouble()).isEqualTo(4000);
        assertThat(goals.path("commit_latency_ms").path("met").asBoolean())
                .isEqualTo(json.path("commit_latency_ms").asDouble() <= 4000);
    }

    @Test
    void shouldRefuseWindowsThatDoNotFitTheRoundPeriod() {
        int code = Tributary.commandLine().execute("bench", "e2e", "--out", "target/bench-it/x.json",
                "--commit-window", "10", "--reveal-window", "10", "--round-period", "15",
                "--dir", Path.of("target", "bench-it", "e2e-refused").toAbsolutePath().toString());
        assertThat(code).isNotZero();
    }
}
