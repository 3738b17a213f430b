package io.tributary.trainer.node;

/**
 * The durable record of one (task, round) of a worker: its phase, the salt and the committed
 * fields (so a restarted worker reveals exactly what it committed), the file holding the encoded
 * update, and the transactions. Hex fields are 0x-prefixed. Mutable; owned by {@link NodeState}.
 */
public final class RoundRecord {
    public RoundPhase phase = RoundPhase.NEW;
    public String salt;
    public String updateRoot;
    public String dataRoot;
    public long weight;
    public String commitment;
    /** File (relative to the state directory) with the encoded update's chunks. */
    public String updateFile;
    public String commitTx;
    public String revealTx;
    public String claimTx;
    /** Why the round was missed or is unclaimable. */
    public String reason;
    /** Unix seconds of the last change. */
    public long updatedAt;

    public RoundRecord() {}
}
