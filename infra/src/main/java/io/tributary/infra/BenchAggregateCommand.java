package io.tributary.infra;

import io.tributary.flink.bench.AggregationBench;
import io.tributary.schemas.bench.CodecBenchmarks;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./tributary bench aggregate}: the job's aggregation operators in a Flink MiniCluster against the float loop. */
@Command(
        name = "aggregate",
        mixinStandardHelpOptions = true,
        description = {
            "Aggregation operators of RoundAggregationJob (FedAvg, median, trimmed mean, multi-Krum) in a Flink "
                    + "MiniCluster over N updates of P coordinates, encoded before timing, against the codec "
                    + "benchmark's plain float32 weighted-sum loop measured in the same run.",
            "Writes float_loop_mcoords_per_s, fedavg|median|trimmed|krum_mcoords_per_s and _vs_float, "
                    + "state_bytes_per_open_round, the goals and whether each is met."
        })
final class BenchAggregateCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "JSON file to write.")
    Path out;

    @Option(names = "--updates", defaultValue = "100", description = "Updates aggregated, N (default ${DEFAULT-VALUE}).")
    int updates;

    @Option(names = "--coords", defaultValue = "1000000", description = "Coordinates per update, P (default ${DEFAULT-VALUE}).")
    int coords;

    @Option(names = "--parallelism", defaultValue = "1", description = "Parallelism of the Flink job (default ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed runs per rule; the median counts (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--warmups", defaultValue = "1", description = "Untimed runs per rule first (default ${DEFAULT-VALUE}).")
    int warmups;

    @Option(names = "--state-backend", defaultValue = "hashmap",
            description = "hashmap or rocksdb (the deployed job's backend) (default ${DEFAULT-VALUE}).")
    String stateBackend;

    @Override
    public Integer call() throws Exception {
        Path target = out.toAbsolutePath();
        AggregationBench bench = AggregationBench.builder()
                .updates(updates)
                .coords(coords)
                .parallelism(parallelism)
                .repeats(repeats)
                .warmups(warmups)
                .stateBackend(stateBackend)
                .workDir(Environment.current().home().resolve("target").resolve("bench-aggregate"))
                .floatLoop(this::floatLoop)
                .progress(line -> System.out.println("tributary: " + line))
                .build();
        Map<String, Object> figures = bench.run();
        AggregationBench.write(figures, target);
        for (Map.Entry<String, Object> e : figures.entrySet()) {
            if (!e.getKey().equals("timing") && !e.getKey().equals("state_method")) {
                System.out.println("  " + e.getKey() + ": " + e.getValue());
            }
        }
        System.out.println("tributary: aggregation benchmark written to " + target);
        return 0;
    }

    /** The codec benchmark's float32 baseline over the same N x P: one call is one weighted-sum pass. */
    private Runnable floatLoop() {
        CodecBenchmarks.FloatState state = new CodecBenchmarks.FloatState();
        state.coords = coords;
        state.updates = updates;
        state.setUp();
        CodecBenchmarks loop = new CodecBenchmarks();
        return () -> loop.floatLoop(state);
    }
}
