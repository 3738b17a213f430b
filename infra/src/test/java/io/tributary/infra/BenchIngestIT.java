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
 * {@code ./tributary bench ingest} end to end with a small fill: a devnet of its own, the real
 * connector on the embedded Connect worker with exactly-once, the bare RPC loop, and the JSON.
 */
class BenchIngestIT {

    @Test
    void shouldDeliverEveryFilledLogOnceAndWriteSaneFigures() throws Exception {
        Path out = Path.of("target", "bench-it", "ingest.json").toAbsolutePath();
        Files.deleteIfExists(out);
        int code = Tributary.commandLine().execute("bench", "ingest", "--out", out.toString(),
                "--events", "2000", "--logs-per-block", "500",
                "--dir", Path.of("target", "bench-it", "ingest-devnet").toAbsolutePath().toString());
        assertThat(code).isZero();

        JsonNode json = new ObjectMapper().readTree(out.toFile());
        for (String field : List.of("logs_per_s", "rpc_ceiling_logs_per_s", "logs_vs_rpc_ceiling", "connector_s",
                "rpc_best_pass_s", "fill_s")) {
            assertThat(json.path(field).isNumber()).as(field).isTrue();
            assertThat(json.path(field).asDouble()).as(field).isPositive();
        }
        assertThat(json.path("events").asLong()).isEqualTo(2000);
        assertThat(json.path("blocks").asLong()).isEqualTo(4);
        assertThat(json.path("last_block").asLong() - json.path("first_block").asLong() + 1).isEqualTo(4);
        // exactly once: every filled log in chain.events, none twice
        assertThat(json.path("connector_records").asLong()).isEqualTo(2000);
        assertThat(json.path("connector_duplicates").asLong()).isZero();
        assertThat(json.path("rpc_logs_per_pass").asLong()).isGreaterThanOrEqualTo(2000);
        assertThat(json.path("connector_first_record_s").asDouble())
                .isLessThanOrEqualTo(json.path("connector_s").asDouble());
        assertThat(json.path("logs_per_s").asDouble()).isCloseTo(
                2000 / json.path("connector_s").asDouble(), Offset.offset(json.path("logs_per_s").asDouble() * 0.01));
        assertThat(json.path("logs_vs_rpc_ceiling").asDouble()).isCloseTo(
                json.path("logs_per_s").asDouble() / json.path("rpc_ceiling_logs_per_s").asDouble(), Offset.offset(0.01));

        // the ranges cover block 0 to the last confirmed block without gaps
        JsonNode ranges = json.path("ranges");
        assertThat(ranges.size()).isEqualTo(json.path("range_count").asInt()).isPositive();
        long next = 0;
        for (JsonNode r : ranges) {
            assertThat(r.get(0).asLong()).isEqualTo(next);
            assertThat(r.get(1).asLong()).isGreaterThanOrEqualTo(r.get(0).asLong());
            next = r.get(1).asLong() + 1;
        }
        assertThat(next - 1).isEqualTo(json.path("head").asLong() - json.path("confirmations").asLong())
                .isGreaterThanOrEqualTo(json.path("last_block").asLong());

        JsonNode goals = json.path("goals");
        assertThat(goals.path("logs_vs_rpc_ceiling").path("min").asDouble()).isEqualTo(0.7);
        assertThat(goals.path("logs_per_s").path("min").asDouble()).isEqualTo(5000);
        assertThat(goals.path("logs_per_s").path("met").asBoolean())
                .isEqualTo(json.path("logs_per_s").asDouble() >= 5000);
        assertThat(goals.path("logs_vs_rpc_ceiling").path("met").asBoolean())
                .isEqualTo(json.path("logs_vs_rpc_ceiling").asDouble() >= 0.7);
    }

    @Test
    void shouldRefuseNonsenseSizes() {
        int code = Tributary.commandLine().execute("bench", "ingest", "--out", "target/bench-it/x.json", "--events", "0");
        assertThat(code).isNotZero();
    }
}
