package io.tributary.flink;

import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.tensor.WireParams;
import java.util.Arrays;

/**
 * What the job needs to know about a task, taken from its {@code TaskPosted} event (the on-chain
 * {@code TaskSpec}) plus the model's shape, which the chain does not carry (see
 * {@link RoundAggregationJob.Config#modelShapes()}). A Flink POJO; times are unix seconds.
 */
public class TaskInfo {

    public long taskId;
    public long modelId;
    public int rounds;
    public int minContributors;
    public int maxContributors;
    public long maxWeight;
    public long startTime;
    public long roundPeriod;
    public long commitWindow;
    public long revealWindow;
    public long aggregateWindow;
    /** L2 clip bound as the chain carries it: fixed point with 32 fractional bits. */
    public long clipBound;
    public int expMin;
    public int expMax;
    public AggregationRule rule;
    public int ruleParam;
    public long[] chainIds;
    public int dimension;
    public int chunkLeavesLog2;
    /** Seconds after the reveal deadline during which chunks of revealed updates are still taken. */
    public long closeGraceSeconds;

    public TaskInfo() {}

    /** The tensor wire parameters of the task; throws IllegalArgumentException if they are not valid. */
    public WireParams wireParams() {
        return WireParams.builder()
                .dimension(dimension)
                .chunkLeavesLog2(chunkLeavesLog2)
                .exponentRange(expMin, expMax)
                .l2Bound(l2Bound())
                .maxWeight(maxWeight)
                .maxContributors(maxContributors)
                .build();
    }

    /** The clip bound as a double (exact for any clipBound below 2^53). */
    public double l2Bound() {
        return Math.scalb((double) clipBound, -32);
    }

    public int chunkCount() {
        long leaves = (dimension + 63L) / 64;
        return (int) ((leaves + (1L << chunkLeavesLog2) - 1) >>> chunkLeavesLog2);
    }

    /** PROTOCOL.md: reveal deadline = startTime + r * roundPeriod + commitWindow + revealWindow. */
    public long revealDeadline(int round) {
        return startTime + round * roundPeriod + commitWindow + revealWindow;
    }

    /** Event time (millis) at which the round closes whatever has arrived. */
    public long closeTimeMillis(int round) {
        return (revealDeadline(round) + closeGraceSeconds) * 1000L;
    }

    /** Event time (millis) from which the set of reveals of the round is final. */
    public long revealsFinalMillis(int round) {
        return revealDeadline(round) * 1000L;
    }

    /** Position of a chain in the task's chain list, or -1. */
    public int chainPosition(long chainId) {
        for (int i = 0; i < chainIds.length; i++) {
            if (chainIds[i] == chainId) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "TaskInfo{" + taskId + ", rule=" + rule + "(" + ruleParam + "), rounds=" + rounds + ", P=" + dimension
                + ", k=" + chunkLeavesLog2 + ", exp=[" + expMin + "," + expMax + "], chains="
                + Arrays.toString(chainIds) + '}';
    }
}
