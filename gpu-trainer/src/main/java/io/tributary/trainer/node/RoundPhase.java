package io.tributary.trainer.node;

/** Where one (task, round) of a worker stands; the node's durable state records it. */
public enum RoundPhase {
    /** Nothing done yet. */
    NEW,
    /** The update is trained, encoded and saved with its salt; the commitment is fixed. */
    PREPARED,
    /** The commitment is on chain. */
    COMMITTED,
    /** The reveal is on chain. */
    REVEALED,
    /** Every chunk is in {@code updates.chunks}. */
    PUBLISHED,
    /** The reward of the round was claimed on the worker's chain. */
    CLAIMED,
    /** The round cannot be claimed (no finalized round, or the contributions tree does not hold the worker). */
    UNCLAIMABLE,
    /** The worker missed a window of the round; it is not retried. */
    MISSED;

    /** Whether a round in this phase had its update revealed on chain (a round the worker contributed to). */
    public boolean revealed() {
        return this == REVEALED || this == PUBLISHED || this == CLAIMED || this == UNCLAIMABLE;
    }

    /** Whether nothing more is to be done in the round's commit/reveal part. */
    public boolean served() {
        return this == PUBLISHED || this == CLAIMED || this == UNCLAIMABLE || this == MISSED;
    }
}
