package io.tributary.trainer.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.trainer.node.RoundStateMachine.Action;
import io.tributary.trainer.node.RoundStateMachine.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundStateMachineTest {

    // round r opens at 1000 + 100 r; commits until +30, reveals until +60
    static final TaskSchedule TASK = new TaskSchedule(7, 1, 3, 10_000, 16, 1_000, 100, 30, 30, 20, 10, 4L << 32, -24, 0,
            List.of(31337L, 412346L));
    private final RoundStateMachine machine = new RoundStateMachine(2);

    @Test
    void shouldWaitForTheRoundToOpenThenPrepareInTheCommitWindow() {
        assertThat(machine.next(RoundPhase.NEW, TASK, 1, 1_050)).isEqualTo(new Step(Action.WAIT, 1_100));
        assertThat(machine.next(RoundPhase.NEW, TASK, 1, 1_100).action()).isEqualTo(Action.PREPARE);
        assertThat(machine.next(RoundPhase.NEW, TASK, 1, 1_127).action()).isEqualTo(Action.PREPARE);
    }

    @Test
    void shouldMissARoundWhoseCommitWindowIsOverOrTooCloseToItsEnd() {
        assertThat(machine.next(RoundPhase.NEW, TASK, 1, 1_128).action()).isEqualTo(Action.MISS);
        assertThat(machine.next(RoundPhase.NEW, TASK, 0, 5_000).action()).isEqualTo(Action.MISS);
    }

    @Test
    void shouldCommitInTheWindowAndConfirmOnChainWhenTheWindowClosedMeanwhile() {
        assertThat(machine.next(RoundPhase.PREPARED, TASK, 0, 1_010).action()).isEqualTo(Action.COMMIT);
        assertThat(machine.next(RoundPhase.PREPARED, TASK, 0, 1_029).action()).isEqualTo(Action.CONFIRM_COMMIT);
    }

    @Test
    void shouldWaitForTheCommitDeadlineThenRevealAndConfirmAfterTheRevealWindow() {
        assertThat(machine.next(RoundPhase.COMMITTED, TASK, 0, 1_010)).isEqualTo(new Step(Action.WAIT, 1_030));
        assertThat(machine.next(RoundPhase.COMMITTED, TASK, 0, 1_030).action()).isEqualTo(Action.REVEAL);
        assertThat(machine.next(RoundPhase.COMMITTED, TASK, 0, 1_057).action()).isEqualTo(Action.REVEAL);
        assertThat(machine.next(RoundPhase.COMMITTED, TASK, 0, 1_058).action()).isEqualTo(Action.CONFIRM_REVEAL);
    }

    @Test
    void shouldPublishAfterTheRevealAndStopAtTerminalPhases() {
        assertThat(machine.next(RoundPhase.REVEALED, TASK, 0, 9_999).action()).isEqualTo(Action.PUBLISH);
        for (RoundPhase p : List.of(RoundPhase.PUBLISHED, RoundPhase.MISSED, RoundPhase.CLAIMED, RoundPhase.UNCLAIMABLE)) {
            assertThat(machine.next(p, TASK, 0, 1_010).action()).as(p.name()).isEqualTo(Action.DONE);
        }
    }

    @Test
    void shouldComputeTheProtocolScheduleOfEveryRound() {
        assertThat(TASK.open(2)).isEqualTo(1_200);
        assertThat(TASK.commitDeadline(2)).isEqualTo(1_230);
        assertThat(TASK.revealDeadline(2)).isEqualTo(1_260);
        assertThat(TASK.aggregationDeadline(2)).isEqualTo(1_280);
        assertThat(TASK.l2Bound()).isEqualTo(4.0);
    }
}
