package io.tributary.flink;

import java.io.Serializable;

/**
 * Where a committed round goes on-chain. The implementation calls {@code commitRound} through the
 * transaction writer; it must be idempotent (DESIGN decision 8): the contract treats a repeated
 * commit with the same roots as success, so a call replayed after a failover is harmless, and it
 * must fail loudly when the chain holds a different root for the round: {@link CommitConflictException}
 * (counted and dead-lettered by {@link CommitRoundFunction}). {@link OnChainCommitmentSink} is the
 * implementation that writes to the home chain.
 */
@FunctionalInterface
public interface CommitmentSink extends Serializable {

    /**
     * Commits one round.
     *
     * @throws CommitConflictException when different roots are already committed for the round
     * @throws Exception anything else fails the job (it then restarts from its last checkpoint)
     */
    void commitRound(CommitRoundCall call) throws Exception;

    /** Called once per parallel instance before the first call. */
    default void open() throws Exception {}

    /** Called once per parallel instance at the end. */
    default void close() throws Exception {}
}
