package io.tributary.trainer.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.ingest.testing.MetricsScrape;
import io.tributary.schemas.tensor.TensorEncoder;
import io.tributary.schemas.tensor.WireParams;
import io.tributary.trainer.node.RoundStateMachine.Action;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The commit/reveal driver against an in-memory hub: the happy path, and a crash in every phase
 * followed by a restart from the state file. The preparer makes a different update on every call,
 * so a restarted worker that trained again would commit or reveal something else.
 */
class RoundDriverTest {

    static final WireParams PARAMS = WireParams.builder().dimension(256).chunkLeavesLog2(1).exponentRange(-24, 0)
            .l2Bound(4.0).maxWeight(10_000).maxContributors(16).build();
    static final TaskSchedule TASK = RoundStateMachineTest.TASK;

    private Path dir;
    private InMemoryChain chain;
    private int prepared;
    private final List<String> published = new ArrayList<>();
    private PrometheusRegistry registry;
    private WorkerMetrics metrics;

    @BeforeEach
    void setUp(TestInfo info) throws Exception {
        dir = Path.of(System.getProperty("tributary.test.dir", "target/test-state"), "round-driver",
                info.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime());
        Files.createDirectories(dir);
        chain = new InMemoryChain(TASK);
        prepared = 0;
        registry = new PrometheusRegistry();
        metrics = new WorkerMetrics(registry, "arbitrum-local");
    }

    private RoundDriver driver() throws Exception {
        NodeState state = NodeState.open(dir, chain.chainId(), chain.worker());
        return new RoundDriver(chain, state, new RoundStateMachine(2), (task, round) -> {
            prepared++;
            float[] update = new float[PARAMS.dimension()];
            SplittableRandom rng = new SplittableRandom(prepared);
            for (int i = 0; i < update.length; i++) {
                update[i] = (float) rng.nextGaussian() * 0.01f;
            }
            try (TensorEncoder encoder = new TensorEncoder(PARAMS)) {
                return Optional.of(new RoundDriver.Prepared(StoredUpdate.of(encoder.encode(update, 5)), 600,
                        new byte[32]));
            }
        }, (task, round, rec, update) -> published.add(task.taskId() + ":" + round + ":" + rec.updateRoot), () -> chain.now,
                metrics);
    }

    private RoundRecord stored(int round) throws Exception {
        return NodeState.open(dir, chain.chainId(), chain.worker()).round(TASK.taskId(), round);
    }

    @Test
    void shouldCommitThenRevealAfterTheCommitWindowThenPublish() throws Exception {
        RoundDriver d = driver();
        chain.now = TASK.open(0) + 1;
        assertThat(d.advance(TASK, 0)).isEqualTo(new RoundStateMachine.Step(Action.WAIT, TASK.commitDeadline(0)));
        assertThat(stored(0).phase).isEqualTo(RoundPhase.COMMITTED);
        assertThat(chain.entry(TASK.taskId(), 0).committed()).isTrue();

        chain.now = TASK.commitDeadline(0);
        assertThat(d.advance(TASK, 0).action()).isEqualTo(Action.DONE);
        RoundRecord rec = stored(0);
        assertThat(rec.phase).isEqualTo(RoundPhase.PUBLISHED);
        assertThat(chain.revealedRoot(TASK.taskId(), 0)).isEqualTo(RoundDriver.hex(rec.updateRoot));
        assertThat(published).containsExactly("7:0:" + rec.updateRoot);
        assertThat(chain.writes).containsExactly("task/7/round/0/commit", "task/7/round/0/reveal");
        assertThat(prepared).isEqualTo(1);
    }

    @Test
    void shouldCommitTheSavedUpdateWhenItCrashedAfterPreparing() throws Exception {
        chain.now = TASK.open(0) + 1;
        chain.crashAfter("before-commit");
        RoundDriver first = driver();
        assertThatThrownBy(() -> first.advance(TASK, 0)).isInstanceOf(InMemoryChain.SimulatedCrash.class);
        RoundRecord afterCrash = stored(0);
        assertThat(afterCrash.phase).isEqualTo(RoundPhase.PREPARED);
        assertThat(chain.entry(TASK.taskId(), 0).committed()).isFalse();

        driver().advance(TASK, 0);
        assertThat(stored(0).phase).isEqualTo(RoundPhase.COMMITTED);
        assertThat(chain.entry(TASK.taskId(), 0).commitment()).isEqualTo(RoundDriver.hex(afterCrash.commitment));
        assertThat(prepared).as("the saved update is committed, not a new one").isEqualTo(1);
    }

    @Test
    void shouldNotCommitASecondUpdateWhenItCrashedAfterCommitting() throws Exception {
        chain.now = TASK.open(0) + 1;
        chain.crashAfter("commit");
        RoundDriver first = driver();
        assertThatThrownBy(() -> first.advance(TASK, 0)).isInstanceOf(InMemoryChain.SimulatedCrash.class);
        RoundRecord afterCrash = stored(0);
        assertThat(afterCrash.phase).as("the commit landed but was not recorded").isEqualTo(RoundPhase.PREPARED);

        RoundDriver restarted = driver();
        restarted.advance(TASK, 0);
        assertThat(stored(0).phase).isEqualTo(RoundPhase.COMMITTED);
        assertThat(stored(0).commitment).isEqualTo(afterCrash.commitment);
        chain.now = TASK.commitDeadline(0) + 1;
        restarted.advance(TASK, 0);
        assertThat(stored(0).phase).isEqualTo(RoundPhase.PUBLISHED);
        assertThat(chain.revealedRoot(TASK.taskId(), 0)).isEqualTo(RoundDriver.hex(afterCrash.updateRoot));
        assertThat(prepared).as("never trained a second update").isEqualTo(1);
        assertThat(chain.writes).containsExactly("task/7/round/0/commit", "task/7/round/0/reveal");
    }

    @Test
    void shouldConfirmACommitThatLandedWhenItRestartsAfterTheCommitWindow() throws Exception {
        chain.now = TASK.open(0) + 1;
        chain.crashAfter("commit");
        RoundDriver first = driver();
        assertThatThrownBy(() -> first.advance(TASK, 0)).isInstanceOf(InMemoryChain.SimulatedCrash.class);

        chain.now = TASK.commitDeadline(0) + 3; // down through the rest of the commit window
        driver().advance(TASK, 0);
        RoundRecord rec = stored(0);
        assertThat(rec.phase).isEqualTo(RoundPhase.PUBLISHED);
        assertThat(chain.revealedRoot(TASK.taskId(), 0)).isEqualTo(RoundDriver.hex(rec.updateRoot));
    }

    @Test
    void shouldRevealWhatItCommittedAfterACrashInTheRevealWindow() throws Exception {
        chain.now = TASK.open(0) + 1;
        driver().advance(TASK, 0);
        String committedRoot = stored(0).updateRoot;

        chain.now = TASK.commitDeadline(0) + 1;
        chain.crashAfter("reveal");
        RoundDriver second = driver();
        assertThatThrownBy(() -> second.advance(TASK, 0)).isInstanceOf(InMemoryChain.SimulatedCrash.class);
        assertThat(stored(0).phase).isEqualTo(RoundPhase.COMMITTED);

        driver().advance(TASK, 0);
        assertThat(stored(0).phase).isEqualTo(RoundPhase.PUBLISHED);
        assertThat(chain.revealedRoot(TASK.taskId(), 0)).isEqualTo(RoundDriver.hex(committedRoot));
        assertThat(published).containsExactly("7:0:" + committedRoot);
        assertThat(prepared).isEqualTo(1);
    }

    @Test
    void shouldPublishAgainWhenItCrashedBeforeRecordingThePublication() throws Exception {
        chain.now = TASK.open(0) + 1;
        driver().advance(TASK, 0);
        chain.now = TASK.commitDeadline(0) + 1;
        NodeState state = NodeState.open(dir, chain.chainId(), chain.worker());
        RoundDriver crashing = new RoundDriver(chain, state, new RoundStateMachine(2), (t, r) -> Optional.empty(),
                (t, r, rec, u) -> {
                    published.add("half");
                    throw new InMemoryChain.SimulatedCrash("publish");
                }, () -> chain.now, metrics);
        assertThatThrownBy(() -> crashing.advance(TASK, 0)).isInstanceOf(InMemoryChain.SimulatedCrash.class);
        assertThat(stored(0).phase).isEqualTo(RoundPhase.REVEALED);

        driver().advance(TASK, 0);
        assertThat(stored(0).phase).isEqualTo(RoundPhase.PUBLISHED);
        assertThat(published).hasSize(2).last().asString().endsWith(stored(0).updateRoot);
    }

    private double metric(String series) {
        String text = MetricsScrape.text(registry);
        return MetricsScrape.find(text, series).orElseThrow(() -> new AssertionError("no " + series + " in\n" + text));
    }

    private double phaseSeconds(String what, String phase) {
        return metric("tributary_worker_phase_duration_seconds_" + what + "{chain=\"arbitrum-local\",phase=\"" + phase + "\"}");
    }

    @Test
    void shouldTimeEachPhaseAndCountTheRevealWhenARoundIsServed() throws Exception {
        RoundDriver d = driver();
        chain.now = TASK.open(0) + 3; // the worker comes to the round 3 s after it opened
        d.advance(TASK, 0);
        assertThat(phaseSeconds("count", "new")).isEqualTo(1);
        assertThat(phaseSeconds("sum", "new")).isEqualTo(3);
        assertThat(phaseSeconds("count", "prepared")).isEqualTo(1);
        assertThat(phaseSeconds("count", "committed")).isZero();
        assertThat(metric("tributary_worker_rounds_contributed_total{chain=\"arbitrum-local\"}")).isZero();

        chain.now = TASK.commitDeadline(0) + 1;
        d.advance(TASK, 0);
        assertThat(stored(0).phase).isEqualTo(RoundPhase.PUBLISHED);
        assertThat(phaseSeconds("count", "committed")).isEqualTo(1);
        assertThat(phaseSeconds("count", "revealed")).isEqualTo(1);
        assertThat(phaseSeconds("count", "published")).isZero();
        // measured in this process: far less than the chain clock's 1 s steps
        assertThat(phaseSeconds("sum", "prepared") + phaseSeconds("sum", "committed") + phaseSeconds("sum", "revealed"))
                .isPositive().isLessThan(5);
        assertThat(metric("tributary_worker_rounds_contributed_total{chain=\"arbitrum-local\"}")).isEqualTo(1);

        // a restarted driver times a phase entered before it started from the recorded change, by the chain clock
        long publishedAt = stored(0).updatedAt;
        chain.now = publishedAt + 7;
        RoundDriver restarted = driver();
        NodeState state = NodeState.open(dir, chain.chainId(), chain.worker());
        restarted.record(TASK, 0, state.round(TASK.taskId(), 0), RoundPhase.CLAIMED, null);
        assertThat(phaseSeconds("count", "published")).isEqualTo(1);
        assertThat(phaseSeconds("sum", "published")).isEqualTo(7);
        assertThat(metric("tributary_worker_rounds_contributed_total{chain=\"arbitrum-local\"}")).isEqualTo(1);
    }

    @Test
    void shouldNotCountAMissedRoundAsContributed() throws Exception {
        chain.now = TASK.commitDeadline(0) + 5;
        driver().advance(TASK, 0);
        assertThat(stored(0).phase).isEqualTo(RoundPhase.MISSED);
        assertThat(phaseSeconds("count", "new")).isEqualTo(1);
        assertThat(phaseSeconds("sum", "new")).isEqualTo(TASK.commitWindow() + 5);
        assertThat(metric("tributary_worker_rounds_contributed_total{chain=\"arbitrum-local\"}")).isZero();
    }

    @Test
    void shouldRecordARoundItCameTooLateForAsMissedAndNeverRetryIt() throws Exception {
        chain.now = TASK.commitDeadline(0) + 5;
        RoundDriver d = driver();
        assertThat(d.advance(TASK, 0).action()).isEqualTo(Action.DONE);
        assertThat(stored(0).phase).isEqualTo(RoundPhase.MISSED);
        assertThat(stored(0).reason).contains("commit window");
        chain.now = TASK.open(1) + 1; // the next round is served normally
        driver().advance(TASK, 1);
        assertThat(stored(1).phase).isEqualTo(RoundPhase.COMMITTED);
        assertThat(stored(0).phase).isEqualTo(RoundPhase.MISSED);
        assertThat(chain.writes).containsExactly("task/7/round/1/commit");
    }

    @Test
    void shouldRecordAMissWhenItCommittedButCameBackAfterTheRevealWindow() throws Exception {
        chain.now = TASK.open(0) + 1;
        driver().advance(TASK, 0);
        chain.now = TASK.revealDeadline(0) + 1;
        driver().advance(TASK, 0);
        assertThat(stored(0).phase).isEqualTo(RoundPhase.MISSED);
        assertThat(stored(0).reason).contains("reveal window");
        assertThat(chain.writes).containsExactly("task/7/round/0/commit");
    }

    @Test
    void shouldWaitWhileTheHubHasNotHeardOfTheTask() throws Exception {
        chain.now = TASK.open(0) + 1;
        chain.hubKnows(false);
        assertThat(driver().advance(TASK, 0).action()).isEqualTo(Action.PREPARE);
        assertThat(stored(0).phase).isEqualTo(RoundPhase.NEW);
        assertThat(prepared).isZero();
        chain.hubKnows(true);
        driver().advance(TASK, 0);
        assertThat(stored(0).phase).isEqualTo(RoundPhase.COMMITTED);
    }

    @Test
    void shouldRefuseAStateFileOfAnotherWorker() throws Exception {
        NodeState.open(dir, chain.chainId(), chain.worker()).save();
        assertThatThrownBy(() -> NodeState.open(dir, chain.chainId(), "0x00000000000000000000000000000000000000b2"))
                .hasMessageContaining("belongs to worker");
        assertThat(Arrays.asList(dir.toFile().list())).contains(NodeState.FILE_NAME);
    }
}
