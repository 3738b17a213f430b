package io.tributary.trainer.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.ingest.testing.MetricsScrape;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * A node as it is built, before it starts: where its metrics go and what they hold from its
 * durable state. Nothing here talks to Kafka or a chain (the clients are created, never used).
 */
class TrainerNodeTest {

    private static final String NO_KAFKA = "127.0.0.1:9";

    private final InMemoryChain chain = new InMemoryChain(RoundStateMachineTest.TASK);
    private Path dir;
    private ChainEventsFollower events;

    @BeforeEach
    void setUp(TestInfo info) {
        dir = Path.of(System.getProperty("tributary.test.dir", "target/test-state"), "trainer-node",
                info.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime());
        events = new ChainEventsFollower(NO_KAFKA, "0x00000000000000000000000000000000000000c0", chain.chainId(),
                "0x00000000000000000000000000000000000000b0");
    }

    @AfterEach
    void tearDown() throws Exception {
        events.close();
    }

    private TrainerNode.Builder builder() {
        return TrainerNode.builder().chain(chain).events(events).kafka(NO_KAFKA).stateDir(dir).data(new NodeData() {
            @Override
            public Optional<RoundData> forRound(long taskId, int round) {
                return Optional.empty();
            }

            @Override
            public Optional<io.tributary.trainer.data.TrainingData> heldOut() {
                return Optional.empty();
            }
        });
    }

    @Test
    void shouldCountTheRoundsItsStateHoldsAsRevealedWhenItStarts() throws Exception {
        NodeState state = NodeState.open(dir, chain.chainId(), chain.worker());
        List<RoundPhase> task7 = List.of(RoundPhase.PUBLISHED, RoundPhase.CLAIMED, RoundPhase.MISSED, RoundPhase.COMMITTED,
                RoundPhase.REVEALED);
        for (int r = 0; r < task7.size(); r++) {
            state.round(7, r).phase = task7.get(r);
        }
        state.round(8, 0).phase = RoundPhase.UNCLAIMABLE;
        state.save();

        PrometheusRegistry registry = new PrometheusRegistry();
        try (TrainerNode node = builder().metrics(registry, "arbitrum-local").build()) {
            assertThat(node.metricsRegistry()).isSameAs(registry);
            String text = MetricsScrape.text(registry);
            assertThat(MetricsScrape.find(text, "tributary_worker_rounds_contributed_total{chain=\"arbitrum-local\"}"))
                    .hasValue(4); // published, claimed, revealed of task 7 and the unclaimable one of task 8
            assertThat(MetricsScrape.find(text, "tributary_worker_stake_tokens{chain=\"arbitrum-local\"}")).hasValue(0);
        }
    }

    @Test
    void shouldKeepItsMetricsInARegistryOfItsOwnLabelledWithTheChainIdWhenGivenNone() throws Exception {
        try (TrainerNode node = builder().build()) {
            assertThat(MetricsScrape.find(MetricsScrape.text(node.metricsRegistry()),
                    "tributary_worker_rounds_contributed_total{chain=\"" + chain.chainId() + "\"}")).hasValue(0);
        }
    }

    @Test
    void shouldRefuseMetricsWithoutAChainNameOrARegistry() {
        assertThatThrownBy(() -> builder().metrics(new PrometheusRegistry(), " ").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metrics needs");
        assertThatThrownBy(() -> builder().metrics(null, "home").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metrics needs");
    }
}
