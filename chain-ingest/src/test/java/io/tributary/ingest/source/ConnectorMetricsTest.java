package io.tributary.ingest.source;

import static io.tributary.ingest.testing.MetricsScrape.text;
import static io.tributary.ingest.testing.MetricsScrape.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConnectorMetricsTest {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final AtomicLong now = new AtomicLong(1_700_000_240L);

    private static BlockHeader block(long number, long timestamp) {
        return new BlockHeader(number, "0x" + Long.toHexString(number), "0x" + Long.toHexString(number - 1), timestamp);
    }

    @Test
    void shouldCreateEverySeriesOfAChainAtZeroBeforeTheFirstEvent() {
        ConnectorMetrics.of(registry).chain("home");
        String text = text(registry);

        assertThat(value(text, "tributary_chain_events_total{chain=\"home\"}")).isZero();
        assertThat(value(text, "tributary_chain_retracted_events_total{chain=\"home\"}")).isZero();
        assertThat(value(text, "tributary_chain_reorg_depth_blocks_count{chain=\"home\"}")).isZero();
        for (String kind : List.of("range_too_large", "retriable", "permanent")) {
            assertThat(value(text, "tributary_chain_rpc_errors_total{chain=\"home\",kind=\"" + kind + "\"}")).isZero();
        }
    }

    @Test
    void shouldComputeLagInBlocksFromTheHeadAndInSecondsFromTheConfirmedBlocksAge() {
        ConnectorMetrics.Chain home = ConnectorMetrics.withClock(registry, now::get).chain("home");
        home.head(120);
        home.confirmed(block(108, 1_700_000_216L));
        String text = text(registry);

        assertThat(value(text, "tributary_chain_head_block{chain=\"home\"}")).isEqualTo(120);
        assertThat(value(text, "tributary_chain_confirmed_block{chain=\"home\"}")).isEqualTo(108);
        assertThat(value(text, "tributary_chain_lag_blocks{chain=\"home\"}")).isEqualTo(12);
        assertThat(value(text, "tributary_chain_lag_seconds{chain=\"home\"}")).isEqualTo(24);

        now.set(1_700_000_242L);
        home.head(121); // the next poll: one more block behind, two seconds older
        assertThat(value(text(registry), "tributary_chain_lag_blocks{chain=\"home\"}")).isEqualTo(13);
        assertThat(value(text(registry), "tributary_chain_lag_seconds{chain=\"home\"}")).isEqualTo(26);
        now.set(1_700_000_200L); // a block stamped ahead of this clock is no negative lag
        home.head(121);
        assertThat(value(text(registry), "tributary_chain_lag_seconds{chain=\"home\"}")).isZero();
    }

    @Test
    void shouldObserveEveryReorgDepthInTheHistogram() {
        ConnectorMetrics.Chain home = ConnectorMetrics.of(registry).chain("home");
        home.reorg(1);
        home.reorg(4);
        home.reorg(60);
        String text = text(registry);

        assertThat(value(text, "tributary_chain_reorg_depth_blocks_count{chain=\"home\"}")).isEqualTo(3);
        assertThat(value(text, "tributary_chain_reorg_depth_blocks_sum{chain=\"home\"}")).isEqualTo(65);
        assertThat(value(text, "tributary_chain_reorg_depth_blocks_bucket{chain=\"home\",le=\"1.0\"}")).isEqualTo(1);
        assertThat(value(text, "tributary_chain_reorg_depth_blocks_bucket{chain=\"home\",le=\"3.0\"}")).isEqualTo(1);
        assertThat(value(text, "tributary_chain_reorg_depth_blocks_bucket{chain=\"home\",le=\"5.0\"}")).isEqualTo(2);
        assertThat(value(text, "tributary_chain_reorg_depth_blocks_bucket{chain=\"home\",le=\"55.0\"}")).isEqualTo(2);
        assertThat(value(text, "tributary_chain_reorg_depth_blocks_bucket{chain=\"home\",le=\"+Inf\"}")).isEqualTo(3);
    }

    @Test
    void shouldShareOneSetOfMetricsPerRegistryWithASeriesPerChain() {
        ConnectorMetrics.of(registry).chain("home").written(3, 1);
        ConnectorMetrics.of(registry).chain("arbitrum-local").written(5, 0);
        ConnectorMetrics.of(registry).chain("home").rpcError(RpcErrorHandler.Kind.RETRIABLE);
        String text = text(registry);

        assertThat(ConnectorMetrics.of(registry)).isSameAs(ConnectorMetrics.of(registry));
        assertThat(value(text, "tributary_chain_events_total{chain=\"home\"}")).isEqualTo(3);
        assertThat(value(text, "tributary_chain_retracted_events_total{chain=\"home\"}")).isEqualTo(1);
        assertThat(value(text, "tributary_chain_events_total{chain=\"arbitrum-local\"}")).isEqualTo(5);
        assertThat(value(text, "tributary_chain_rpc_errors_total{chain=\"home\",kind=\"retriable\"}")).isEqualTo(1);
    }

    @Test
    void shouldReportHeadConfirmedAndReorgDepthAsTheFollowerLearnsThem() throws IOException {
        InMemoryChain chain = new InMemoryChain();
        ConnectorMetrics.Chain home = ConnectorMetrics.withClock(registry, now::get).chain("home");
        ChainFollower follower = new ChainFollower(1, chain, List.of(InMemoryChain.ADDRESS), 2, 64, 1,
                new AdaptiveRange(64, 1, 64, 2), new RpcErrorHandler(), home);
        chain.mine("a");
        chain.mine("b");
        chain.mine("c");
        chain.mineEmpty(3); // head 6, confirmed up to 4 (stamped 1_700_000_004)
        now.set(1_700_000_010L);
        while (!follower.poll().isEmpty()) {
            // drain
        }
        String text = text(registry);
        assertThat(value(text, "tributary_chain_head_block{chain=\"home\"}")).isEqualTo(6);
        assertThat(value(text, "tributary_chain_confirmed_block{chain=\"home\"}")).isEqualTo(4);
        assertThat(value(text, "tributary_chain_lag_blocks{chain=\"home\"}")).isEqualTo(2);
        assertThat(value(text, "tributary_chain_lag_seconds{chain=\"home\"}")).isEqualTo(6); // block 4's age

        chain.reorg(4, List.of(List.of("x"), List.of(), List.of(), List.of(), List.of())); // blocks 3..6 replaced
        follower.poll(); // the retractions of blocks 4 and 3
        assertThat(value(text(registry), "tributary_chain_reorg_depth_blocks_count{chain=\"home\"}")).isEqualTo(1);
        assertThat(value(text(registry), "tributary_chain_reorg_depth_blocks_sum{chain=\"home\"}")).isEqualTo(2);
        while (!follower.poll().isEmpty()) {
            // the new branch
        }
        text = text(registry);
        assertThat(value(text, "tributary_chain_head_block{chain=\"home\"}")).isEqualTo(7);
        assertThat(value(text, "tributary_chain_confirmed_block{chain=\"home\"}")).isEqualTo(5);
    }
}
