package io.tributary.trainer.node;

/**
 * The commit/reveal life of one round for one worker, as a pure function of its recorded phase,
 * the task's schedule and the time (unix seconds, as the chains see it). The node asks
 * {@link #next} what to do, does it, records the new phase, and asks again.
 *
 * <pre>
 * NEW      before open: wait; in the commit window: PREPARE; after: MISS
 * PREPARED in the commit window: COMMIT; after: CONFIRM_COMMIT (did the commit land before a crash?)
 * COMMITTED before the commit deadline: wait; in the reveal window: REVEAL; after: CONFIRM_REVEAL
 * REVEALED PUBLISH (the chunks; Flink admits them once the reveal is confirmed)
 * else     DONE
 * </pre>
 *
 * A step that must land in a window is only started if {@code margin} seconds of it are left: a
 * transaction sent at the last second may be mined in the next block, after the deadline.
 */
public final class RoundStateMachine {

    /** What to do next. */
    public enum Action { WAIT, PREPARE, COMMIT, CONFIRM_COMMIT, REVEAL, CONFIRM_REVEAL, PUBLISH, MISS, DONE }

    /** An action, and for WAIT the unix second to wait until. */
    public record Step(Action action, long until) {
        static Step of(Action a) {
            return new Step(a, 0);
        }
    }

    private final long margin;

    /** @param margin seconds of a window that must be left to start a write in it (>= 0) */
    public RoundStateMachine(long margin) {
        if (margin < 0) {
            throw new IllegalArgumentException("margin must be >= 0, got " + margin);
        }
        this.margin = margin;
    }

    public Step next(RoundPhase phase, TaskSchedule task, int round, long now) {
        long open = task.open(round);
        long commitDeadline = task.commitDeadline(round);
        long revealDeadline = task.revealDeadline(round);
        switch (phase) {
            case NEW:
                if (now < open) {
                    return new Step(Action.WAIT, open);
                }
                return now < commitDeadline - margin ? Step.of(Action.PREPARE) : Step.of(Action.MISS);
            case PREPARED:
                return now < commitDeadline - margin ? Step.of(Action.COMMIT) : Step.of(Action.CONFIRM_COMMIT);
            case COMMITTED:
                if (now < commitDeadline) {
                    return new Step(Action.WAIT, commitDeadline);
                }
                return now < revealDeadline - margin ? Step.of(Action.REVEAL) : Step.of(Action.CONFIRM_REVEAL);
            case REVEALED:
                return Step.of(Action.PUBLISH);
            default:
                return Step.of(Action.DONE);
        }
    }
}
