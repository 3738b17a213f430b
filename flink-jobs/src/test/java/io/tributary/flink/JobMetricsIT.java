package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.RejectionReason;
import io.tributary.schemas.tensor.EncodedUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.metrics.CharacterFilter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.metrics.groups.AbstractMetricGroup;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The job's own metrics after one FedAvg round in a MiniCluster, read from Flink's
 * {@link InMemoryReporter} under the names Flink's Prometheus reporter gives them
 * ({@code flink_<logical scope>_<name>}, scope variables and key/value groups as labels), which are
 * the names infra/docs/metrics.md lists.
 */
class JobMetricsIT {

    private static final long TASK = 7;
    private static final int WORKERS = 4;
    private static final long GAS = 123_456;
    private static final String PREFIX = "flink_taskmanager_job_task_operator_tributary_";

    @Test
    void shouldCountAdmittedRejectedClosedAggregatedAndCommittedWhenARoundCommits() throws Exception {
        List<EncodedUpdate> updates = Fixtures.updates(WORKERS, 5);
        List<RawRecord> events = new ArrayList<>();
        List<RawRecord> chunks = new ArrayList<>();
        events.add(Fixtures.modelRegistered(Fixtures.initialModel(3), "metrics-it"));
        events.add(Fixtures.taskPosted(TASK, AggregationRule.FEDAVG, 0, 2));
        for (int w = 0; w < WORKERS; w++) {
            events.add(Fixtures.reveal(TASK, 0, Fixtures.HOME, Fixtures.worker(w), updates.get(w).root(), 10L + w));
            for (int c = 0; c < Fixtures.chunkCount(); c++) {
                chunks.add(Fixtures.chunk(TASK, 0, Fixtures.HOME, Fixtures.worker(w), c, 10L + w, updates.get(w).root(),
                        updates.get(w).chunks().get(c)));
            }
        }
        // three bad chunks: a copy of an admitted one, one without a reveal, one of a task never posted
        chunks.add(Fixtures.chunk(TASK, 0, Fixtures.HOME, Fixtures.worker(1), 0, 11, updates.get(1).root(),
                updates.get(1).chunks().get(0)));
        chunks.add(Fixtures.chunk(TASK, 0, Fixtures.HOME, Fixtures.worker(99), 0, 5, new byte[32],
                updates.get(0).chunks().get(0)));
        chunks.add(Fixtures.chunk(TASK + 1, 0, Fixtures.HOME, Fixtures.worker(0), 0, 10, updates.get(0).root(),
                updates.get(0).chunks().get(0)));
        List<RawRecord> blocks = List.of(Fixtures.block(Fixtures.HOME, 1, Fixtures.START));

        // metrics are read before the cluster stops (stopping closes the reporter)
        InMemoryReporter reporter = InMemoryReporter.createWithRetainedMetrics();
        Configuration conf = reporter.addToConfiguration(new Configuration());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        Map<String, Double> m;
        try (MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(2).build())) {
            cluster.start();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
            RoundAggregationJobIT.Outputs outputs = RoundAggregationJobIT.build(env, events, blocks, chunks, GAS);
            JobID job = cluster.submitJob(env.getStreamGraph().getJobGraph()).get(60, TimeUnit.SECONDS).getJobID();
            JobResult result = cluster.requestJobResult(job).get(120, TimeUnit.SECONDS);
            assertThat(result.isSuccess()).as("job result %s", result.getSerializedThrowable()).isTrue();
            assertThat(outputs.run().calls()).hasSize(1);
            m = prometheusValues(reporter);
        }

        assertThat(m).containsEntry(PREFIX + "rule_chunks_admitted_total{rule=fedavg}",
                (double) WORKERS * Fixtures.chunkCount());
        assertThat(m).containsEntry(PREFIX + "rule_chunks_admitted_total{rule=median}", 0.0);
        assertThat(m).containsEntry(PREFIX + "rule_reason_chunks_rejected_total{reason=duplicate,rule=fedavg}", 1.0)
                .containsEntry(PREFIX + "rule_reason_chunks_rejected_total{reason=no_reveal,rule=fedavg}", 1.0)
                .containsEntry(PREFIX + "rule_reason_chunks_rejected_total{reason=unknown_task,rule=unknown}", 1.0);
        // every rule x reason admission can emit exists before it happens
        for (AggregationRule r : AggregationRule.values()) {
            for (RejectionReason reason : AdmissionFunction.REJECTION_REASONS) {
                assertThat(m).containsKey(PREFIX + "rule_reason_chunks_rejected_total{reason="
                        + JobMetrics.label(reason) + ",rule=" + JobMetrics.label(r) + "}");
            }
        }
        assertThat(m).containsEntry(PREFIX + "rule_reason_chunks_rejected_total{reason=bad_hash,rule=trimmed_mean}", 0.0)
                .containsEntry(PREFIX + "rule_reason_chunks_rejected_total{reason=out_of_bound,rule=fedavg}", 0.0);
        assertThat(m).containsEntry(PREFIX + "rule_outcome_rounds_closed_total{outcome=committed,rule=fedavg}", 1.0)
                .containsEntry(PREFIX + "rule_outcome_rounds_closed_total{outcome=failed,rule=fedavg}", 0.0)
                .containsEntry(PREFIX + "rule_outcome_rounds_closed_total{outcome=committed,rule=multi_krum}", 0.0);
        assertThat(m).containsEntry(PREFIX + "rule_rounds_open{rule=fedavg}", 0.0);
        assertThat(m).containsEntry(PREFIX + "rule_round_close_latency_seconds_count{rule=fedavg}", 1.0)
                .containsEntry(PREFIX + "rule_round_close_latency_seconds_count{rule=median}", 0.0);
        assertThat(m.get(PREFIX + "rule_round_close_latency_seconds_max{rule=fedavg}")).as("close latency, s")
                .isBetween(0.0, 60.0);
        assertThat(m).containsEntry(PREFIX + "rule_coordinates_aggregated_total{rule=fedavg}",
                (double) Fixtures.DIMENSION * WORKERS);
        assertThat(m).containsEntry(PREFIX + "commits_total{}", 1.0)
                .containsEntry(PREFIX + "commit_gas_used{}", (double) GAS)
                .containsEntry(PREFIX + "commit_gas_used_total{}", (double) GAS)
                .containsEntry(PREFIX + "commit_latency_seconds_count{}", 1.0);
    }

    /**
     * Every retained metric of the {@code tributary} group under its Prometheus name, with the
     * labels of its key/value groups (the scope variables Flink adds to every series are left out),
     * summed over the subtasks and operators. Histograms give {@code _count} and {@code _max}.
     */
    static Map<String, Double> prometheusValues(InMemoryReporter reporter) {
        Map<String, Double> values = new TreeMap<>();
        for (Map.Entry<MetricGroup, Map<String, Metric>> g : reporter.getMetricsByGroup().entrySet()) {
            // the reporter gets the registered groups themselves: Flink's AbstractMetricGroup
            if (!(g.getKey() instanceof AbstractMetricGroup<?> group)) {
                continue;
            }
            String scope = group.getLogicalScope(CharacterFilter.NO_OP_FILTER, '_');
            if (!scope.contains("_" + JobMetrics.GROUP)) {
                continue;
            }
            Map<String, String> labels = new TreeMap<>();
            for (String key : List.of(JobMetrics.RULE, JobMetrics.REASON, JobMetrics.OUTCOME)) {
                String v = g.getKey().getAllVariables().get("<" + key + ">");
                if (v != null) {
                    labels.put(key, v);
                }
            }
            String labelText = labels.toString().replace(" ", "");
            for (Map.Entry<String, Metric> e : g.getValue().entrySet()) {
                String name = "flink_" + scope + "_" + e.getKey();
                Metric metric = e.getValue();
                if (metric instanceof Counter c) {
                    values.merge(name + labelText, (double) c.getCount(), Double::sum);
                } else if (metric instanceof Gauge<?> gauge) {
                    values.merge(name + labelText, ((Number) gauge.getValue()).doubleValue(), Double::sum);
                } else if (metric instanceof Histogram h) {
                    values.merge(name + "_count" + labelText, (double) h.getCount(), Double::sum);
                    values.merge(name + "_max" + labelText, h.getCount() == 0 ? 0.0 : h.getStatistics().getQuantile(1.0),
                            Double::max);
                }
            }
        }
        return values;
    }
}
