package io.tributary.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * {@code ./tributary bench aggregate} runs the job's aggregation operators in a real MiniCluster
 * (small sizes here) and writes every figure and goal.
 */
class BenchAggregateIT {

    private static final int COORDS = 70_000; // 1,094 leaves: two chunks of up to 1,024 leaves
    private static final int UPDATES = 6;

    @Test
    void shouldWriteEveryAggregationFigureAndGoal() throws Exception {
        Path out = Path.of("target", "bench-it", "aggregate.json").toAbsolutePath();
        Files.deleteIfExists(out);
        int code = Tributary.commandLine().execute("bench", "aggregate", "--out", out.toString(),
                "--coords", Integer.toString(COORDS), "--updates", Integer.toString(UPDATES), "--parallelism", "2",
                "--warmups", "0", "--repeats", "1");
        assertThat(code).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toFile());
        double floatRate = json.path("float_loop_mcoords_per_s").asDouble();
        assertThat(floatRate).isPositive();
        for (String rule : List.of("fedavg", "median", "trimmed", "krum")) {
            JsonNode rate = json.path(rule + "_mcoords_per_s");
            assertThat(rate.isNumber()).as(rule).isTrue();
            assertThat(rate.asDouble()).as(rule).isPositive();
            assertThat(json.path(rule + "_vs_float").asDouble()).as(rule)
                    .isCloseTo(rate.asDouble() / floatRate, Offset.offset(1e-9));
            assertThat(json.path(rule + "_goal").asText()).as(rule).isIn("met", "not met");
            // Mcoords/s is N * P over the timed seconds.
            assertThat(rate.asDouble()).as(rule).isCloseTo(
                    (double) UPDATES * COORDS / json.path(rule + "_seconds").asDouble() / 1e6, Offset.offset(1e-6));
        }
        assertThat(json.path("transport_only_mcoords_per_s").asDouble()).isPositive();
        // FedAvg keeps one int64 sum per coordinate of the open round, and not much more.
        long state = json.path("state_bytes_per_open_round").asLong();
        assertThat(state).isGreaterThanOrEqualTo(8L * COORDS).isLessThanOrEqualTo(2L * COORDS * 8);
        assertThat(json.path("state_bytes_per_open_round_half_updates").asLong())
                .isGreaterThanOrEqualTo(8L * COORDS).isLessThanOrEqualTo(state);
        assertThat(json.path("goal_state_bytes_per_open_round").asLong()).isEqualTo(2L * COORDS * 8);
        assertThat(json.path("state_goal").asText()).isEqualTo("met");
        assertThat(json.path("updates").asInt()).isEqualTo(UPDATES);
        assertThat(json.path("coords").asInt()).isEqualTo(COORDS);
        assertThat(json.path("chunks").asInt()).isEqualTo(2);
        assertThat(json.path("parallelism").asInt()).isEqualTo(2);
        assertThat(json.path("timing").asText()).contains("median");
        assertThat(json.path("samples_seconds").path("krum")).hasSize(1); // --repeats 1
    }

    @Test
    void shouldRefuseTooFewUpdatesForMultiKrum() {
        int code = Tributary.commandLine().execute("bench", "aggregate", "--out", "target/bench-it/x.json",
                "--updates", "4", "--coords", "1000");
        assertThat(code).isNotZero();
    }
}
