package io.tributary.ingest.keeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.ingest.keeper.RoundFacts.Action;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import io.tributary.schemas.avro.LogSource;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoundBookTest {

    private static final long HOME = 31337;
    private static final String COORDINATOR = "0x" + "ab".repeat(20);
    private static final String HUB = "0x" + "cd".repeat(20);

    private final RoundBook book = new RoundBook(HOME, COORDINATOR.toUpperCase().replace("0X", "0x"));

    private static ChainEvent event(ChangeOp op, long chainId, String contract, String name, long blockTime,
            Map<String, String> fields) {
        return ChainEvent.newBuilder()
                .setOp(op)
                .setSource(LogSource.newBuilder().setChainId(chainId).setBlockNumber(10).setBlockHash("0x01")
                        .setBlockTimestamp(blockTime).setTxHash("0x02").setLogIndex(0).setContract(contract).build())
                .setContractName(contract.equals(HUB) ? "WorkerHub" : "TaskCoordinator")
                .setEventName(name)
                .setFields(Map.copyOf(fields))
                .setTopics(List.of())
                .setData(ByteBuffer.allocate(0))
                .setEmittedAt(0)
                .build();
    }

    private boolean home(ChangeOp op, String name, long blockTime, Map<String, String> fields, String key) {
        return book.apply(event(op, HOME, COORDINATOR, name, blockTime, fields), key);
    }

    @Test
    void shouldKnowPostedTasksAndCommitTimesWhenTheCoordinatorEmitsThem() {
        assertThat(home(ChangeOp.c, "TaskPosted", 100, Map.of("taskId", "3"), "k1")).isTrue();
        assertThat(home(ChangeOp.c, "TaskPosted", 100, Map.of("taskId", "1"), "k2")).isTrue();
        assertThat(home(ChangeOp.c, "RoundCommitted", 555, Map.of("taskId", "3", "round", "0"), "k3")).isTrue();

        assertThat(book.tasks()).containsExactly(1L, 3L);
        assertThat(book.committedAt(3, 0)).hasValue(555);
        assertThat(book.committedAt(3, 1)).isEmpty();
        RoundFacts facts = book.facts(3, 0, 600, 20);
        assertThat(facts.committedAt()).isEqualTo(555);
        assertThat(facts.decide(575).action()).isEqualTo(Action.FINALIZE);
    }

    @Test
    void shouldSettleRoundsWhenFinalizedOrFailedEventsArrive() {
        home(ChangeOp.c, "TaskPosted", 100, Map.of("taskId", "3"), "k1");
        home(ChangeOp.c, "RoundFinalized", 700, Map.of("taskId", "3", "round", "0"), "k2");
        home(ChangeOp.c, "RoundFailed", 800, Map.of("taskId", "3", "round", "1"), "k3");

        assertThat(book.settled(3, 0)).isTrue();
        assertThat(book.settled(3, 1)).isTrue();
        assertThat(book.settled(3, 2)).isFalse();
        assertThat(book.facts(3, 1, 600, 20).decide(10_000).action()).isEqualTo(Action.NOTHING);
    }

    @Test
    void shouldUndoExactlyTheRetractedFactWhenAReorgRetractsAnEvent() {
        home(ChangeOp.c, "TaskPosted", 100, Map.of("taskId", "3"), "k1");
        home(ChangeOp.c, "RoundCommitted", 555, Map.of("taskId", "3", "round", "0"), "old-commit");
        home(ChangeOp.d, "RoundCommitted", 555, Map.of("taskId", "3", "round", "0"), "old-commit");
        assertThat(book.committedAt(3, 0)).as("retracted commit").isEmpty();

        home(ChangeOp.c, "RoundCommitted", 560, Map.of("taskId", "3", "round", "0"), "new-commit");
        assertThat(book.committedAt(3, 0)).hasValue(560);

        home(ChangeOp.c, "TaskCancelled", 570, Map.of("taskId", "3", "refund", "5"), "cancel");
        assertThat(book.facts(3, 1, 600, 20).taskActive()).isFalse();
        home(ChangeOp.d, "TaskCancelled", 570, Map.of("taskId", "3", "refund", "5"), "cancel");
        assertThat(book.facts(3, 1, 600, 20).taskActive()).isTrue();

        home(ChangeOp.d, "TaskPosted", 100, Map.of("taskId", "3"), "k1");
        assertThat(book.tasks()).isEmpty();
    }

    @Test
    void shouldIgnoreEventsOfOtherChainsOtherContractsAndOtherNames() {
        assertThat(book.apply(event(ChangeOp.c, 412346, COORDINATOR, "TaskPosted", 1, Map.of("taskId", "9")), "a"))
                .isFalse();
        assertThat(book.apply(event(ChangeOp.c, HOME, HUB, "RoundCommitted", 1,
                Map.of("taskId", "9", "round", "0")), "b")).isFalse();
        assertThat(home(ChangeOp.c, "AggregatorBonded", 1, Map.of("aggregator", HUB), "c")).isFalse();
        assertThat(book.tasks()).isEmpty();
        assertThat(book.committedAt(9, 0)).isEmpty();
    }

    @Test
    void shouldNameTheMissingFieldWhenARoundEventIsMalformed() {
        assertThatThrownBy(() -> home(ChangeOp.c, "RoundCommitted", 1, Map.of("taskId", "3"), "k"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'round'");
    }
}
