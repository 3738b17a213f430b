package io.tributary.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.infra.demo.DemoReport;
import io.tributary.infra.devnet.DevnetInfo;
import io.tributary.infra.devnet.DevnetLock;
import io.tributary.infra.devnet.PrometheusTargets;
import io.tributary.infra.metrics.DashboardCheck;
import io.tributary.infra.metrics.PrometheusProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * The demo end to end with small settings: 2 rounds, one worker per chain (the one on home reads
 * the Postgres table), short windows and a lower accuracy bar. Every round must be committed on
 * home and finalized, every worker paid on its own chain, the escrow balanced, the report written
 * and everything stopped again.
 *
 * <p>A real Prometheus (Debian's package) scrapes the demo through the devnet's own config and
 * target files, and afterwards every query of every Grafana dashboard panel must return data over
 * the run, name only metrics some part exported, and every alert rule must evaluate
 * ({@link DashboardCheck}; what each panel showed goes to target/demo-it-dashboards.md).
 */
class DemoIT {

    @Test
    @Timeout(value = 7, unit = TimeUnit.MINUTES)
    void shouldTrainTwoRoundsOnThreeChainsAndWriteTheReportWhenRunWithSmallSettings() throws Exception {
        Path dir = Path.of("target", "demo-it").toAbsolutePath();
        Path reports = Path.of("target", "demo-it-report").toAbsolutePath();
        StringWriter out = new StringWriter();
        CommandLine cli = Tributary.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));

        Path prometheusConfig = PrometheusTargets.writeConfig(dir);
        Path prometheusDir = Path.of("target", "demo-it-prometheus").toAbsolutePath();
        io.tributary.infra.devnet.Devnet.deleteRecursively(prometheusDir);
        try (PrometheusProcess prometheus = PrometheusProcess.start(prometheusConfig, prometheusDir.resolve("data"),
                prometheusDir.resolve("prometheus.log"))) {
            Instant start = Instant.now();
            int code = cli.execute("demo", "--dir", dir.toString(), "--report-dir", reports.toString(), "--rounds", "2",
                    "--workers-per-chain", "1", "--min-accuracy", "0.80", "--commit-seconds", "16", "--reveal-seconds", "8",
                    "--challenge-seconds", "3");
            Instant end = Instant.now();
            assertDemo(code, out, dir, reports);

            assertThat(DashboardCheck.check(prometheus, start, end, Path.of("target", "demo-it-dashboards.md")))
                    .as("dashboard queries against what Prometheus scraped from the demo").isEmpty();
        }
    }

    private static void assertDemo(int code, StringWriter out, Path dir, Path reports) throws Exception {

        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString()).contains("task 1 ACCEPTED", "round 0 finalized", "round 1 finalized", "demo OK");

        JsonNode report = new ObjectMapper().readTree(reports.resolve(DemoReport.JSON).toFile());
        assertThat(report.get("rounds")).hasSize(2);
        double previous = 0;
        for (JsonNode round : report.get("rounds")) {
            assertThat(round.get("contributors").asInt()).as("contributors of %s", round).isEqualTo(3);
            assertThat(round.get("commitGas").asLong()).as("commit gas").isPositive();
            assertThat(round.get("commitTx").asText()).startsWith("0x").hasSize(66);
            assertThat(round.get("modelRoot").asText()).startsWith("0x").hasSize(66);
            assertThat(round.get("accuracy").asDouble()).isGreaterThan(previous);
            previous = round.get("accuracy").asDouble();
        }
        assertThat(report.get("final_accuracy").asDouble()).isEqualTo(previous).isGreaterThanOrEqualTo(0.80);

        Set<Long> paidChains = new HashSet<>();
        for (JsonNode reward : report.get("rewards")) {
            assertThat(reward.get("amount").bigIntegerValue()).as("reward %s", reward).isPositive();
            paidChains.add(reward.get("chain").asLong());
        }
        assertThat(paidChains).containsExactlyInAnyOrder(31337L, 412346L, 43112L);

        JsonNode escrow = report.get("escrow");
        DemoReport.Escrow e = new DemoReport.Escrow(escrow.get("deposited").bigIntegerValue(),
                escrow.get("paid").bigIntegerValue(), escrow.get("refunded").bigIntegerValue());
        assertThat(e.deposited()).isEqualTo(BigInteger.TEN.pow(21));
        assertThat(e.balances(BigInteger.valueOf(6))).as("escrow %s", e).isTrue();
        assertThat(reports.resolve(DemoReport.ACCURACY_PNG)).isNotEmptyFile();
        assertThat(reports.resolve(DemoReport.GAS_PNG)).isNotEmptyFile();

        assertThat(Files.exists(DevnetInfo.file(dir))).isFalse();
        assertThat(DevnetLock.inspect(dir).state()).isEqualTo(DevnetLock.State.ABSENT);
    }
}
