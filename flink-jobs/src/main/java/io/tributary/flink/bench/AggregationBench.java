package io.tributary.flink.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.flink.ChunkAggregateFunction;
import io.tributary.flink.KrumApplyFunction;
import io.tributary.flink.KrumSelectFunction;
import io.tributary.flink.RoundMessage;
import io.tributary.schemas.avro.AggregationRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregation benchmark of issue 5: the job's own aggregation operators
 * ({@link ChunkAggregateFunction}, and for multi-Krum {@link KrumSelectFunction} and
 * {@link KrumApplyFunction}) run in a Flink MiniCluster over N updates of P coordinates, fed by an
 * in-memory source of chunks encoded before any timing, against a plain float32 weighted-sum loop
 * over the same N x P timed in the same run (the caller passes the codec benchmark's
 * {@code CodecBenchmarks.floatLoop}, so both benchmarks share one baseline and flink-jobs does not
 * depend on the benchmark jar).
 *
 * <p>A rule's rate is {@code N * P / seconds}, the seconds being the wall time from the source's
 * first message to the last aggregated chunk at the sink (cluster start, job deployment and
 * encoding excluded), median over the timed runs. The FedAvg state of an open round is the size of
 * the aggregation operator's keyed state in a checkpoint taken after every update is folded and
 * before the round closes.
 */
public final class AggregationBench {

    private static final Logger LOG = LoggerFactory.getLogger(AggregationBench.class);
    private static final String AGGREGATE = "chunk-aggregate";
    private static final String TRANSPORT = "transport_only";
    /** Goals of issue 5, as fractions of the float loop's rate. */
    public static final double FEDAVG_GOAL = 0.5;
    public static final double ROBUST_GOAL = 0.1;

    private final int updates;
    private final int coords;
    private final int parallelism;
    private final int warmups;
    private final int repeats;
    private final String stateBackend;
    private final int trimBetaPerMille;
    private final int krumF;
    private final Path workDir;
    private final Consumer<String> progress;
    private final Supplier<Runnable> floatLoop;

    private AggregationBench(Builder b) {
        this.floatLoop = b.floatLoop;
        this.updates = b.updates;
        this.coords = b.coords;
        this.parallelism = b.parallelism;
        this.warmups = b.warmups;
        this.repeats = b.repeats;
        this.stateBackend = b.stateBackend;
        this.trimBetaPerMille = b.trimBetaPerMille;
        this.krumF = b.krumF == null ? defaultKrumF(b.updates) : b.krumF;
        this.workDir = b.workDir;
        this.progress = b.progress;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Multi-Krum's f when not given: a tenth of the updates, at least 1, at most what n > 2f + 2 allows. */
    static int defaultKrumF(int updates) {
        return Math.max(1, Math.min(updates / 10, (updates - 3) / 2));
    }

    /** Runs everything and returns the figures, in the order they are written. */
    public Map<String, Object> run() throws Exception {
        Files.createDirectories(workDir);
        double floatSeconds = floatLoopSeconds();
        String roundId = UUID.randomUUID().toString();
        say("encoding %d updates of %d coordinates", updates, coords);
        long t0 = System.nanoTime();
        BenchRound round = BenchRound.prepare(roundId, coords, updates, 42, u -> {
            if (u % Math.max(1, updates / 4) == 0 && u < updates) {
                say("  %d of %d encoded", u, updates);
            }
        });
        say("encoded %d chunks per update in %.1f s", round.chunkCount(), (System.nanoTime() - t0) / 1e9);
        Map<String, Double> seconds = new LinkedHashMap<>();
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        long stateBytes;
        long stateBytesHalf;
        try (MiniCluster cluster = startCluster()) {
            stateBytes = openRoundStateBytes(cluster, round, updates);
            stateBytesHalf = openRoundStateBytes(cluster, round, updates / 2);
            say("FedAvg state of one open round: %d bytes (%.3f x P x 8) with %d updates, %d bytes with %d",
                    stateBytes, stateBytes / (8.0 * coords), updates, stateBytesHalf, updates / 2);
            for (Rule r : Rule.values()) {
                timeRule(cluster, round, r, false, samples, seconds);
            }
            timeRule(cluster, round, Rule.FEDAVG, true, samples, seconds);
        } finally {
            round.release();
            deleteTree(workDir);
        }

        double floatRate = mcoords(floatSeconds);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("float_loop_mcoords_per_s", floatRate);
        for (Rule r : Rule.values()) {
            double rate = mcoords(seconds.get(r.key));
            json.put(r.key + "_mcoords_per_s", rate);
            json.put(r.key + "_vs_float", rate / floatRate);
        }
        json.put("state_bytes_per_open_round", stateBytes);
        json.put("state_bytes_per_open_round_half_updates", stateBytesHalf);
        long stateGoal = 2L * coords * 8;
        json.put("goal_fedavg_vs_float", FEDAVG_GOAL);
        json.put("goal_robust_vs_float", ROBUST_GOAL);
        json.put("goal_state_bytes_per_open_round", stateGoal);
        for (Rule r : Rule.values()) {
            double goal = r == Rule.FEDAVG ? FEDAVG_GOAL : ROBUST_GOAL;
            json.put(r.key + "_goal", met(mcoords(seconds.get(r.key)) / floatRate >= goal));
        }
        json.put("state_goal", met(stateBytes <= stateGoal));
        for (Rule r : Rule.values()) {
            json.put(r.key + "_seconds", seconds.get(r.key));
        }
        json.put("float_loop_seconds", floatSeconds);
        json.put(TRANSPORT + "_seconds", seconds.get(TRANSPORT));
        json.put(TRANSPORT + "_mcoords_per_s", mcoords(seconds.get(TRANSPORT)));
        json.put(TRANSPORT + "_vs_float", mcoords(seconds.get(TRANSPORT)) / floatRate);
        json.put("timing", "Mcoords/s = N * P / seconds. Rules: wall time (System.nanoTime, one JVM) from the first "
                + "message leaving the in-memory source to the last aggregated chunk reaching the sink, inside an "
                + "already running MiniCluster job (cluster start, job deployment and chunk encoding excluded; "
                + "the chunks cross Flink's network stack serialized, as in the job); median of " + repeats
                + " runs after " + warmups + " warm-up run(s). Float loop: CodecBenchmarks.floatLoop called directly, "
                + "median of " + repeats + " calls after " + warmups + " warm-up call(s).");
        json.put("state_method", "checkpointed size of the " + AGGREGATE + " operator's keyed state (all chunks of the "
                + "round, all subtasks) after every update was folded and before the round closed, " + stateBackend
                + " state backend; also with half the updates, to show it does not grow with N beyond one "
                + "contributor id per chunk");
        json.put("samples_seconds", samples);
        json.put("updates", updates);
        json.put("coords", coords);
        json.put("chunks", BenchRound.params(coords, updates).chunkCount());
        json.put("parallelism", parallelism);
        json.put("state_backend", stateBackend);
        json.put("trimmed_beta_per_mille", trimBetaPerMille);
        json.put("krum_f", krumF);
        json.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        json.put("cpus", Runtime.getRuntime().availableProcessors());
        return json;
    }

    private static String met(boolean ok) {
        return ok ? "met" : "not met";
    }

    /** The float loop over the same N x P, timed here (median of the repeats); its data is dropped after. */
    private double floatLoopSeconds() {
        say("float32 baseline: N=%d x P=%d weighted sum", updates, coords);
        Runnable loop = floatLoop.get();
        int calls = Math.max(3, warmups);
        for (int i = 0; i < calls; i++) {
            loop.run();
        }
        List<Double> runs = new ArrayList<>();
        for (int i = 0; i < Math.max(3, repeats); i++) {
            long t = System.nanoTime();
            loop.run();
            runs.add((System.nanoTime() - t) / 1e9);
        }
        double s = median(runs);
        say("float loop: %.4f s, %.1f Mcoords/s", s, mcoords(s));
        return s;
    }

    private MiniCluster startCluster() throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, workDir.resolve("checkpoints").toUri().toString());
        conf.set(CoreOptions.TMP_DIRS, workDir.resolve("tmp").toString());
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(parallelism)
                .setCommonBindAddress("127.0.0.1")
                .build());
        cluster.start();
        return cluster;
    }

    private void timeRule(MiniCluster cluster, BenchRound round, Rule r, boolean transportOnly,
                          Map<String, List<Double>> samples, Map<String, Double> seconds) throws Exception {
        String key = transportOnly ? TRANSPORT : r.key;
        List<Double> runs = new ArrayList<>();
        for (int i = 0; i < warmups + repeats; i++) {
            double s = timedRun(cluster, round, r, transportOnly);
            boolean warm = i < warmups;
            say("%s run %d/%d%s: %.3f s, %.1f Mcoords/s", key, i + 1, warmups + repeats, warm ? " (warm-up)" : "", s,
                    mcoords(s));
            if (!warm) {
                runs.add(s);
            }
        }
        samples.put(key, runs);
        seconds.put(key, median(runs));
    }

    /** One timed job of {@code rule}: seconds from the first message out of the source to the last result. */
    private double timedRun(MiniCluster cluster, BenchRound round, Rule rule, boolean transportOnly) throws Exception {
        String runId = UUID.randomUUID().toString();
        BenchClock clock = BenchClock.open(runId);
        try {
            StreamExecutionEnvironment env = environment();
            DataStream<Long> chunks = env.fromSequence(0, round.chunkCount() - 1).name("chunk indices");
            topology(chunks, round, rule, runId, updates, true, transportOnly);
            JobID job = cluster.submitJob(env.getStreamGraph()).get().getJobID();
            JobResult result = cluster.requestJobResult(job).get();
            requireSuccess(result, rule.key);
            if (clock.problem != null) {
                throw new IllegalStateException(rule.key + ": " + clock.problem);
            }
            if (clock.results.get() != round.chunkCount()) {
                throw new IllegalStateException(rule.key + ": " + clock.results.get() + " results for "
                        + round.chunkCount() + " chunks");
            }
            return clock.seconds();
        } finally {
            BenchClock.close(runId);
        }
    }

    /**
     * Feeds every update of the round to FedAvg without closing it, checkpoints, and reads the
     * checkpointed size of the aggregation operator's state.
     */
    private long openRoundStateBytes(MiniCluster cluster, BenchRound round, int contributors) throws Exception {
        say("measuring the FedAvg state of one open round of %d updates (checkpoint before the close)", contributors);
        String runId = UUID.randomUUID().toString();
        BenchClock clock = BenchClock.open(runId);
        JobID job = null;
        try {
            StreamExecutionEnvironment env = environment();
            env.enableCheckpointing(Duration.ofHours(1).toMillis()); // only the checkpoint triggered below
            DataStream<Long> chunks = env.fromSequence(0, Long.MAX_VALUE).setParallelism(1).name("chunk indices");
            topology(chunks, round, Rule.FEDAVG, runId, contributors, false, false);
            job = cluster.submitJob(env.getStreamGraph()).get().getJobID();
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (clock.groupsEmitted.get() < round.chunkCount()) {
                if (System.nanoTime() > deadline || cluster.requestJobResult(job).isDone()) {
                    throw new IllegalStateException("the open-round job stopped or stalled after "
                            + clock.groupsEmitted.get() + " of " + round.chunkCount() + " chunks");
                }
                Thread.sleep(20);
            }
            // The barrier follows the last emitted message: the snapshot has every update folded.
            cluster.triggerCheckpoint(job).get();
            return aggregateStateBytes(cluster, job);
        } finally {
            if (job != null) {
                cluster.cancelJob(job).get();
                cluster.requestJobResult(job).get();
            }
            BenchClock.close(runId);
        }
    }

    private static long aggregateStateBytes(MiniCluster cluster, JobID job) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            AccessExecutionGraph graph = cluster.getExecutionGraph(job).get();
            CompletedCheckpointStats done = graph.getCheckpointStatsSnapshot().getHistory().getLatestCompletedCheckpoint();
            if (done != null) {
                for (AccessExecutionJobVertex v : graph.getAllVertices().values()) {
                    if (v.getName().contains(AGGREGATE)) {
                        return done.getTaskStateStats(v.getJobVertexId()).getStateSize();
                    }
                }
                throw new IllegalStateException("no " + AGGREGATE + " vertex in the job");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the checkpoint completed but its statistics never appeared");
            }
            Thread.sleep(20);
        }
    }

    private StreamExecutionEnvironment environment() {
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(new Configuration());
        env.setParallelism(parallelism);
        return env;
    }

    /** The aggregation part of RoundAggregationJob's topology, fed by the prepared round. */
    private void topology(DataStream<Long> chunkIndices, BenchRound round, Rule rule, String runId, int contributors,
                          boolean close, boolean transportOnly) {
        int ruleParam = rule == Rule.TRIMMED ? trimBetaPerMille : rule == Rule.KRUM ? krumF : 0;
        SingleOutputStreamOperator<RoundMessage> inputs = chunkIndices
                .flatMap(new EmitChunkGroups(round.id, runId, rule.rule, ruleParam, contributors, close))
                .returns(TypeInformation.of(RoundMessage.class))
                .name("round inputs");
        if (!close) {
            inputs.setParallelism(1);
        }
        int[] coordsPerChunk = new int[round.chunkCount()];
        for (int c = 0; c < coordsPerChunk.length; c++) {
            coordsPerChunk[c] = round.params.coordsInChunk(c);
        }
        SingleOutputStreamOperator<RoundMessage> results = inputs
                .keyBy(RoundMessage::chunkKey)
                .process(transportOnly ? new TransportOnlyFunction(coordsPerChunk) : new ChunkAggregateFunction())
                .uid(AGGREGATE).name(AGGREGATE);
        DataStream<RoundMessage> out = results;
        if (rule == Rule.KRUM && !transportOnly) {
            SingleOutputStreamOperator<RoundMessage> selection = results
                    .getSideOutput(ChunkAggregateFunction.KRUM_PARTIALS)
                    .keyBy(RoundMessage::roundKey)
                    .process(new KrumSelectFunction())
                    .uid("krum-select").name("krum-select");
            out = selection.union(results.getSideOutput(ChunkAggregateFunction.KRUM_CHUNKS))
                    .keyBy(RoundMessage::chunkKey)
                    .process(new KrumApplyFunction())
                    .uid("krum-apply").name("krum-apply");
        }
        out.sinkTo(new ResultSink(runId, coordsPerChunk)).name("results");
    }

    private static void requireSuccess(JobResult result, String what) {
        if (!result.isSuccess()) {
            Throwable t = result.getSerializedThrowable()
                    .map(s -> s.deserializeError(AggregationBench.class.getClassLoader()))
                    .orElse(null);
            throw new IllegalStateException(what + " job failed: " + result.getApplicationStatus(), t);
        }
    }

    private double mcoords(double seconds) {
        return (double) updates * coords / seconds / 1e6;
    }

    private static double median(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private void say(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        LOG.debug("{}", line);
        progress.accept(line);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Writes the figures as one JSON object (creating the file's folder). */
    public static void write(Map<String, Object> figures, Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), figures);
    }

    /** The rules measured, with their JSON key prefixes. */
    enum Rule {
        FEDAVG("fedavg", AggregationRule.FEDAVG),
        MEDIAN("median", AggregationRule.MEDIAN),
        TRIMMED("trimmed", AggregationRule.TRIMMED_MEAN),
        KRUM("krum", AggregationRule.MULTI_KRUM);

        final String key;
        final AggregationRule rule;

        Rule(String key, AggregationRule rule) {
            this.key = key;
            this.rule = rule;
        }
    }

    /** Options; {@link #build()} refuses what cannot run. */
    public static final class Builder {
        private int updates = 100;
        private int coords = 1_000_000;
        private int parallelism = 1;
        private int warmups = 1;
        private int repeats = 3;
        private String stateBackend = "hashmap";
        private int trimBetaPerMille = 100;
        private Integer krumF;
        private Path workDir;
        private Consumer<String> progress = line -> { };
        private Supplier<Runnable> floatLoop;

        private Builder() {}

        /**
         * The float32 baseline (required): prepares N x P floats and returns one weighted-sum pass
         * over them; called once, before the chunks are encoded.
         */
        public Builder floatLoop(Supplier<Runnable> floatLoop) {
            this.floatLoop = floatLoop;
            return this;
        }

        /** N, the updates aggregated (default 100; at least 5, which multi-Krum needs). */
        public Builder updates(int n) {
            this.updates = n;
            return this;
        }

        /** P, coordinates per update (default 1,000,000). */
        public Builder coords(int p) {
            this.coords = p;
            return this;
        }

        /** Parallelism of the job (default 1). */
        public Builder parallelism(int p) {
            this.parallelism = p;
            return this;
        }

        /** Untimed runs of each rule before the timed ones (default 1). */
        public Builder warmups(int w) {
            this.warmups = w;
            return this;
        }

        /** Timed runs of each rule; the median counts (default 3). */
        public Builder repeats(int r) {
            this.repeats = r;
            return this;
        }

        /** {@code hashmap} (default) or {@code rocksdb}, the job's production backend. */
        public Builder stateBackend(String backend) {
            this.stateBackend = backend;
            return this;
        }

        /** Trimmed mean's beta, per mille cut at each end (default 100). */
        public Builder trimBetaPerMille(int beta) {
            this.trimBetaPerMille = beta;
            return this;
        }

        /** Multi-Krum's f (default: N/10, at least 1). */
        public Builder krumF(int f) {
            this.krumF = f;
            return this;
        }

        /** Folder for checkpoints and Flink's temporary files, deleted after the run (required). */
        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        /** Receives one human-readable line per step. */
        public Builder progress(Consumer<String> progress) {
            this.progress = progress;
            return this;
        }

        public AggregationBench build() {
            List<String> wrong = new ArrayList<>();
            if (updates < 5) {
                wrong.add("updates must be >= 5 (multi-Krum needs n > 2f + 2 with f >= 1), got " + updates);
            }
            if (coords < 64) {
                wrong.add("coords must be >= 64 (one leaf), got " + coords);
            }
            if (parallelism < 1) {
                wrong.add("parallelism must be >= 1, got " + parallelism);
            }
            if (warmups < 0 || repeats < 1) {
                wrong.add("need warmups >= 0 and repeats >= 1, got " + warmups + " and " + repeats);
            }
            if (!Arrays.asList("hashmap", "rocksdb").contains(stateBackend)) {
                wrong.add("state backend must be hashmap or rocksdb, got " + stateBackend);
            }
            if (trimBetaPerMille < 0 || trimBetaPerMille >= 500) {
                wrong.add("trimmed-mean beta must be in [0, 500) per mille, got " + trimBetaPerMille);
            }
            if (krumF != null && (krumF < 1 || updates < 2 * krumF + 3)) {
                wrong.add("multi-Krum f must be >= 1 with updates > 2f + 2, got f=" + krumF + ", updates=" + updates);
            }
            if (workDir == null) {
                wrong.add("workDir is required");
            }
            if (floatLoop == null) {
                wrong.add("floatLoop (the float32 baseline) is required");
            }
            Objects.requireNonNull(progress, "progress");
            if (!wrong.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", wrong));
            }
            return new AggregationBench(this);
        }
    }
}
