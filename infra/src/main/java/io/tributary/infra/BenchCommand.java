package io.tributary.infra;

import io.tributary.schemas.bench.CodecBench;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./tributary bench ...}: benchmarks that print ratios against a baseline measured in the
 * same run (these machines are shared and noisy: absolute numbers alone say little).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Run a benchmark and write its figures as one JSON object.",
        subcommands = {BenchCommand.Codec.class, BenchIngestCommand.class, BenchAggregateCommand.class, BenchE2eCommand.class})
public final class BenchCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The tensor codec against plain memory and float-loop baselines (JMH). */
    @Command(
            name = "codec",
            mixinStandardHelpOptions = true,
            description = {
                "Tensor wire format: decode + exact weighted accumulate, encode and Merkle hashing, "
                        + "against a plain memory read and a plain float32 weighted-sum loop measured in the same run.",
                "Writes memory_read_gbps, float_loop_mcoords_per_s, accumulate_mcoords_per_s, "
                        + "accumulate_vs_float, encode_mcoords_per_s, merkle_gbps (and more)."
            })
    static final class Codec implements Callable<Integer> {

        @Option(names = "--out", required = true, description = "JSON file to write.")
        Path out;

        @Option(names = "--coords", defaultValue = "1000000", description = "Coordinates per update, P (default ${DEFAULT-VALUE}).")
        int coords;

        @Option(names = "--updates", defaultValue = "100", description = "Updates aggregated, N (default ${DEFAULT-VALUE}).")
        int updates;

        @Option(names = "--mem-bytes", defaultValue = "268435456", description = "Bytes of the memory-read baseline (default ${DEFAULT-VALUE}).")
        long memBytes;

        @Option(names = "--warmup", defaultValue = "5", description = "JMH warm-up iterations (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--iterations", defaultValue = "5", description = "JMH measured iterations (default ${DEFAULT-VALUE}).")
        int iterations;

        @Option(names = "--time-ms", defaultValue = "1000", description = "Length of one iteration (default ${DEFAULT-VALUE} ms).")
        long timeMs;

        @Option(names = "--forks", defaultValue = "1", description = "JMH forks (default ${DEFAULT-VALUE}).")
        int forks;

        @Override
        public Integer call() throws Exception {
            if (coords < 64 || updates < 1 || warmup < 0 || iterations < 1 || timeMs < 1 || forks < 0) {
                throw new IllegalArgumentException("need --coords >= 64, --updates >= 1, --iterations >= 1, "
                        + "--time-ms >= 1, --warmup >= 0, --forks >= 0");
            }
            Path target = out.toAbsolutePath();
            if (target.getParent() != null) {
                java.nio.file.Files.createDirectories(target.getParent());
            }
            List<String> args = new ArrayList<>(List.of(
                    "--out", target.toString(),
                    "--coords", Integer.toString(coords),
                    "--updates", Integer.toString(updates),
                    "--mem-bytes", Long.toString(memBytes),
                    "--warmup", Integer.toString(warmup),
                    "--iterations", Integer.toString(iterations),
                    "--time-ms", Long.toString(timeMs),
                    "--forks", Integer.toString(forks)));
            CodecBench.main(args.toArray(String[]::new));
            System.out.println("tributary: codec benchmark written to " + target);
            return 0;
        }
    }
}
