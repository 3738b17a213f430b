package io.tributary.flink;

import java.io.Serializable;
import java.util.OptionalLong;

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
     * @return the gas used by the {@code commitRound} transaction this call sent and saw confirmed;
     *     empty when it sent none: commits are off, or the round's commit had been sent before (a
     *     replay after a failover), whose transaction was counted by the attempt that sent it
     * @throws CommitConflictException when different roots are already committed for the round
     * @throws Exception anything else fails the job (it then restarts from its last checkpoint)
     */
    OptionalLong commitRound(CommitRoundCall call) throws Exception;

    /** Called once per parallel instance before the first call. */
    default void open() throws Exception {}

    /** Called once per parallel instance at the end. */
    default void close() throws Exception {}
}
