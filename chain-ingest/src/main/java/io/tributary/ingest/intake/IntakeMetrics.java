package io.tributary.ingest.intake;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.schemas.avro.RejectionReason;
import java.util.Locale;
import java.util.Objects;

/**
 * The task intake's Prometheus metrics (infra/docs/metrics.md, {@code tributary-intake}); the
 * rejections have a series per {@link RejectionReason}, every one created at 0.
 */
final class IntakeMetrics {

    private final Counter accepted;
    private final Counter rejected;
    private final Counter deadLetters;

    IntakeMetrics(PrometheusRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        accepted = Counter.builder().name("tributary_intake_requests_accepted_total")
                .help("Requests that became a task on the home chain").register(registry);
        rejected = Counter.builder().name("tributary_intake_requests_rejected_total")
                .help("Requests refused, by reason").labelNames("reason").register(registry);
        deadLetters = Counter.builder().name("tributary_intake_deadletters_total")
                .help("Records that could not be read at all (sent to deadletter)").register(registry);
        for (RejectionReason reason : RejectionReason.values()) {
            rejected.labelValues(label(reason));
        }
    }

    /** The label value of a reason: its symbol in lower case. */
    static String label(RejectionReason reason) {
        return reason.name().toLowerCase(Locale.ROOT);
    }

    long acceptedCount() {
        return (long) accepted.get();
    }

    long rejectedCount() {
        long sum = 0;
        for (RejectionReason reason : RejectionReason.values()) {
            sum += (long) rejected.labelValues(label(reason)).get();
        }
        return sum;
    }

    long deadLetteredCount() {
        return (long) deadLetters.get();
    }

    void accepted() {
        accepted.inc();
    }

    void rejected(RejectionReason reason) {
        rejected.labelValues(label(reason)).inc();
    }

    void deadLettered() {
        deadLetters.inc();
    }
}
