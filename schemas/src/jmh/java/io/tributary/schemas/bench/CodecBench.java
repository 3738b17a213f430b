package io.tributary.schemas.bench;

import io.tributary.schemas.merkle.Sha256Engine;
import io.tributary.schemas.tensor.WireParams;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link CodecBenchmarks} with JMH and writes one JSON object of rates and ratios against the
 * baselines measured in the same run.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --add-opens=java.base/java.nio=ALL-UNNAMED \
 *      -cp CLASSPATH io.tributary.schemas.bench.CodecBench --out target/codec-bench.json
 *   [--coords P] [--updates N] [--mem-bytes B] [--warmup I] [--iterations I] [--time-ms T] [--forks F]
 * </pre>
 */
public final class CodecBench {

    private CodecBench() {}

    public static void main(String[] args) throws RunnerException, IOException {
        Map<String, String> opt = new LinkedHashMap<>();
        opt.put("out", null);
        opt.put("coords", "1000000");
        opt.put("updates", "100");
        opt.put("mem-bytes", "268435456");
        opt.put("warmup", "5");
        opt.put("iterations", "5");
        opt.put("time-ms", "1000");
        opt.put("forks", "1");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || !opt.containsKey(a.substring(2)) || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: CodecBench --out FILE.json [--coords P] [--updates N] "
                        + "[--mem-bytes B] [--warmup I] [--iterations I] [--time-ms T] [--forks F]; bad argument: " + a);
            }
            opt.put(a.substring(2), args[++i]);
        }
        if (opt.get("out") == null) {
            throw new IllegalArgumentException("--out FILE.json is required");
        }
        int coords = Integer.parseInt(opt.get("coords"));
        int updates = Integer.parseInt(opt.get("updates"));
        long memBytes = Long.parseLong(opt.get("mem-bytes"));
        TimeValue time = TimeValue.milliseconds(Long.parseLong(opt.get("time-ms")));

        ChainedOptionsBuilder b = new OptionsBuilder()
                .include(CodecBenchmarks.class.getName() + "\\.")
                .param("coords", Integer.toString(coords))
                .param("updates", Integer.toString(updates))
                .param("memBytes", Long.toString(memBytes))
                .warmupIterations(Integer.parseInt(opt.get("warmup")))
                .warmupTime(time)
                .measurementIterations(Integer.parseInt(opt.get("iterations")))
                .measurementTime(time)
                .forks(Integer.parseInt(opt.get("forks")))
                .jvmArgs("--add-modules=jdk.incubator.vector", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                        "-Xmx4g"); // no -Xms: a large untouched heap made runs erratic here
        Collection<RunResult> results = new Runner(b.build()).run();

        Map<String, Double> score = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            score.put(name.substring(name.lastIndexOf('.') + 1), r.getPrimaryResult().getScore());
        }
        double coordsAll = (double) coords * updates;
        double leafBytes = (double) WireParams.LEAF_BYTES * ((coords + WireParams.LEAF_COORDS - 1) / WireParams.LEAF_COORDS);
        double memory = score.getOrDefault("memoryRead", Double.NaN) * memBytes / 1e9;
        double floatLoop = score.getOrDefault("floatLoop", Double.NaN) * coordsAll / 1e6;
        double accumulate = score.getOrDefault("accumulate", Double.NaN) * coordsAll / 1e6;
        double encode = score.getOrDefault("encode", Double.NaN) * coords / 1e6;
        double merkle = score.getOrDefault("merkle", Double.NaN) * leafBytes / 1e9;
        double merkleParallel = score.getOrDefault("merkleParallel", Double.NaN) * leafBytes / 1e9;
        double merkleDigest = score.getOrDefault("merkleMessageDigest", Double.NaN) * leafBytes / 1e9;
        double merkleDigestParallel = score.getOrDefault("merkleMessageDigestParallel", Double.NaN) * leafBytes / 1e9;

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("memory_read_gbps", memory);
        json.put("float_loop_mcoords_per_s", floatLoop);
        json.put("accumulate_mcoords_per_s", accumulate);
        json.put("accumulate_vs_float", accumulate / floatLoop);
        json.put("encode_mcoords_per_s", encode);
        json.put("merkle_gbps", Math.max(merkle, merkleParallel));
        json.put("merkle_single_thread_gbps", merkle);
        json.put("merkle_parallel_gbps", merkleParallel);
        json.put("merkle_engine", Sha256Engine.fastest().name());
        json.put("merkle_messagedigest_gbps", Math.max(merkleDigest, merkleDigestParallel));
        json.put("merkle_messagedigest_single_thread_gbps", merkleDigest);
        json.put("merkle_messagedigest_parallel_gbps", merkleDigestParallel);
        json.put("merkle_vs_messagedigest", Math.max(merkle, merkleParallel) / Math.max(merkleDigest, merkleDigestParallel));
        json.put("float_loop_input_gbps", floatLoop * 1e6 * Float.BYTES / 1e9);
        json.put("accumulate_input_gbps", accumulate * 1e6 * WireParams.LEAF_BYTES / WireParams.LEAF_COORDS / 1e9);
        json.put("coords", coords);
        json.put("updates", updates);
        json.put("mem_bytes", memBytes);
        json.put("format_version", WireParams.FORMAT_VERSION);
        json.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        json.put("cpus", Runtime.getRuntime().availableProcessors());

        BenchJson.write(json, Path.of(opt.get("out")));
    }
}
