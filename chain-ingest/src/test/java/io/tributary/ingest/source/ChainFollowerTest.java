package io.tributary.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reorg handling on an in-memory chain; case names follow Besu's DefaultBlockchainTest. */
class ChainFollowerTest {

    private static final int CONFIRMATIONS = 2;

    private final InMemoryChain chain = new InMemoryChain();
    /** Transaction names currently "in" the topic: confirmed additions minus retractions. */
    private final Set<String> view = new LinkedHashSet<>();
    private final List<ChainChange> all = new ArrayList<>();

    private ChainFollower follower(int maxReorgDepth) {
        return new ChainFollower(1, chain, List.of(InMemoryChain.ADDRESS), CONFIRMATIONS, maxReorgDepth, 1,
                new AdaptiveRange(4, 1, 64, 2), new RpcErrorHandler());
    }

    private List<ChainChange> drain(ChainFollower f) throws IOException {
        List<ChainChange> out = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            List<ChainChange> step = f.poll();
            if (step.isEmpty()) {
                break;
            }
            out.addAll(step);
        }
        for (ChainChange c : out) {
            if (c instanceof ChainChange.Confirmed conf) {
                assertThat(view.add(conf.log().txHash())).as("no duplicate of %s", conf.log().txHash()).isTrue();
            } else if (c instanceof ChainChange.Retracted r) {
                assertThat(view.remove(r.log().txHash())).as("retract only what was confirmed").isTrue();
            }
        }
        all.addAll(out);
        return out;
    }

    private List<String> confirmedCanonical() {
        return chain.canonicalTxs(chain.head() - CONFIRMATIONS);
    }

    private static List<String> kinds(List<ChainChange> changes) {
        return changes.stream().map(c -> {
            if (c instanceof ChainChange.Confirmed x) {
                return "c:" + x.log().txHash();
            }
            if (c instanceof ChainChange.Retracted x) {
                return "d:" + x.log().txHash();
            }
            return "head:" + ((ChainChange.Head) c).block().number();
        }).toList();
    }

    @Test
    void shouldEmitLogsOnlyOnceTheirBlockHasTheConfirmations() throws IOException {
        ChainFollower f = follower(64);
        chain.mine("a");          // block 1
        assertThat(drain(f)).isEmpty();
        chain.mine("b");          // block 2: block 1 has 1 confirmation
        assertThat(drain(f)).isEmpty();
        chain.mine();             // block 3: block 1 has 2
        assertThat(kinds(drain(f))).containsExactly("c:a", "head:1");
        chain.mineEmpty(2);
        assertThat(kinds(drain(f))).containsExactly("c:b", "head:2", "head:3");
        assertThat(new ArrayList<>(view)).isEqualTo(confirmedCanonical());
    }

    @Test
    void shouldCarryTheLastCompleteBlockAsOffset() throws IOException {
        ChainFollower f = follower(64);
        chain.mine("a", "b");
        chain.mineEmpty(2);
        List<ChainChange> out = drain(f);
        assertThat(out.get(0).after().blockNumber()).isEqualTo(0);
        assertThat(out.get(1).after().blockNumber()).isEqualTo(0);
        assertThat(out.get(2)).isInstanceOf(ChainChange.Head.class);
        assertThat(out.get(2).after().blockNumber()).isEqualTo(1);
        assertThat(out.get(2).after().blockHash()).isEqualTo(((ChainChange.Head) out.get(2)).block().hash());
    }

    @Test
    void shouldCostNothingWhenReorgIsWithinConfirmationDepth() throws IOException {
        ChainFollower f = follower(64);
        chain.mine("a");
        chain.mine("b");
        chain.mine("c");
        drain(f); // block 1 confirmed
        chain.reorg(CONFIRMATIONS, List.of(List.of("x"), List.of("c")));
        chain.mineEmpty(2);
        List<ChainChange> out = drain(f);
        assertThat(kinds(out)).noneMatch(k -> k.startsWith("d:"));
        assertThat(new ArrayList<>(view)).isEqualTo(confirmedCanonical()).containsExactly("a", "x", "c");
    }

    @Test
    void shouldRetractBeforeAddingWhenReorgingToShorterChain() throws IOException {
        ChainFollower f = follower(64);
        chain.mine("a");
        chain.mine("b");
        chain.mine("c");
        chain.mine("d");
        chain.mineEmpty(2); // head 6: blocks 1..4 confirmed
        drain(f);
        assertThat(view).containsExactly("a", "b", "c", "d");
        chain.reorg(5, List.of(List.of("y"))); // keep 0..1, new block 2 -> head 2
        List<ChainChange> out = drain(f);
        assertThat(kinds(out)).containsExactly("d:d", "d:c", "d:b");
        chain.mineEmpty(2);
        assertThat(kinds(drain(f))).containsExactly("c:y", "head:2");
        assertThat(new ArrayList<>(view)).isEqualTo(confirmedCanonical()).containsExactly("a", "y");
    }

    @Test
    void shouldRetractBeforeAddingWhenReorgingToLongerChain() throws IOException {
        ChainFollower f = follower(64);
        chain.mine("a");
        chain.mine("b");
        chain.mine("c");
        chain.mineEmpty(2); // head 5: 1..3 confirmed
        drain(f);
        chain.reorg(4, List.of(List.of("p"), List.of("q"), List.of("r"), List.of("s"), List.of()));
        List<ChainChange> out = drain(f);
        assertThat(kinds(out)).startsWith("d:c", "d:b");
        int lastRetraction = kinds(out).lastIndexOf("d:b");
        int firstAddition = kinds(out).indexOf("c:p");
        assertThat(lastRetraction).isLessThan(firstAddition);
        assertThat(new ArrayList<>(view)).isEqualTo(confirmedCanonical()).containsExactly("a", "p", "q", "r");
    }

    @Test
    void shouldRetractAndReaddWhenReorgingToEqualHeight() throws IOException {
        ChainFollower f = follower(64);
        chain.mine("a");
        chain.mine("b");
        chain.mine("c");
        chain.mine("d"); // head 4: 1..2 confirmed
        drain(f);
        chain.reorg(3, List.of(List.of("b2"), List.of("c"), List.of("d")));
        List<ChainChange> out = drain(f);
        assertThat(kinds(out)).containsExactly("d:b", "c:b2", "head:2");
        assertThat(chain.head()).isEqualTo(4);
        assertThat(new ArrayList<>(view)).isEqualTo(confirmedCanonical());
    }

    @Test
    void shouldRetractAndReaddWhenReorgHasOverlappingTransactions() throws IOException {
        ChainFollower f = follower(64);
        chain.mine("t1");
        chain.mine("t2", "t3");
        chain.mine("t4");
        chain.mineEmpty(2); // 1..3 confirmed
        drain(f);
        // the new branch keeps t3 and t2 (other blocks, other order) and drops t4
        chain.reorg(4, List.of(List.of("t3"), List.of("t2", "t5"), List.of(), List.of()));
        List<ChainChange> out = drain(f);
        assertThat(kinds(out)).containsExactly("d:t4", "d:t3", "d:t2", "c:t3", "head:2", "c:t2", "c:t5", "head:3");
        assertThat(new ArrayList<>(view)).isEqualTo(confirmedCanonical()).containsExactly("t1", "t3", "t2", "t5");
        ChainChange.Retracted firstRetraction = (ChainChange.Retracted) out.get(0);
        assertThat(firstRetraction.after().blockNumber()).as("offset after a retraction is the ancestor").isEqualTo(1);
    }

    @Test
    void shouldLoseNoRetractionWhenTheNodeFailsDuringTheWalkOrJustAfter() throws IOException {
        ChainFollower f = follower(64);
        chain.mine("a");
        chain.mine("b");
        chain.mine("c");
        chain.mine("d");
        chain.mineEmpty(2);
        drain(f);
        chain.reorg(5, List.of(List.of("y"), List.of(), List.of(), List.of()));
        for (int failAt = 0; failAt < 4; failAt++) {
            chain.callsBeforeOneFailure = failAt; // tip check, then the walk from block 4 down
            assertThatThrownBy(f::poll).isInstanceOf(java.net.ConnectException.class);
        }
        chain.callsBeforeOneFailure = -1;
        List<ChainChange> retractions = f.poll();
        assertThat(kinds(retractions)).containsExactly("d:d", "d:c", "d:b");
        chain.callsBeforeOneFailure = 0; // the next poll fails before reading the new branch
        assertThatThrownBy(f::poll).isInstanceOf(java.net.ConnectException.class);
        for (ChainChange c : retractions) {
            view.remove(((ChainChange.Retracted) c).log().txHash());
        }
        drain(f);
        assertThat(new ArrayList<>(view)).isEqualTo(confirmedCanonical()).containsExactly("a", "y");
    }

    @Test
    void shouldFailWhenReorgIsDeeperThanRememberedBlocks() throws IOException {
        ChainFollower f = follower(3);
        for (int i = 0; i < 8; i++) {
            chain.mine("t" + i);
        }
        drain(f);
        chain.reorg(7, List.of(List.of("x"), List.of(), List.of(), List.of(), List.of(), List.of(), List.of()));
        assertThatThrownBy(f::poll).isInstanceOf(ReorgTooDeepException.class).hasMessageContaining("max.reorg.depth");
    }

    @Test
    void shouldShrinkRangeWhenNodeRefusesAndStillEmitEveryLog() throws IOException {
        chain.maxLogsPerQuery = 3;
        AdaptiveRange range = new AdaptiveRange(64, 1, 64, 2);
        ChainFollower f = new ChainFollower(1, chain, List.of(InMemoryChain.ADDRESS), CONFIRMATIONS, 64, 1,
                range, new RpcErrorHandler());
        for (int i = 0; i < 20; i++) {
            chain.mine("a" + i, "b" + i);
        }
        chain.mineEmpty(CONFIRMATIONS);
        drain(f);
        assertThat(range.size()).isLessThanOrEqualTo(2);
        assertThat(new ArrayList<>(view)).isEqualTo(confirmedCanonical()).hasSize(40);
    }

    @Test
    void shouldResumeAfterOffsetWithoutGapOrDuplicate() throws IOException {
        ChainFollower first = follower(64);
        chain.mine("a");
        chain.mine("b");
        chain.mineEmpty(2);
        drain(first);
        EvmOffsetContext offset = all.get(all.size() - 1).after();
        chain.mine("c");
        chain.mineEmpty(2);
        ChainFollower second = follower(64);
        second.resume(offset);
        drain(second);
        assertThat(new ArrayList<>(view)).isEqualTo(confirmedCanonical()).containsExactly("a", "b", "c");
    }

    @Test
    void shouldRetractAfterRestartWhenChainReorganisedWhileStopped() throws IOException {
        ChainFollower first = follower(64);
        chain.mine("a");
        chain.mine("b");
        chain.mine("c");
        chain.mineEmpty(2);
        drain(first);
        EvmOffsetContext offset = all.get(all.size() - 1).after();
        chain.reorg(4, List.of(List.of("z"), List.of(), List.of(), List.of()));
        ChainFollower second = follower(64);
        second.resume(offset);
        drain(second);
        assertThat(new ArrayList<>(view)).isEqualTo(confirmedCanonical()).containsExactly("a", "z");
    }

    @Test
    void shouldLeaveRetriableFailuresToTheCaller() {
        ChainFollower f = follower(64);
        chain.failure = new java.net.ConnectException("Connection refused");
        assertThatThrownBy(f::poll).isInstanceOf(java.net.ConnectException.class);
        chain.failure = null;
    }
}
