package io.tributary.infra;

import io.tributary.infra.bench.E2eBench;
import io.tributary.infra.bench.E2eBenchResult;
import io.tributary.infra.devnet.ChainSpec;
import io.tributary.infra.devnet.Devnet;
import io.tributary.infra.devnet.DevnetConfig;
import io.tributary.schemas.Topics;
import io.tributary.schemas.tensor.WireParams;
import io.tributary.trainer.MlpSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./tributary bench e2e}: starts a devnet of its own (three chains, Kafka, the connector,
 * relayer, task intake, round keeper and the round aggregation job on a Flink MiniCluster) and runs
 * {@link E2eBench} on it: workers on every chain commit and reveal, their chunks go through
 * {@code updates.chunks} into the job, which commits each round on home; the same bytes through a
 * bare producer → consumer give the Kafka ceiling of the same run. The devnet is stopped at the end.
 */
@Command(
        name = "e2e",
        mixinStandardHelpOptions = true,
        description = {
            "End to end on the devnet: update chunks of several workers on every chain through Kafka into the round "
                    + "aggregation job until the round's commitment is in rounds.commitments and commitRound is mined on "
                    + "home, against a bare producer -> consumer of the same bytes on the same broker, same run.",
            "Writes kafka_ceiling_mb_per_s, pipeline_mb_per_s, pipeline_vs_kafka, commit_latency_ms (medians over "
                    + "rounds), per-round figures, how each was timed, and the goals (ratio >= 0.6; commit latency <= "
                    + "2 s + home confirmations x block time) with met / not met."
        })
final class BenchE2eCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, description = "JSON file to write.")
    Path out;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds to measure (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--workers-per-chain", defaultValue = "2",
            description = "Workers on each of the three chains (default ${DEFAULT-VALUE}; the devnet has 3 worker keys).")
    int workersPerChain;

    @Option(names = "--commit-window", defaultValue = "6", description = "Commit window in seconds (default ${DEFAULT-VALUE}).")
    long commitWindow;

    @Option(names = "--reveal-window", defaultValue = "6", description = "Reveal window in seconds (default ${DEFAULT-VALUE}).")
    long revealWindow;

    @Option(names = "--round-period", defaultValue = "30",
            description = "Round period in seconds (default ${DEFAULT-VALUE}): room after the reveal deadline for the "
                    + "measurement, so that rounds do not overlap.")
    long roundPeriod;

    @Option(names = "--parameters", paramLabel = "P",
            description = "Coordinates per update: the model shape the bench's devnet job is started with "
                    + "(default: the MNIST MLP's, ${DEFAULT-VALUE}).")
    int parameters = MlpSpec.mnist().parameterCount();

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Where the benchmark's devnet keeps its files (default: target/bench-e2e in the repository).")
    Path dir;

    @Option(names = "--anvil", paramLabel = "PATH", description = "The anvil binary (default: the pinned one in contracts/node_modules).")
    Path anvil;

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        Environment env = Environment.current();
        Path devnetDir = dir != null ? dir : env.home().resolve("target").resolve("bench-e2e");
        // the bench's devnet job takes every model to have P coordinates, with the default chunk size
        E2eBench.Builder bench = E2eBench.builder()
                .dimension(parameters)
                .chunkLeavesLog2(WireParams.DEFAULT_CHUNK_LEAVES_LOG2)
                .rounds(rounds)
                .workersPerChain(workersPerChain)
                .windows(commitWindow, revealWindow, roundPeriod)
                .progress(line -> say(console, line))
                .checkOptions();
        DevnetConfig config = new DevnetConfig(devnetDir, anvil != null ? anvil : env.anvil(), env.cacheDir(),
                ChainSpec.defaults(), Topics.all().stream().map(Topics.Topic::name).toList(), 3, parameters);
        E2eBenchResult result;
        try (Devnet devnet = Devnet.start(config, line -> say(console, "devnet: " + line))) {
            result = bench.devnet(devnet.info()).stateDir(config.dir().resolve("bench")).build().run();
        }
        result.write(out);
        say(console, String.format(Locale.ROOT,
                "tributary: e2e benchmark written to %s: pipeline %.2f MB/s, Kafka ceiling %.1f MB/s, ratio %.3f "
                        + "(goal >= %.1f: %s); commit latency %.0f ms (goal <= %d ms: %s)",
                out.toAbsolutePath(), result.pipelineMbPerS(), result.kafkaCeilingMbPerS(), result.pipelineVsKafka(),
                E2eBenchResult.GOAL_VS_KAFKA, result.ratioGoalMet() ? "met" : "not met", result.commitLatencyMillis(),
                result.commitLatencyGoalMillis(), result.latencyGoalMet() ? "met" : "not met"));
        return 0;
    }

    private static void say(PrintWriter console, String line) {
        console.println(line);
        console.flush();
    }
}
