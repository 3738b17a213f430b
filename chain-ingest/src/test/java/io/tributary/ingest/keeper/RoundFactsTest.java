package io.tributary.ingest.keeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.ingest.keeper.RoundFacts.Action;
import org.junit.jupiter.api.Test;

class RoundFactsTest {

    private static final long DEADLINE = 1_000;
    private static final long CHALLENGE = 30;

    private static RoundFacts uncommitted() {
        return new RoundFacts(7, 2, DEADLINE, CHALLENGE, 0, false, true);
    }

    private static RoundFacts committedAt(long at) {
        return new RoundFacts(7, 2, DEADLINE, CHALLENGE, at, false, true);
    }

    @Test
    void shouldWaitForTheAggregationDeadlineWhenTheRoundHasNoCommitment() {
        RoundFacts.Decision d = uncommitted().decide(DEADLINE - 1);
        assertThat(d.action()).isEqualTo(Action.WAIT);
        assertThat(d.at()).isEqualTo(DEADLINE);
        assertThat(d.sends()).isFalse();
    }

    @Test
    void shouldFailTheRoundWhenTheAggregationDeadlineHasPassedWithoutCommitment() {
        assertThat(uncommitted().decide(DEADLINE).action()).isEqualTo(Action.FAIL);
        RoundFacts.Decision late = uncommitted().decide(DEADLINE + 500);
        assertThat(late.action()).isEqualTo(Action.FAIL);
        assertThat(late.at()).as("due since the deadline").isEqualTo(DEADLINE);
        assertThat(late.sends()).isTrue();
    }

    @Test
    void shouldWaitOutTheChallengeWindowWhenTheRoundIsCommitted() {
        RoundFacts.Decision d = committedAt(990).decide(990 + CHALLENGE - 1);
        assertThat(d.action()).isEqualTo(Action.WAIT);
        assertThat(d.at()).isEqualTo(990 + CHALLENGE);
    }

    @Test
    void shouldFinalizeWhenTheChallengeWindowHasPassedEvenAfterTheAggregationDeadline() {
        assertThat(committedAt(990).decide(990 + CHALLENGE).action()).isEqualTo(Action.FINALIZE);
        assertThat(committedAt(990).decide(DEADLINE + 10_000).action()).as("never FAIL a committed round")
                .isEqualTo(Action.FINALIZE);
    }

    @Test
    void shouldFinalizeAtTheCommitTimeWhenTheChallengeWindowIsZero() {
        RoundFacts zeroWindow = new RoundFacts(7, 0, DEADLINE, 0, 900, false, true);
        assertThat(zeroWindow.decide(900).action()).isEqualTo(Action.FINALIZE);
    }

    @Test
    void shouldDoNothingWhenTheRoundIsSettled() {
        RoundFacts settled = new RoundFacts(7, 2, DEADLINE, CHALLENGE, 0, true, true);
        assertThat(settled.decide(DEADLINE + 1).action()).isEqualTo(Action.NOTHING);
        RoundFacts finalized = new RoundFacts(7, 2, DEADLINE, CHALLENGE, 990, true, true);
        assertThat(finalized.decide(5_000).action()).isEqualTo(Action.NOTHING);
    }

    @Test
    void shouldNotFailUncommittedRoundsWhenTheTaskWasCancelledButStillFinalizeCommittedOnes() {
        RoundFacts uncommittedOfCancelled = new RoundFacts(7, 2, DEADLINE, CHALLENGE, 0, false, false);
        assertThat(uncommittedOfCancelled.decide(DEADLINE + 1).action()).isEqualTo(Action.NOTHING);
        RoundFacts committedOfCancelled = new RoundFacts(7, 1, DEADLINE, CHALLENGE, 980, false, false);
        assertThat(committedOfCancelled.decide(980 + CHALLENGE).action()).isEqualTo(Action.FINALIZE);
    }

    @Test
    void shouldRefuseNegativeFacts() {
        assertThatThrownBy(() -> new RoundFacts(7, -1, DEADLINE, CHALLENGE, 0, false, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("round -1");
    }
}
