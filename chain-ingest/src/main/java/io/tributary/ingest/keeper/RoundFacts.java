package io.tributary.ingest.keeper;

/**
 * What is known of one round of one task, from {@code chain.events} or from the coordinator's views.
 *
 * @param taskId the task
 * @param round the round (0-based)
 * @param aggregationDeadline home time (unix seconds) from which an uncommitted round may be failed
 * @param challengeWindow seconds after the commitment from which the round may be finalized
 * @param committedAt home time of the commitment, or 0 when the round has none
 * @param settled the round is already Finalized or Failed
 * @param taskActive the task is active (a cancelled task's uncommitted rounds were refunded at the cancel)
 */
public record RoundFacts(long taskId, int round, long aggregationDeadline, long challengeWindow, long committedAt,
        boolean settled, boolean taskActive) {

    public RoundFacts {
        if (round < 0 || committedAt < 0 || challengeWindow < 0) {
            throw new IllegalArgumentException("round, committedAt and challengeWindow must not be negative: round "
                    + round + ", committedAt " + committedAt + ", challengeWindow " + challengeWindow);
        }
    }

    /** The keeper's decision about this round at home time {@code now} (unix seconds). */
    public Decision decide(long now) {
        if (settled) {
            return Decision.NOTHING;
        }
        if (committedAt != 0) {
            long finalAt = committedAt + challengeWindow;
            return now >= finalAt ? new Decision(Action.FINALIZE, finalAt) : new Decision(Action.WAIT, finalAt);
        }
        if (!taskActive) {
            return Decision.NOTHING; // cancelled: refunded by cancelTask, failRound would revert
        }
        return now >= aggregationDeadline ? new Decision(Action.FAIL, aggregationDeadline)
                : new Decision(Action.WAIT, aggregationDeadline);
    }

    /** What the keeper does with a round. */
    public enum Action {
        /** {@code finalizeRound}: committed and past its challenge window. */
        FINALIZE,
        /** {@code failRound}: no commitment by the aggregation deadline. */
        FAIL,
        /** Not yet: look again at {@link Decision#at()}. */
        WAIT,
        /** Settled, or nothing for anyone to do (a cancelled task's uncommitted round). */
        NOTHING
    }

    /**
     * @param action what to do
     * @param at home time from which the action is (or was) due; 0 for {@link Action#NOTHING}
     */
    public record Decision(Action action, long at) {
        static final Decision NOTHING = new Decision(Action.NOTHING, 0);

        /** Whether a transaction is due. */
        public boolean sends() {
            return action == Action.FINALIZE || action == Action.FAIL;
        }
    }
}
