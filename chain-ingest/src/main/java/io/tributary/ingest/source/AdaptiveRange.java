package io.tributary.ingest.source;

/**
 * The number of blocks asked of one {@code eth_getLogs}: halved when the node refuses a range
 * (too many results, range limit), doubled after a run of successes, always within [min, max].
 * A refused size is not tried again until {@value #PATIENCE} times as many full ranges have
 * succeeded, so a node with a fixed limit is not asked too much every other call.
 */
public final class AdaptiveRange {

    private final int min;
    private final int max;
    private final int growAfter;
    static final int PATIENCE = 8;

    private int size;
    private int successes;
    private int refusedAt = Integer.MAX_VALUE;
    private int sinceRefusal;

    public AdaptiveRange(int initial, int min, int max, int growAfter) {
        if (min < 1 || max < min || initial < min || initial > max || growAfter < 1) {
            throw new IllegalArgumentException("need 1 <= min <= initial <= max and growAfter >= 1, got min=" + min
                    + " initial=" + initial + " max=" + max + " growAfter=" + growAfter);
        }
        this.min = min;
        this.max = max;
        this.growAfter = growAfter;
        this.size = initial;
    }

    public int size() {
        return size;
    }

    /** The node refused a range of {@link #size()} blocks; returns false if it is already at its minimum. */
    public boolean shrink() {
        successes = 0;
        refusedAt = Math.min(refusedAt, size);
        sinceRefusal = 0;
        if (size == min) {
            return false;
        }
        size = Math.max(min, size / 2);
        return true;
    }

    /**
     * A range succeeded. {@code full} says whether it was a full-size range (a short range at the
     * head says nothing about the node's limit, so it does not count towards growing).
     */
    public void succeeded(boolean full) {
        if (!full) {
            return;
        }
        if (refusedAt != Integer.MAX_VALUE && ++sinceRefusal >= PATIENCE * growAfter) {
            refusedAt = Integer.MAX_VALUE; // the node may allow more by now (sparser logs)
        }
        if (++successes >= growAfter && size < max) {
            int next = (int) Math.min(max, 2L * size);
            if (next >= refusedAt) {
                next = Math.max(size, refusedAt - 1);
            }
            size = next;
            successes = 0;
        }
    }
}
