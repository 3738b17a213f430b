package io.tributary.infra.devnet;

import io.tributary.flink.RoundAggregationJobMain;
import io.tributary.schemas.tensor.WireParams;
import io.tributary.trainer.MlpSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devnet's Flink: a MiniCluster in the supervisor JVM (one TaskManager, REST API and web UI on
 * 127.0.0.1) running the same RoundAggregationJob that {@code ./tributary flink submit} sends to a
 * real cluster, with the same options: the devnet's Kafka, on-chain commits on home with the
 * aggregator key, RocksDB state and exactly-once checkpoints under the devnet dir. Its metrics (the
 * job's, infra/docs/metrics.md, and Flink's own) are served by {@link DevnetPrometheusReporter} on
 * 127.0.0.1 under the names Flink's Prometheus reporter gives them on a cluster.
 */
final class DevnetFlink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DevnetFlink.class);

    /** Folder of the job's state (checkpoints, the commit writer's nonces) inside the devnet dir. */
    static final String STATE_DIR = "flink";
    static final String JOB_NAME = "tributary-round-aggregation";
    /** Checkpoints publish the job's Kafka transactions: short, so commitments follow rounds closely. */
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
    /** The name of the metric reporter in the cluster's configuration ({@code metrics.reporter.prom.*}). */
    static final String REPORTER = "prom";

    private final MiniCluster cluster;
    private final JobID jobId;
    private final int metricsPort;

    private DevnetFlink(MiniCluster cluster, JobID jobId, int metricsPort) {
        this.cluster = cluster;
        this.jobId = jobId;
        this.metricsPort = metricsPort;
    }

    /**
     * The job's options on this devnet. Every model has {@code modelParameters} coordinates
     * ({@code models=*=P:k}; 0 = the MNIST MLP's): a model's dimension is not on chain, and the MLP
     * is the model the devnet's workers train.
     */
    static Map<String, String> jobOptions(DevnetInfo info, Path dir, int modelParameters) {
        DevnetInfo.Chain home = info.home();
        Map<String, String> o = new LinkedHashMap<>();
        o.put(RoundAggregationJobMain.BOOTSTRAP_SERVERS.key(), info.kafka().bootstrapServers());
        o.put(RoundAggregationJobMain.MODELS.key(),
                "*=" + (modelParameters > 0 ? modelParameters : MlpSpec.mnist().parameterCount()) + ":"
                        + WireParams.DEFAULT_CHUNK_LEAVES_LOG2);
        o.put(RoundAggregationJobMain.CLOSE_GRACE.key(), "5 s");
        o.put(RoundAggregationJobMain.CHAIN_IDLENESS.key(), "5 s");
        o.put(RoundAggregationJobMain.CHECKPOINT_INTERVAL.key(), CHECKPOINT_INTERVAL.toMillis() + " ms");
        o.put(RoundAggregationJobMain.COMMIT_ON_CHAIN.key(), "true");
        o.put(RoundAggregationJobMain.COMMIT_RPC_URL.key(), home.rpcUrl());
        o.put(RoundAggregationJobMain.COMMIT_CHAIN_ID.key(), Long.toString(home.chainId()));
        o.put(RoundAggregationJobMain.COMMIT_COORDINATOR.key(), home.contracts().taskCoordinator());
        o.put(RoundAggregationJobMain.COMMIT_KEY.key(), "dev:" + info.deployment().roles().aggregator());
        o.put(RoundAggregationJobMain.COMMIT_STATE_DIR.key(), dir.resolve(STATE_DIR).resolve("commit-writer").toString());
        return o;
    }

    /**
     * Starts the MiniCluster on {@code restPort}, its metrics on 127.0.0.1:{@code metricsPort}
     * ({@code 0}: none), and submits the job; returns once it runs.
     */
    static DevnetFlink start(DevnetInfo info, Path dir, int restPort, int metricsPort, int modelParameters)
            throws IOException, InterruptedException {
        Path state = Files.createDirectories(dir.resolve(STATE_DIR));
        Configuration flink = clusterConfiguration(state, restPort, metricsPort);
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(flink).setNumTaskManagers(1).setNumSlotsPerTaskManager(1).build());
        try {
            cluster.start();
            Configuration options = Configuration.fromMap(jobOptions(info, dir, modelParameters));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
            env.setParallelism(1);
            env.enableCheckpointing(options.get(RoundAggregationJobMain.CHECKPOINT_INTERVAL).toMillis(),
                    CheckpointingMode.EXACTLY_ONCE);
            RoundAggregationJobMain.job(options).build(env);
            JobGraph graph = env.getStreamGraph().getJobGraph();
            JobID id = cluster.submitJob(graph).get().getJobID();
            awaitRunning(cluster, id, Duration.ofSeconds(60));
            LOG.info("round aggregation job {} runs on the devnet's MiniCluster (REST {}, metrics {})", id,
                    cluster.getRestAddress().get(), metricsPort > 0 ? metricsUrl(metricsPort) : "off");
            return new DevnetFlink(cluster, id, metricsPort);
        } catch (Exception e) {
            closeQuietly(cluster);
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            throw new IOException("starting the round aggregation job failed: " + e.getMessage(), e);
        }
    }

    /**
     * The MiniCluster's configuration: everything on 127.0.0.1, REST on {@code restPort}, state and
     * temporary files under {@code state}, and with {@code metricsPort > 0} the reporter
     * {@value #REPORTER} = {@link DevnetPrometheusReporterFactory} on that port.
     */
    static Configuration clusterConfiguration(Path state, int restPort, int metricsPort) throws IOException {
        Configuration flink = new Configuration();
        flink.setString("rest.address", "127.0.0.1");
        flink.setString("rest.bind-address", "127.0.0.1");
        flink.setString("rest.port", Integer.toString(restPort));
        flink.setString("jobmanager.bind-host", "127.0.0.1");
        flink.setString("taskmanager.host", "127.0.0.1");
        flink.setString("taskmanager.bind-host", "127.0.0.1");
        flink.setString("taskmanager.numberOfTaskSlots", "1");
        flink.setString("taskmanager.memory.managed.size", "64m");
        flink.setString("taskmanager.memory.network.min", "32m");
        flink.setString("taskmanager.memory.network.max", "32m");
        flink.setString("io.tmp.dirs", Files.createDirectories(state.resolve("tmp")).toString());
        flink.setString("state.backend.type", "rocksdb");
        flink.setString("pipeline.name", JOB_NAME);
        flink.setString("execution.checkpointing.dir", state.resolve("checkpoints").toUri().toString());
        flink.setString("restart-strategy.type", "fixed-delay");
        flink.setString("restart-strategy.fixed-delay.attempts", "1000");
        flink.setString("restart-strategy.fixed-delay.delay", "2 s");
        if (metricsPort < 0 || metricsPort > 65535) {
            throw new IllegalArgumentException("metricsPort must be 0 (off) or a port, was " + metricsPort);
        }
        if (metricsPort > 0) {
            flink.setString("metrics.reporter." + REPORTER + ".factory.class", DevnetPrometheusReporterFactory.class.getName());
            flink.setString("metrics.reporter." + REPORTER + "." + DevnetPrometheusReporterFactory.PORT,
                    Integer.toString(metricsPort));
        }
        return flink;
    }

    private static String metricsUrl(int port) {
        return "http://" + DevnetPrometheusReporter.HOST + ":" + port + "/metrics";
    }

    private static void awaitRunning(MiniCluster cluster, JobID id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JobStatus status = cluster.getJobStatus(id).get();
            if (status == JobStatus.RUNNING) {
                return;
            }
            if (status.isGloballyTerminalState()) {
                throw new IOException("the job ended while starting: " + status);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the job is not running after " + timeout.toSeconds() + " s: " + status);
            }
            Thread.sleep(100);
        }
    }

    /** Where Prometheus scrapes the devnet's Flink ({@code tributary-flink}); null when started without metrics. */
    String metricsUrl() {
        return metricsPort > 0 ? metricsUrl(metricsPort) : null;
    }

    JobID jobId() {
        return jobId;
    }

    String restUrl() {
        try {
            return cluster.getRestAddress().get().toString();
        } catch (Exception e) {
            throw new IllegalStateException("the devnet's Flink has no REST address", e);
        }
    }

    /** Cancels the job and stops the MiniCluster. */
    @Override
    public void close() throws Exception {
        try {
            cluster.cancelJob(jobId).get();
        } catch (Exception e) {
            LOG.debug("cancelling the round aggregation job: {}", e.toString());
        }
        cluster.close();
    }

    private static void closeQuietly(MiniCluster cluster) {
        try {
            cluster.close();
        } catch (Exception e) {
            LOG.warn("stopping the devnet's Flink MiniCluster failed: {}", e.toString());
        }
    }
}
