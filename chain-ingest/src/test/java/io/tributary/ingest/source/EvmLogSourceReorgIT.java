package io.tributary.ingest.source;

import static io.tributary.ingest.testing.ConnectorHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.ingest.testing.AnvilTestChain;
import io.tributary.ingest.testing.ChainEventsView;
import io.tributary.ingest.testing.ConnectorHarness;
import io.tributary.ingest.testing.GatewayFixture;
import io.tributary.ingest.testing.MetricsScrape;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap.SimpleEntry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * anvil_reorg against the connector on a real Connect worker (exactly-once) and Kafka: afterwards
 * a read_committed consumer sees exactly the logs of the final canonical chain.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EvmLogSourceReorgIT {

    private static final int CONFIRMATIONS = 2;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicLong CHAIN_IDS = new AtomicLong(71_000);

    private ConnectorHarness harness;
    private Path abiDir;

    @BeforeAll
    void start() throws Exception {
        harness = new ConnectorHarness("reorg");
        abiDir = GatewayFixture.writeAbiDir(harness.dir.resolve("abi"));
    }

    @AfterAll
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    /** A fresh chain with a Gateway, six ContractCall blocks and the connector following it. */

    private record Setup(AnvilTestChain chain, String gateway, String connector) {}

    private Setup setup(String name) throws Exception {
        return setup(name, Map.of());
    }

    /** Like {@link #setup(String)}, with {@code extra} connector options. */
    private Setup setup(String name, Map<String, String> extra) throws Exception {
        AnvilTestChain chain = AnvilTestChain.start(CHAIN_IDS.incrementAndGet(), harness.dir.resolve("anvil"));
        try {
            String gateway = GatewayFixture.deploy(chain, "home");
            for (int i = 0; i < 6; i++) {
                GatewayFixture.emit(chain, gateway, name + "-" + i);
            }
            Map<String, String> config = ConnectorHarness.connectorConfig("home", chain, "Gateway=" + gateway,
                    CONFIRMATIONS, abiDir);
            config.putAll(extra);
            harness.connect.putConnector(name, config);
            harness.connect.awaitRunning(name, 1);
            awaitCaughtUp(chain, gateway);
            return new Setup(chain, gateway, name);
        } catch (Exception | AssertionError e) {
            chain.close();
            throw e;
        }
    }

    private ChainEventsView awaitCaughtUp(AnvilTestChain chain, String gateway) throws Exception {
        long confirmed = chain.head() - CONFIRMATIONS;
        Set<String> expected = ChainEventsView.canonicalKeys(chain, gateway, confirmed);
        await("the connector to reach block " + confirmed, WAIT, () -> {
            ChainEventsView v = ChainEventsView.read(harness.kafka, chain.chainId());
            return v.lastHead() == confirmed && v.live.keySet().equals(expected);
        });
        ChainEventsView view = ChainEventsView.read(harness.kafka, chain.chainId());
        assertThat(view.violations).isEmpty();
        assertThat(view.live.keySet()).isEqualTo(expected);
        return view;
    }

    private void teardown(Setup s) throws Exception {
        harness.connect.deleteConnector(s.connector());
        s.chain().close();
    }

    @Test
    void shouldCostNothingWhenReorgIsShorterThanConfirmations() throws Exception {
        Setup s = setup("reorg-shorter");
        try {
            s.chain().reorg(1, List.of(new SimpleEntry<>(GatewayFixture.emitTx(s.chain(), s.gateway(), "replaced"), 0)));
            s.chain().mine(CONFIRMATIONS);
            ChainEventsView view = awaitCaughtUp(s.chain(), s.gateway());
            assertThat(view.retractions()).isZero();
            assertThat(view.live.values()).extracting(e -> e.getFields().get("payload")).contains(hex("replaced"));
        } finally {
            teardown(s);
        }
    }

    @Test
    void shouldCostNothingWhenReorgEqualsConfirmations() throws Exception {
        Setup s = setup("reorg-equal");
        try {
            s.chain().reorg(CONFIRMATIONS, List.of());
            s.chain().mine(1);
            ChainEventsView view = awaitCaughtUp(s.chain(), s.gateway());
            assertThat(view.retractions()).isZero();
        } finally {
            teardown(s);
        }
    }

    @Test
    void shouldRetractLogsWhenReorgIsDeeperThanConfirmations() throws Exception {
        int metricsPort = AnvilTestChain.freePort();
        Setup s = setup("reorg-deeper", Map.of(EvmLogSourceConnectorConfig.METRICS_PORT, Integer.toString(metricsPort)));
        try {
            // head 7 (deploy + 6 calls), confirmed up to 5; replace 4..7: blocks 4 and 5 were emitted
            s.chain().reorg(4, List.of(
                    new SimpleEntry<>(GatewayFixture.emitTx(s.chain(), s.gateway(), "new-a"), 0),
                    new SimpleEntry<>(GatewayFixture.emitTx(s.chain(), s.gateway(), "new-b"), 2)));
            s.chain().mine(1);
            ChainEventsView view = awaitCaughtUp(s.chain(), s.gateway());
            assertThat(view.retractions()).isEqualTo(2);
            assertRetractionsPrecedeTheNewBranch(view);
            assertThat(view.live.values()).extracting(e -> e.getFields().get("payload"))
                    .contains(hex("new-a"), hex("new-b"))
                    .doesNotContain(hex("reorg-deeper-2"), hex("reorg-deeper-3"));
            // one reorg of the two confirmed blocks 4 and 5, their two events retracted
            String text = MetricsScrape.http("http://127.0.0.1:" + metricsPort + "/metrics");
            assertThat(MetricsScrape.value(text, "tributary_chain_reorg_depth_blocks_count{chain=\"home\"}")).isEqualTo(1);
            assertThat(MetricsScrape.value(text, "tributary_chain_reorg_depth_blocks_sum{chain=\"home\"}")).isEqualTo(2);
            assertThat(MetricsScrape.value(text, "tributary_chain_retracted_events_total{chain=\"home\"}")).isEqualTo(2);
            assertThat(MetricsScrape.value(text, "tributary_chain_confirmed_block{chain=\"home\"}"))
                    .isEqualTo(view.lastHead());
        } finally {
            teardown(s);
        }
    }

    @Test
    void shouldRetractWhenChainRollsBackToAShorterChain() throws Exception {
        Setup s = setup("rollback-shorter");
        try {
            // head 7, confirmed 5; anvil_rollback leaves 0..3, so emitted blocks 4 and 5 are gone
            s.chain().rollback(4);
            GatewayFixture.emit(s.chain(), s.gateway(), "after-rollback");
            s.chain().mine(CONFIRMATIONS);
            ChainEventsView view = awaitCaughtUp(s.chain(), s.gateway());
            assertThat(view.retractions()).isEqualTo(2);
            assertRetractionsPrecedeTheNewBranch(view);
            assertThat(view.live.values()).extracting(e -> e.getFields().get("payload"))
                    .contains(hex("after-rollback")).doesNotContain(hex("rollback-shorter-2"));
        } finally {
            teardown(s);
        }
    }

    @Test
    void shouldRetractAndReaddWhenReorgMovesALogToAnotherBlock() throws Exception {
        Setup s = setup("reorg-move");
        try {
            // head 7, confirmed 5: a new branch of 4 blocks (4..7) carrying "moved" in block 4
            s.chain().reorg(4, List.of(new SimpleEntry<>(GatewayFixture.emitTx(s.chain(), s.gateway(), "moved"), 0)));
            s.chain().mine(CONFIRMATIONS);
            awaitCaughtUp(s.chain(), s.gateway());
            // move it: a second reorg replaces 4..9 and puts the same payload into block 6
            s.chain().reorg(4 + CONFIRMATIONS, List.of(new SimpleEntry<>(
                    GatewayFixture.emitTx(s.chain(), s.gateway(), "moved"), 2)));
            s.chain().mine(1);
            ChainEventsView view = awaitCaughtUp(s.chain(), s.gateway());
            List<ChainEvent> moved = view.history.stream()
                    .filter(e -> hex("moved").equals(e.getFields().get("payload"))).toList();
            assertThat(moved).extracting(ChainEvent::getOp).containsExactly(ChangeOp.c, ChangeOp.d, ChangeOp.c);
            assertThat(moved.get(2).getSource().getBlockNumber()).isEqualTo(moved.get(0).getSource().getBlockNumber() + 2);
            assertRetractionsPrecedeTheNewBranch(view);
        } finally {
            teardown(s);
        }
    }

    /** After the first retraction of a reorg, no addition at or above the retracted blocks comes before the last retraction. */
    private static void assertRetractionsPrecedeTheNewBranch(ChainEventsView view) {
        List<ChainEvent> h = view.history;
        int i = 0;
        while (i < h.size()) {
            if (h.get(i).getOp() != ChangeOp.d) {
                i++;
                continue;
            }
            int start = i;
            long lowest = Long.MAX_VALUE;
            while (i < h.size() && h.get(i).getOp() == ChangeOp.d) {
                lowest = Math.min(lowest, h.get(i).getSource().getBlockNumber());
                i++;
            }
            // retractions come newest first
            for (int j = start + 1; j < i; j++) {
                assertThat(h.get(j).getSource().getBlockNumber()).isLessThanOrEqualTo(h.get(j - 1).getSource().getBlockNumber());
            }
            for (int j = i; j < h.size(); j++) {
                if (h.get(j).getOp() == ChangeOp.d) {
                    break;
                }
                assertThat(h.get(j).getSource().getBlockNumber()).as("additions after retractions").isGreaterThanOrEqualTo(lowest);
            }
        }
    }

    private static String hex(String text) {
        return AnvilTestChain.hex(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

}
