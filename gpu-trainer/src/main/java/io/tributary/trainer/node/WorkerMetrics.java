package io.tributary.trainer.node;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;

/**
 * A trainer node's metrics (scrape job {@code tributary-worker}; the "Trainer nodes" table of
 * {@code infra/docs/metrics.md}), every series labelled with {@code chain}, the name of the chain
 * the worker stakes on:
 *
 * <ul>
 *   <li>{@code tributary_worker_round}, {@code tributary_worker_local_loss},
 *       {@code tributary_worker_eval_accuracy_ratio}: gauges per {@code task}, created when the node
 *       takes the task on;
 *   <li>{@code tributary_worker_phase_duration_seconds}: a histogram per {@code phase} (every
 *       {@link RoundPhase} in lower case, created here), one observation each time a round leaves a
 *       phase;
 *   <li>{@code tributary_worker_rounds_contributed_total}: rounds whose update the worker revealed;
 *   <li>{@code tributary_worker_stake_tokens}, {@code tributary_worker_rewards_tokens}: its stake and
 *       the rewards it has received, wei / 10^18.
 * </ul>
 *
 * <p>The metric families are registered once per registry: workers of several chains may share one
 * registry (and one endpoint), each with its own {@code chain} label. Two workers of the same chain
 * in one registry would add up into the same series; give each its own registry.
 */
public final class WorkerMetrics {

    /** Upper bounds of the phase duration buckets, seconds: from a quick transaction to a long round. */
    static final double[] PHASE_SECONDS_BUCKETS = {0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600};

    private static final BigDecimal WEI_PER_TOKEN = BigDecimal.TEN.pow(18);
    private static final Map<PrometheusRegistry, Families> FAMILIES = Collections.synchronizedMap(new WeakHashMap<>());

    /** The metric families, one set per registry. */
    private static final class Families {
        final Gauge round;
        final Gauge localLoss;
        final Gauge evalAccuracy;
        final Histogram phaseDuration;
        final Counter roundsContributed;
        final Gauge stake;
        final Gauge rewards;

        Families(PrometheusRegistry registry) {
            round = Gauge.builder().name("tributary_worker_round")
                    .help("Round the worker is in, per task").labelNames("chain", "task").register(registry);
            localLoss = Gauge.builder().name("tributary_worker_local_loss")
                    .help("Training loss of the worker's last local update (mean over its last local epoch), per task")
                    .labelNames("chain", "task").register(registry);
            evalAccuracy = Gauge.builder().name("tributary_worker_eval_accuracy_ratio")
                    .help("Accuracy (0..1) of the newest global model on the worker's evaluation split, per task")
                    .labelNames("chain", "task").register(registry);
            phaseDuration = Histogram.builder().name("tributary_worker_phase_duration_seconds")
                    .help("Seconds the worker spent in each phase of a round").labelNames("chain", "phase")
                    .classicOnly().classicUpperBounds(PHASE_SECONDS_BUCKETS).register(registry);
            roundsContributed = Counter.builder().name("tributary_worker_rounds_contributed_total")
                    .help("Rounds the worker revealed an update for").labelNames("chain").register(registry);
            stake = Gauge.builder().name("tributary_worker_stake_tokens")
                    .help("The worker's stake on its chain, in tokens").labelNames("chain").register(registry);
            rewards = Gauge.builder().name("tributary_worker_rewards_tokens")
                    .help("Rewards the worker has received so far, in tokens").labelNames("chain").register(registry);
        }
    }

    private final String chain;
    private final Families families;

    /**
     * Registers the worker metrics in {@code registry} (unless a worker already did) and creates the
     * series of {@code chain} that exist from the start: every phase, the contributed counter, stake
     * and rewards, all at 0.
     */
    public WorkerMetrics(PrometheusRegistry registry, String chain) {
        Objects.requireNonNull(registry, "registry");
        if (chain == null || chain.isBlank()) {
            throw new IllegalArgumentException("the chain label must be a non-blank chain name");
        }
        this.chain = chain;
        this.families = FAMILIES.computeIfAbsent(registry, Families::new);
        for (RoundPhase phase : RoundPhase.values()) {
            families.phaseDuration.labelValues(chain, label(phase));
        }
        families.roundsContributed.labelValues(chain);
        families.stake.labelValues(chain);
        families.rewards.labelValues(chain);
    }

    /** The {@code chain} label of this worker's series. */
    public String chain() {
        return chain;
    }

    /** The {@code phase} label of a phase: its name in lower case. */
    static String label(RoundPhase phase) {
        return phase.name().toLowerCase(Locale.ROOT);
    }

    /** Creates the per-task series of a task the worker takes on (round 0, loss and accuracy 0 until known). */
    void task(long taskId) {
        String task = Long.toString(taskId);
        families.round.labelValues(chain, task);
        families.localLoss.labelValues(chain, task);
        families.evalAccuracy.labelValues(chain, task);
    }

    void round(long taskId, int round) {
        families.round.labelValues(chain, Long.toString(taskId)).set(round);
    }

    void localLoss(long taskId, double loss) {
        families.localLoss.labelValues(chain, Long.toString(taskId)).set(loss);
    }

    void evalAccuracy(long taskId, double accuracy) {
        if (!(accuracy >= 0 && accuracy <= 1)) {
            throw new IllegalArgumentException("accuracy must be in 0..1, got " + accuracy);
        }
        families.evalAccuracy.labelValues(chain, Long.toString(taskId)).set(accuracy);
    }

    /** A round left {@code phase} after {@code seconds} in it. */
    void phaseLeft(RoundPhase phase, double seconds) {
        families.phaseDuration.labelValues(chain, label(phase)).observe(Math.max(0, seconds));
    }

    /** {@code rounds} more rounds were revealed (1 per reveal; at start, those the durable state holds). */
    void contributed(long rounds) {
        if (rounds < 0) {
            throw new IllegalArgumentException("rounds must be >= 0, got " + rounds);
        }
        families.roundsContributed.labelValues(chain).inc(rounds);
    }

    void stake(BigInteger wei) {
        families.stake.labelValues(chain).set(tokens(wei));
    }

    void rewards(BigInteger wei) {
        families.rewards.labelValues(chain).set(tokens(wei));
    }

    /** {@code wei} / 10^18 as a double (the nearest one). */
    static double tokens(BigInteger wei) {
        return new BigDecimal(wei).divide(WEI_PER_TOKEN).doubleValue();
    }
}
