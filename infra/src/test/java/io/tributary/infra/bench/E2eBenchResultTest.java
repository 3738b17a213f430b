package io.tributary.infra.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class E2eBenchResultTest {

    /** A round of 2 MB: pipeline in {@code pipelineMs}, ceiling {@code ceiling} MB/s, commit latency {@code latencyMs}. */
    private static E2eBenchResult.Round round(int r, double pipelineMs, double ceiling, double latencyMs) {
        return new E2eBenchResult.Round(r, 10, 2_000_000, 5, pipelineMs, latencyMs, latencyMs + 100, 6, ceiling);
    }

    @Test
    void shouldTakeTheMediansOverRoundsAndTheRatioOfTheMedians() {
        E2eBenchResult result = new E2eBenchResult(1, 1000, 10, 6, 3, 3, 2, 1000, List.of(
                round(0, 4000, 100, 3000), round(1, 1000, 50, 1000), round(2, 2000, 200, 5000)));
        assertThat(result.pipelineMbPerS()).isEqualTo(1.0); // 0.5, 2, 1 MB/s
        assertThat(result.kafkaCeilingMbPerS()).isEqualTo(100);
        assertThat(result.pipelineVsKafka()).isEqualTo(0.01);
        assertThat(result.commitLatencyMillis()).isEqualTo(3000);
    }

    @Test
    void shouldAverageTheMiddleTwoWhenTheRoundsAreEven() {
        E2eBenchResult result = new E2eBenchResult(1, 1000, 10, 6, 3, 3, 2, 1000, List.of(
                round(0, 1000, 100, 1000), round(1, 1000, 300, 2000)));
        assertThat(result.kafkaCeilingMbPerS()).isEqualTo(200);
        assertThat(result.commitLatencyMillis()).isEqualTo(1500);
    }

    @Test
    void shouldAllowTwoSecondsPlusTheHomeConfirmationsForTheCommitLatency() {
        E2eBenchResult slow = new E2eBenchResult(1, 1000, 10, 6, 3, 3, 2, 1000, List.of(round(0, 1000, 2.0, 4001)));
        assertThat(slow.commitLatencyGoalMillis()).isEqualTo(4000);
        assertThat(slow.latencyGoalMet()).isFalse();
        assertThat(slow.ratioGoalMet()).isTrue(); // 2 MB/s of 2 MB/s
        E2eBenchResult fast = new E2eBenchResult(1, 1000, 10, 6, 3, 3, 4, 250, List.of(round(0, 1000, 10, 3000)));
        assertThat(fast.commitLatencyGoalMillis()).isEqualTo(3000);
        assertThat(fast.latencyGoalMet()).isTrue();
        assertThat(fast.ratioGoalMet()).isFalse(); // 0.2 < 0.6
    }

    @Test
    void shouldWriteTheFiguresTheGoalsAndHowTheyWereTimed() throws Exception {
        E2eBenchResult result = new E2eBenchResult(7, 1000, 10, 6, 3, 3, 2, 1000, List.of(round(0, 1000, 4, 500)));
        Path file = Path.of("target", "e2e-bench-result-test", "e2e.json");
        result.write(file);
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertThat(json.path("pipeline_mb_per_s").asDouble()).isEqualTo(2.0);
        assertThat(json.path("kafka_ceiling_mb_per_s").asDouble()).isEqualTo(4.0);
        assertThat(json.path("pipeline_vs_kafka").asDouble()).isEqualTo(0.5);
        assertThat(json.path("commit_latency_ms").asDouble()).isEqualTo(500);
        assertThat(json.path("pipeline_timing").asText()).contains("rounds.commitments", "read_committed");
        assertThat(json.path("goals").path("pipeline_vs_kafka")).isEqualTo(new ObjectMapper().valueToTree(
                Map.of("min", 0.6, "met", false)));
        assertThat(json.path("goals").path("commit_latency_ms")).isEqualTo(new ObjectMapper().valueToTree(
                Map.of("max", 4000.0, "met", true)));
        assertThat(json.path("goals_met").asBoolean()).isFalse();
        assertThat(json.path("rounds").get(0).path("commitment_record_after_last_chunk_ms").asDouble()).isEqualTo(600);
    }

    @Test
    void shouldRefuseAResultWithoutRounds() {
        assertThatThrownBy(() -> new E2eBenchResult(1, 1000, 10, 6, 3, 3, 2, 1000, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
