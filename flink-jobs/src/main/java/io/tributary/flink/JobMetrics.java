package io.tributary.flink;

import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.RejectionReason;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Tributary's own metrics of the round aggregation job, named as infra/docs/metrics.md ("Round
 * aggregation job") lists them. They live in each operator's metric group under the group
 * {@value #GROUP}, with the key/value groups {@value #RULE}, {@value #REASON} and {@value #OUTCOME}:
 * Flink's Prometheus reporter turns a key into a part of the name and its value into a label, so
 * {@code tributary / rule=fedavg / chunks_admitted_total} in an operator is exported as
 * {@code flink_taskmanager_job_task_operator_tributary_rule_chunks_admitted_total{rule="fedavg",...}}.
 * Flink exports counters as gauges with the name as given, hence the {@code _total} in the names.
 *
 * <p>Every labelled child an operator knows is created in {@code open}, so the series exist with 0
 * before the first event. Operators count per chunk or per round, never per coordinate.
 */
final class JobMetrics {

    static final String GROUP = "tributary";
    static final String RULE = "rule";
    static final String REASON = "reason";
    static final String OUTCOME = "outcome";
    /** The {@value #RULE} of inputs whose task is not known. */
    static final String UNKNOWN_RULE = "unknown";
    static final String COMMITTED = "committed";
    static final String FAILED = "failed";

    static final String CHUNKS_ADMITTED = "chunks_admitted_total";
    static final String CHUNKS_REJECTED = "chunks_rejected_total";
    static final String ROUNDS_OPEN = "rounds_open";
    static final String ROUNDS_CLOSED = "rounds_closed_total";
    static final String ROUND_CLOSE_LATENCY = "round_close_latency_seconds";
    static final String COORDINATES_AGGREGATED = "coordinates_aggregated_total";
    static final String COMMITS = "commits_total";
    static final String COMMIT_LATENCY = "commit_latency_seconds";
    static final String COMMIT_GAS_USED = "commit_gas_used";
    static final String COMMIT_GAS_USED_TOTAL = "commit_gas_used_total";

    /** Samples a latency histogram keeps (its quantiles are over the newest ones). */
    static final int LATENCY_SAMPLES = 1024;

    private JobMetrics() {}

    /** The operator's {@value #GROUP} group. */
    static MetricGroup group(RuntimeContext ctx) {
        return ctx.getMetricGroup().addGroup(GROUP);
    }

    /** A label value: the enum symbol in lower case. */
    static String label(Enum<?> symbol) {
        return symbol.name().toLowerCase(Locale.ROOT);
    }

    /** The {@value #RULE} group of {@code rule} under {@code tributary}. */
    static MetricGroup rule(MetricGroup tributary, AggregationRule rule) {
        return tributary.addGroup(RULE, label(rule));
    }

    /** One counter named {@code name} per rule, every one created now. */
    static Map<AggregationRule, Counter> counterPerRule(MetricGroup tributary, String name) {
        Map<AggregationRule, Counter> counters = new EnumMap<>(AggregationRule.class);
        for (AggregationRule r : AggregationRule.values()) {
            counters.put(r, rule(tributary, r).counter(name));
        }
        return counters;
    }

    /** One latency histogram named {@code name} per rule, every one created now. */
    static Map<AggregationRule, Histogram> latencyPerRule(MetricGroup tributary, String name) {
        Map<AggregationRule, Histogram> histograms = new EnumMap<>(AggregationRule.class);
        for (AggregationRule r : AggregationRule.values()) {
            histograms.put(r, rule(tributary, r).histogram(name, new SecondsHistogram(LATENCY_SAMPLES)));
        }
        return histograms;
    }

    /**
     * {@value #CHUNKS_REJECTED} per rule and reason. The children for every rule times the reasons
     * the operator can emit are created at once (and {@code UNKNOWN_TASK} under rule
     * {@value #UNKNOWN_RULE} when asked); a reason not announced still counts, from its first use.
     */
    static final class Rejections {
        private final MetricGroup tributary;
        private final Map<String, Map<RejectionReason, Counter>> byRule = new HashMap<>();

        Rejections(MetricGroup tributary, Set<RejectionReason> reasons, boolean unknownTasks) {
            this.tributary = tributary;
            for (AggregationRule r : AggregationRule.values()) {
                for (RejectionReason reason : reasons) {
                    counter(label(r), reason);
                }
            }
            if (unknownTasks) {
                counter(UNKNOWN_RULE, RejectionReason.UNKNOWN_TASK);
            }
        }

        /** Counts one chunk rejected for {@code reason}; {@code task} null = the task is not known. */
        void inc(TaskInfo task, RejectionReason reason) {
            counter(task == null || task.rule == null ? UNKNOWN_RULE : label(task.rule), reason).inc();
        }

        private Counter counter(String rule, RejectionReason reason) {
            return byRule.computeIfAbsent(rule, r -> new EnumMap<>(RejectionReason.class))
                    .computeIfAbsent(reason, x -> tributary.addGroup(RULE, rule).addGroup(REASON, label(x))
                            .counter(CHUNKS_REJECTED));
        }
    }

    /**
     * A latency histogram that takes milliseconds ({@link #update}) and reports seconds: quantiles,
     * mean and standard deviation exactly (what the Prometheus reporter exports, as a summary), min,
     * max and the values rounded to whole seconds (the interface has longs there). The samples are
     * Flink's {@link DescriptiveStatisticsHistogram} over the newest {@code window} durations.
     */
    static final class SecondsHistogram implements Histogram {
        private final DescriptiveStatisticsHistogram millis;

        SecondsHistogram(int window) {
            this.millis = new DescriptiveStatisticsHistogram(window);
        }

        /** Records one duration of {@code value} milliseconds. */
        @Override
        public void update(long value) {
            millis.update(value);
        }

        @Override
        public long getCount() {
            return millis.getCount();
        }

        @Override
        public HistogramStatistics getStatistics() {
            HistogramStatistics s = millis.getStatistics();
            return new HistogramStatistics() {
                @Override
                public double getQuantile(double quantile) {
                    return s.getQuantile(quantile) / 1000.0;
                }

                @Override
                public long[] getValues() {
                    long[] ms = s.getValues();
                    long[] seconds = new long[ms.length];
                    for (int i = 0; i < ms.length; i++) {
                        seconds[i] = Math.round(ms[i] / 1000.0);
                    }
                    return seconds;
                }

                @Override
                public int size() {
                    return s.size();
                }

                @Override
                public double getMean() {
                    return s.getMean() / 1000.0;
                }

                @Override
                public double getStdDev() {
                    return s.getStdDev() / 1000.0;
                }

                @Override
                public long getMax() {
                    return Math.round(s.getMax() / 1000.0);
                }

                @Override
                public long getMin() {
                    return Math.round(s.getMin() / 1000.0);
                }
            };
        }
    }
}
