package io.tributary.trainer.node;

import io.tributary.contracts.tx.RevertReason;
import io.tributary.contracts.tx.TxRevertedException;
import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A WorkerHub of one chain in memory, for the tests whose unit is the commit/reveal state machine:
 * it checks the windows against a settable clock as the contract does, keeps each worker's entry,
 * and answers a repeated write with the same idempotency key as the transaction writer does (the
 * recorded transaction). {@link #crashAfter} makes the next call of an action throw after its
 * effect, like a process that dies before it records what it did ({@code before-commit}: before it).
 */
final class InMemoryChain implements NodeChain {

    long now;
    final TaskSchedule task;
    private final Map<String, byte[][]> entries = new HashMap<>();
    private final Map<String, String> txByKey = new HashMap<>();
    final List<String> writes = new ArrayList<>();
    private String crashAfter;
    private boolean hubKnows = true;
    RegisteredModel model;
    final Map<Integer, byte[]> committedModelRoots = new HashMap<>();
    final Map<Integer, Settlement> settlements = new HashMap<>();
    BigInteger stakeWei = BigInteger.ZERO;
    BigInteger rewardsWei = BigInteger.ZERO;

    InMemoryChain(TaskSchedule task) {
        this.task = task;
    }

    void crashAfter(String action) {
        this.crashAfter = action;
    }

    void hubKnows(boolean knows) {
        this.hubKnows = knows;
    }

    private void maybeCrash(String action) {
        if (action.equals(crashAfter)) {
            crashAfter = null;
            throw new SimulatedCrash(action);
        }
    }

    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(String action) {
            super("simulated crash after " + action);
        }
    }

    @Override
    public long chainId() {
        return 412346;
    }

    @Override
    public boolean home() {
        return false;
    }

    @Override
    public String worker() {
        return "0x00000000000000000000000000000000000000a1";
    }

    @Override
    public Optional<String> ensureRegistered(BigInteger stakeWei) {
        return Optional.empty();
    }

    @Override
    public BigInteger stake() {
        return stakeWei;
    }

    @Override
    public BigInteger rewardsReceived() {
        return rewardsWei;
    }

    @Override
    public TaskSchedule task(long taskId) {
        return task;
    }

    @Override
    public boolean hubKnowsTask(long taskId) {
        return hubKnows;
    }

    @Override
    public RegisteredModel model(long modelId) {
        if (model == null || model.modelId() != modelId) {
            throw new UnsupportedOperationException("no model " + modelId);
        }
        return model;
    }

    @Override
    public byte[] commitmentOf(byte[] updateRoot, long samples, byte[] dataRoot, byte[] salt) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(updateRoot);
            d.update(BigInteger.valueOf(samples).toByteArray());
            d.update(dataRoot);
            d.update(salt);
            d.update(worker().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String commit(long taskId, int round, byte[] commitment) throws IOException {
        String key = "task/" + taskId + "/round/" + round + "/commit";
        maybeCrash("before-commit");
        if (txByKey.containsKey(key)) {
            return txByKey.get(key); // the writer's replay of a recorded key
        }
        if (now < task.open(round) || now >= task.commitDeadline(round)) {
            throw revert(key, "WorkerHubNotCommitWindow");
        }
        byte[][] e = entries.computeIfAbsent(taskId + ":" + round, k -> new byte[2][]);
        if (e[0] != null) {
            throw revert(key, "WorkerHubAlreadyCommitted");
        }
        e[0] = commitment.clone();
        String tx = "0xc0" + writes.size();
        txByKey.put(key, tx);
        writes.add(key);
        maybeCrash("commit");
        return tx;
    }

    @Override
    public String reveal(long taskId, int round, byte[] updateRoot, long samples, byte[] dataRoot, byte[] salt)
            throws IOException {
        String key = "task/" + taskId + "/round/" + round + "/reveal";
        if (txByKey.containsKey(key)) {
            return txByKey.get(key);
        }
        if (now < task.commitDeadline(round) || now >= task.revealDeadline(round)) {
            throw revert(key, "WorkerHubNotRevealWindow");
        }
        byte[][] e = entries.get(taskId + ":" + round);
        if (e == null || e[0] == null) {
            throw revert(key, "WorkerHubNotCommitted");
        }
        if (!Arrays.equals(e[0], commitmentOf(updateRoot, samples, dataRoot, salt))) {
            throw revert(key, "WorkerHubRevealMismatch");
        }
        e[1] = updateRoot.clone();
        String tx = "0xe0" + writes.size();
        txByKey.put(key, tx);
        writes.add(key);
        maybeCrash("reveal");
        return tx;
    }

    @Override
    public Entry entry(long taskId, int round) {
        byte[][] e = entries.get(taskId + ":" + round);
        return e == null ? new Entry(new byte[32], new byte[32])
                : new Entry(e[0] == null ? new byte[32] : e[0], e[1] == null ? new byte[32] : e[1]);
    }

    byte[] revealedRoot(long taskId, int round) {
        byte[][] e = entries.get(taskId + ":" + round);
        return e == null ? null : e[1];
    }

    @Override
    public Optional<byte[]> committedModelRoot(long taskId, int round) {
        return Optional.ofNullable(committedModelRoots.get(round));
    }

    @Override
    public Settlement settlement(long taskId, int round) {
        return settlements.getOrDefault(round, new Settlement(Settlement.State.PENDING, null));
    }

    @Override
    public String claim(long taskId, int round, byte[] updateRoot, long weight, long index, List<byte[]> proof) {
        throw new UnsupportedOperationException();
    }

    private static IOException revert(String key, String error) {
        return new IOException(key + " reverted", new TxRevertedException(key,
                new RevertReason(RevertReason.Kind.CUSTOM_ERROR, "0x00000000", error, List.of(), "0x"), null));
    }
}
