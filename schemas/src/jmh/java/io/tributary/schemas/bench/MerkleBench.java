package io.tributary.schemas.bench;

import io.tributary.schemas.merkle.Sha256Engine;
import io.tributary.schemas.tensor.WireParams;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link MerkleBenchmarks} for every available {@link Sha256Engine} in one JMH run and writes
 * one JSON object: GB/s of leaf bytes per engine on one thread and on all cores, and each engine's
 * ratio to {@code MESSAGE_DIGEST} measured in the same run.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp CLASSPATH io.tributary.schemas.bench.MerkleBench \
 *      --out target/merkle-bench.json [--leaves L] [--warmup I] [--iterations I] [--time-ms T] [--forks F]
 * </pre>
 */
public final class MerkleBench {

    private MerkleBench() {}

    public static void main(String[] args) throws RunnerException, IOException {
        Map<String, String> opt = new LinkedHashMap<>();
        opt.put("out", null);
        opt.put("leaves", "15625"); // 1,000,000 coordinates
        opt.put("warmup", "5");
        opt.put("iterations", "5");
        opt.put("time-ms", "1000");
        opt.put("forks", "1");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || !opt.containsKey(a.substring(2)) || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: MerkleBench --out FILE.json [--leaves L] [--warmup I] "
                        + "[--iterations I] [--time-ms T] [--forks F]; bad argument: " + a);
            }
            opt.put(a.substring(2), args[++i]);
        }
        if (opt.get("out") == null) {
            throw new IllegalArgumentException("--out FILE.json is required");
        }
        int leaves = Integer.parseInt(opt.get("leaves"));
        List<String> engines = new ArrayList<>();
        for (Sha256Engine e : Sha256Engine.values()) {
            if (e.isAvailable()) {
                engines.add(e.name());
            }
        }
        TimeValue time = TimeValue.milliseconds(Long.parseLong(opt.get("time-ms")));
        OptionsBuilder b = new OptionsBuilder();
        b.include(MerkleBenchmarks.class.getName() + "\\.")
                .param("leaves", Integer.toString(leaves))
                .param("engine", engines.toArray(String[]::new))
                .warmupIterations(Integer.parseInt(opt.get("warmup")))
                .warmupTime(time)
                .measurementIterations(Integer.parseInt(opt.get("iterations")))
                .measurementTime(time)
                .forks(Integer.parseInt(opt.get("forks")))
                .jvmArgs("--add-modules=jdk.incubator.vector", "-Xmx2g");
        double leafBytes = (double) leaves * WireParams.LEAF_BYTES;
        Map<String, Double> gbps = new LinkedHashMap<>();
        for (RunResult r : new Runner(b.build()).run()) {
            String name = r.getParams().getBenchmark();
            String key = r.getParams().getParam("engine").toLowerCase(Locale.ROOT) + "_"
                    + (name.endsWith(".oneThread") ? "single_thread" : "parallel") + "_gbps";
            gbps.put(key, r.getPrimaryResult().getScore() * leafBytes / 1e9);
        }

        Map<String, Object> json = new LinkedHashMap<>(gbps);
        json.put("default_engine", Sha256Engine.fastest().name());
        for (String e : engines) {
            if (e.equals(Sha256Engine.MESSAGE_DIGEST.name())) {
                continue;
            }
            String low = e.toLowerCase(Locale.ROOT);
            for (String mode : new String[] {"single_thread", "parallel"}) {
                json.put(low + "_vs_message_digest_" + mode,
                        gbps.getOrDefault(low + "_" + mode + "_gbps", Double.NaN)
                                / gbps.getOrDefault("message_digest_" + mode + "_gbps", Double.NaN));
            }
        }
        json.put("leaves", leaves);
        json.put("leaf_bytes", WireParams.LEAF_BYTES);
        json.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        json.put("cpus", Runtime.getRuntime().availableProcessors());

        BenchJson.write(json, Path.of(opt.get("out")));
    }
}
