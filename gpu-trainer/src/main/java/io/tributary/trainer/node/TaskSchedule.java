package io.tributary.trainer.node;

import io.tributary.schemas.tensor.WireParams;
import java.util.List;

/**
 * What a worker needs of a task, as the home TaskCoordinator's {@code taskSpec} returns it: the
 * round schedule (PROTOCOL.md, unix seconds, rounds 0-based), the weight bound, the clip bound
 * (fixed point with 32 fractional bits), the wire exponents and the task's chains.
 */
public record TaskSchedule(long taskId, long modelId, int rounds, long maxWeight, int maxContributors, long startTime,
                           long roundPeriod, long commitWindow, long revealWindow, long aggregateWindow,
                           long challengeWindow, long clipBound, int expMin, int expMax, List<Long> chainIds) {

    public TaskSchedule {
        chainIds = List.copyOf(chainIds);
        if (rounds < 1 || roundPeriod < commitWindow + revealWindow || commitWindow < 1 || revealWindow < 1) {
            throw new IllegalArgumentException("task " + taskId + " has an impossible schedule: " + rounds + " rounds, period "
                    + roundPeriod + ", windows " + commitWindow + "/" + revealWindow);
        }
    }

    public long open(int round) {
        return startTime + round * roundPeriod;
    }

    public long commitDeadline(int round) {
        return open(round) + commitWindow;
    }

    public long revealDeadline(int round) {
        return commitDeadline(round) + revealWindow;
    }

    public long aggregationDeadline(int round) {
        return revealDeadline(round) + aggregateWindow;
    }

    /** The L2 clip bound as a double. */
    public double l2Bound() {
        return Math.scalb((double) clipBound, -32);
    }

    public boolean includesChain(long chainId) {
        return chainIds.contains(chainId);
    }

    /** The tensor wire parameters for a model of {@code dimension} coordinates. */
    public WireParams wireParams(int dimension, int chunkLeavesLog2) {
        return WireParams.builder()
                .dimension(dimension)
                .chunkLeavesLog2(chunkLeavesLog2)
                .exponentRange(expMin, expMax)
                .l2Bound(l2Bound())
                .maxWeight(maxWeight)
                .maxContributors(maxContributors)
                .build();
    }
}
