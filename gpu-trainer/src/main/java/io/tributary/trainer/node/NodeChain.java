package io.tributary.trainer.node;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Everything a worker node reads from and writes to the chains: its own chain's WorkerHub (and
 * RewardVault on a participant chain), and the home chain's TaskCoordinator and ModelRegistry.
 * Writes go to the worker's own chain only, each under an idempotency key per (task, round, action),
 * so repeating one after a crash never has a second effect.
 */
public interface NodeChain {

    /** The chain the worker works on. */
    long chainId();

    /** Whether that chain is the home chain (claims on the TaskCoordinator, else on the RewardVault). */
    boolean home();

    /** The worker's address, 0x lower-case. */
    String worker();

    /** Registers and stakes {@code stakeWei} on the hub unless the worker is already active; the tx hash, or empty. */
    Optional<String> ensureRegistered(java.math.BigInteger stakeWei) throws IOException, InterruptedException;

    /** The worker's stake on its hub, in wei (0 when not registered). */
    java.math.BigInteger stake() throws IOException;

    /**
     * The rewards paid to the worker on its chain so far, in the reward token's smallest unit: the
     * sum of the claims paid to it (whoever submitted them), TRN on home, wTRN on a participant chain.
     */
    java.math.BigInteger rewardsReceived() throws IOException;

    /** The task as posted on home. */
    TaskSchedule task(long taskId) throws IOException;

    /** Whether the worker's hub has heard of the task (the TASK_POSTED message arrived). */
    boolean hubKnowsTask(long taskId) throws IOException;

    /** The model's registry entry. */
    RegisteredModel model(long modelId) throws IOException;

    /** The hub's {@code commitmentOf(updateRoot, samples, dataRoot, salt, worker)}. */
    byte[] commitmentOf(byte[] updateRoot, long samples, byte[] dataRoot, byte[] salt) throws IOException;

    /** Commits; returns the transaction hash. */
    String commit(long taskId, int round, byte[] commitment) throws IOException, InterruptedException;

    /** Reveals; returns the transaction hash. */
    String reveal(long taskId, int round, byte[] updateRoot, long samples, byte[] dataRoot, byte[] salt)
            throws IOException, InterruptedException;

    /** The worker's entry on the hub: the commitment and the revealed root (zeros when absent). */
    Entry entry(long taskId, int round) throws IOException;

    /** The round's committed model root on home, if committed. */
    Optional<byte[]> committedModelRoot(long taskId, int round) throws IOException;

    /** Where the round stands for claims on the worker's chain. */
    Settlement settlement(long taskId, int round) throws IOException;

    /** Claims the worker's reward of a round on its own chain; returns the transaction hash. */
    String claim(long taskId, int round, byte[] updateRoot, long weight, long index, List<byte[]> proof)
            throws IOException, InterruptedException;

    /** A hub entry. */
    record Entry(byte[] commitment, byte[] updateRoot) {
        public boolean committed() {
            return !isZero(commitment);
        }

        public boolean revealed() {
            return !isZero(updateRoot);
        }

        static boolean isZero(byte[] b) {
            if (b == null) {
                return true;
            }
            for (byte x : b) {
                if (x != 0) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A model in the home ModelRegistry. */
    record RegisteredModel(long modelId, byte[] initialRoot, String uri) {}

    /**
     * A round as a claimer sees it: PENDING (not final yet, or the share not yet on this chain),
     * CLAIMABLE (with the contributions root to prove against), FAILED (nothing to claim), or
     * CLAIMED (already paid to this worker).
     */
    record Settlement(State state, byte[] contributionsRoot) {
        public enum State { PENDING, CLAIMABLE, FAILED, CLAIMED }
    }
}
