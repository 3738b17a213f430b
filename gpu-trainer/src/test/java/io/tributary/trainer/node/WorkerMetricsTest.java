package io.tributary.trainer.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.ingest.testing.MetricsScrape;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class WorkerMetricsTest {

    private final PrometheusRegistry registry = new PrometheusRegistry();

    private double value(String series) {
        return MetricsScrape.find(MetricsScrape.text(registry), series)
                .orElseThrow(() -> new AssertionError("no series " + series + " in\n" + MetricsScrape.text(registry)));
    }

    @Test
    void shouldExposeEveryPhaseTheCounterStakeAndRewardsAtZeroBeforeAnyEvent() {
        new WorkerMetrics(registry, "arbitrum-local");
        for (String phase : new String[] {"new", "prepared", "committed", "revealed", "published", "claimed", "unclaimable",
            "missed"}) {
            assertThat(value("tributary_worker_phase_duration_seconds_count{chain=\"arbitrum-local\",phase=\"" + phase + "\"}"))
                    .isZero();
        }
        assertThat(RoundPhase.values()).hasSize(8);
        assertThat(value("tributary_worker_rounds_contributed_total{chain=\"arbitrum-local\"}")).isZero();
        assertThat(value("tributary_worker_stake_tokens{chain=\"arbitrum-local\"}")).isZero();
        assertThat(value("tributary_worker_rewards_tokens{chain=\"arbitrum-local\"}")).isZero();
        assertThat(MetricsScrape.text(registry)).doesNotContain("task=");
    }

    @Test
    void shouldFollowEachTaskInItsOwnSeries() {
        WorkerMetrics m = new WorkerMetrics(registry, "home");
        m.task(7);
        m.task(8);
        m.round(7, 2);
        m.localLoss(7, 0.42);
        m.evalAccuracy(7, 0.91);
        assertThat(value("tributary_worker_round{chain=\"home\",task=\"7\"}")).isEqualTo(2);
        assertThat(value("tributary_worker_local_loss{chain=\"home\",task=\"7\"}")).isEqualTo(0.42);
        assertThat(value("tributary_worker_eval_accuracy_ratio{chain=\"home\",task=\"7\"}")).isEqualTo(0.91);
        assertThat(value("tributary_worker_round{chain=\"home\",task=\"8\"}")).isZero();
        assertThat(value("tributary_worker_eval_accuracy_ratio{chain=\"home\",task=\"8\"}")).isZero();
        assertThatThrownBy(() -> m.evalAccuracy(7, 1.5)).hasMessageContaining("0..1");
        assertThatThrownBy(() -> m.evalAccuracy(7, Double.NaN)).hasMessageContaining("0..1");
    }

    @Test
    void shouldCountPhaseDurationsIntoTheirBuckets() {
        WorkerMetrics m = new WorkerMetrics(registry, "home");
        m.phaseLeft(RoundPhase.COMMITTED, 3.0);
        m.phaseLeft(RoundPhase.COMMITTED, 0.1);
        m.phaseLeft(RoundPhase.NEW, -2); // a clock that stepped back counts as no time
        String committed = "{chain=\"home\",phase=\"committed\"";
        assertThat(value("tributary_worker_phase_duration_seconds_count" + committed + "}")).isEqualTo(2);
        assertThat(value("tributary_worker_phase_duration_seconds_sum" + committed + "}")).isEqualTo(3.1);
        assertThat(value("tributary_worker_phase_duration_seconds_bucket{chain=\"home\",phase=\"committed\",le=\"0.25\"}"))
                .isEqualTo(1);
        assertThat(value("tributary_worker_phase_duration_seconds_bucket{chain=\"home\",phase=\"committed\",le=\"2.5\"}"))
                .isEqualTo(1);
        assertThat(value("tributary_worker_phase_duration_seconds_bucket{chain=\"home\",phase=\"committed\",le=\"5.0\"}"))
                .isEqualTo(2);
        assertThat(value("tributary_worker_phase_duration_seconds_sum{chain=\"home\",phase=\"new\"}")).isZero();
        assertThat(value("tributary_worker_phase_duration_seconds_count{chain=\"home\",phase=\"new\"}")).isEqualTo(1);
    }

    @Test
    void shouldReportStakeAndRewardsInTokensOfTenToTheEighteenWei() {
        WorkerMetrics m = new WorkerMetrics(registry, "home");
        m.stake(new BigInteger("1500000000000000000"));
        m.rewards(new BigInteger("123456789012345678901"));
        assertThat(value("tributary_worker_stake_tokens{chain=\"home\"}")).isEqualTo(1.5);
        assertThat(value("tributary_worker_rewards_tokens{chain=\"home\"}")).isEqualTo(123.456789012345678901);
        assertThat(WorkerMetrics.tokens(BigInteger.ONE)).isEqualTo(1e-18);
    }

    @Test
    void shouldLetTheWorkersOfTwoChainsShareOneRegistry() {
        WorkerMetrics home = new WorkerMetrics(registry, "home");
        WorkerMetrics arbitrum = new WorkerMetrics(registry, "arbitrum-local");
        home.contributed(3);
        arbitrum.contributed(1);
        assertThat(value("tributary_worker_rounds_contributed_total{chain=\"home\"}")).isEqualTo(3);
        assertThat(value("tributary_worker_rounds_contributed_total{chain=\"arbitrum-local\"}")).isEqualTo(1);
        assertThatThrownBy(() -> home.contributed(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseAWorkerWithoutAChainName() {
        assertThatThrownBy(() -> new WorkerMetrics(registry, " ")).hasMessageContaining("chain");
        assertThatThrownBy(() -> new WorkerMetrics(null, "home")).isInstanceOf(NullPointerException.class);
    }
}
