package io.tributary.ingest.relayer;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The submitter's Prometheus metrics (infra/docs/metrics.md, {@code tributary-relayer}), one series
 * per {@code destination} chain, every one created at 0 for the configured chains.
 */
public final class RelayerMetrics {

    private final List<String> destinations;
    private final Gauge pending;
    private final Gauge oldestAge;
    private final Counter approved;
    private final Counter executed;
    private final Counter failed;

    /** Registers the metrics in {@code registry} with a series for every chain of {@code destinations}. */
    public RelayerMetrics(PrometheusRegistry registry, Collection<String> destinations) {
        Objects.requireNonNull(registry, "registry");
        this.destinations = List.copyOf(destinations);
        pending = Gauge.builder().name("tributary_relayer_messages_pending")
                .help("Messages seen on a source chain and not yet executed").labelNames("destination")
                .register(registry);
        oldestAge = Gauge.builder().name("tributary_relayer_oldest_pending_age_seconds")
                .help("Age of the oldest pending message (0 when none)").labelNames("destination").register(registry);
        approved = Counter.builder().name("tributary_relayer_messages_approved_total")
                .help("Messages approved on the destination gateway").labelNames("destination").register(registry);
        executed = Counter.builder().name("tributary_relayer_messages_executed_total")
                .help("Messages executed on the destination").labelNames("destination").register(registry);
        failed = Counter.builder().name("tributary_relayer_messages_failed_total")
                .help("Approval or execution attempts that failed (reverted, not written, chain unavailable)")
                .labelNames("destination").register(registry);
        for (String d : this.destinations) {
            pending.labelValues(d).set(0);
            oldestAge.labelValues(d).set(0);
            approved.labelValues(d);
            executed.labelValues(d);
            failed.labelValues(d);
        }
    }

    /** The metrics of every chain of {@code config} as a destination, in {@code registry}. */
    public static RelayerMetrics of(PrometheusRegistry registry, RelayerConfig config) {
        return new RelayerMetrics(registry, config.chains().stream().map(RelayerConfig.Chain::name).toList());
    }

    /** The metrics of {@code config}'s chains in a registry of their own (nobody serves it). */
    static RelayerMetrics unserved(RelayerConfig config) {
        return of(new PrometheusRegistry(), config);
    }

    void approved(String destination) {
        approved.labelValues(destination).inc();
    }

    /** Messages executed so far, on every destination. */
    long executedCount() {
        long sum = 0;
        for (String d : destinations) {
            sum += (long) executed.labelValues(d).get();
        }
        return sum;
    }

    void executed(String destination) {
        executed.labelValues(destination).inc();
    }

    void failed(String destination) {
        failed.labelValues(destination).inc();
    }

    /** What is pending now, per destination; destinations missing from the maps have nothing pending. */
    void pending(Map<String, Integer> count, Map<String, Duration> oldest) {
        for (String d : destinations) {
            pending.labelValues(d).set(count.getOrDefault(d, 0));
            oldestAge.labelValues(d).set(oldest.getOrDefault(d, Duration.ZERO).toMillis() / 1000.0);
        }
    }
}
