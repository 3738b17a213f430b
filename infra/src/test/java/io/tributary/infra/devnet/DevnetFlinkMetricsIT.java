package io.tributary.infra.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

/**
 * The devnet's MiniCluster configuration with a metrics port: Flink finds the devnet's reporter,
 * which serves a running operator's {@code tributary} metrics on 127.0.0.1 under Flink's
 * Prometheus names (infra/docs/metrics.md), and stops with the cluster.
 */
class DevnetFlinkMetricsIT {

    private static final Pattern ADMITTED = Pattern.compile(
            "(?m)^flink_taskmanager_job_task_operator_tributary_rule_chunks_admitted_total\\{([^}]*)} (\\S+)$");

    /** Counts every element under tributary / rule=fedavg / chunks_admitted_total, as the job's admission does. */
    static final class CountingMap extends RichMapFunction<Long, Long> {
        private transient Counter admitted;

        @Override
        public void open(OpenContext ctx) {
            admitted = getRuntimeContext().getMetricGroup().addGroup("tributary").addGroup("rule", "fedavg")
                    .counter("chunks_admitted_total");
        }

        @Override
        public Long map(Long value) throws Exception {
            Thread.sleep(5);
            admitted.inc();
            return value;
        }
    }

    @Test
    void shouldServeARunningOperatorsMetricsOnLoopbackUnderFlinksNamesWhenStartedWithAMetricsPort() throws Exception {
        int port = FreePorts.allocate(1).get(0);
        Path state = Files.createDirectories(Path.of("target", "devnet-flink-metrics-it-" + System.nanoTime()));
        Configuration conf = DevnetFlink.clusterConfiguration(state, 0, port);
        String url = "http://127.0.0.1:" + port + "/metrics";
        try (MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(1).build())) {
            cluster.start();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(1);
            env.fromSequence(0, Long.MAX_VALUE).map(new CountingMap()).name("counting map")
                    .sinkTo(new DiscardingSink<>());
            JobID job = cluster.submitJob(env.getStreamGraph().getJobGraph()).get(60, TimeUnit.SECONDS).getJobID();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Matcher m;
            while (true) {
                m = ADMITTED.matcher(DevnetPrometheusReporterTest.scrape(url));
                if (m.find() && Double.parseDouble(m.group(2)) > 0) {
                    break;
                }
                assertThat(System.nanoTime()).as("the operator's counter on %s within 60 s", url).isLessThan(deadline);
                Thread.sleep(200);
            }
            assertThat(m.group(1)).contains("rule=\"fedavg\"").contains("operator_name=\"counting_map\"")
                    // Flink's label filter: characters outside [a-zA-Z0-9:_] become '_'
                    .contains("job_name=\"" + DevnetFlink.JOB_NAME.replace('-', '_') + "\"");
            assertThat(DevnetPrometheusReporterTest.scrape(url)).contains("flink_jobmanager_numRegisteredTaskManagers");
            cluster.cancelJob(job).get(30, TimeUnit.SECONDS);
        }
        assertThatThrownBy(() -> DevnetPrometheusReporterTest.scrape(url)).isInstanceOf(ConnectException.class);
    }
}
