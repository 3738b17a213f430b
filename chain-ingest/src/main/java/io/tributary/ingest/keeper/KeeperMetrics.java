package io.tributary.ingest.keeper;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.math.BigInteger;
import java.util.Objects;

/**
 * The round keeper's Prometheus metrics (infra/docs/metrics.md, {@code tributary-keeper}): rounds
 * finalized and failed, and the gas of its transactions per {@code call} ({@value #FINALIZE_ROUND},
 * {@value #FAIL_ROUND}), every series created at 0.
 */
final class KeeperMetrics {

    static final String FINALIZE_ROUND = "finalize_round";
    static final String FAIL_ROUND = "fail_round";

    private final Counter finalized;
    private final Counter failed;
    private final Counter gasUsed;

    KeeperMetrics(PrometheusRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        finalized = Counter.builder().name("tributary_keeper_rounds_finalized_total")
                .help("Rounds the keeper finalized").register(registry);
        failed = Counter.builder().name("tributary_keeper_rounds_failed_total")
                .help("Rounds the keeper failed (no commitment in time)").register(registry);
        gasUsed = Counter.builder().name("tributary_keeper_gas_used_total")
                .help("Gas of the keeper's transactions, by call").labelNames("call").register(registry);
        gasUsed.labelValues(FINALIZE_ROUND);
        gasUsed.labelValues(FAIL_ROUND);
    }

    /** Rounds the keeper finalized so far. */
    long finalizedCount() {
        return (long) finalized.get();
    }

    /** Rounds the keeper failed so far. */
    long failedCount() {
        return (long) failed.get();
    }

    /** A round settled by the keeper's own transaction, which used {@code gas}. */
    void settled(RoundFacts.Action action, BigInteger gas) {
        boolean finalize = action == RoundFacts.Action.FINALIZE;
        (finalize ? finalized : failed).inc();
        if (gas != null) {
            gasUsed.labelValues(finalize ? FINALIZE_ROUND : FAIL_ROUND).inc(gas.doubleValue());
        }
    }
}
