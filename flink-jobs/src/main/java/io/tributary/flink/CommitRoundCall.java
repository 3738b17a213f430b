package io.tributary.flink;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The arguments of {@code TaskCoordinator.commitRound(taskId, round, modelRoot, contributionsRoot,
 * totalWeight, contributors, chainWeights)} for one committed round (contracts/PROTOCOL.md):
 * {@code chainWeights} in the task's chain order, summing to {@code totalWeight}. A Flink POJO.
 */
public class CommitRoundCall {

    public long taskId;
    public int round;
    public byte[] modelRoot;
    public byte[] contributionsRoot;
    public long totalWeight;
    public int contributors;
    public long[] chainWeights;
    /**
     * Wall-clock unix millis at which the round's finisher emitted the call: the start of
     * {@code commit_latency_seconds}. Not one of the call's arguments: left out of equals and toString.
     */
    public long emittedAtMillis;

    public CommitRoundCall() {}

    @Override
    public boolean equals(Object o) {
        return o instanceof CommitRoundCall c && c.taskId == taskId && c.round == round
                && Arrays.equals(c.modelRoot, modelRoot) && Arrays.equals(c.contributionsRoot, contributionsRoot)
                && c.totalWeight == totalWeight && c.contributors == contributors
                && Arrays.equals(c.chainWeights, chainWeights);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(taskId) * 31 + round;
    }

    @Override
    public String toString() {
        HexFormat hex = HexFormat.of();
        return "commitRound(" + taskId + ", " + round + ", 0x" + hex.formatHex(modelRoot) + ", 0x"
                + hex.formatHex(contributionsRoot) + ", " + totalWeight + ", " + contributors + ", "
                + Arrays.toString(chainWeights) + ")";
    }
}
