package io.tributary.ingest.source;

/**
 * The number of blocks asked of one {@code eth_getLogs}: halved when the node refuses a range
 * (too many results, range limit), doubled after a run of successes, always within [min, max].
 */
public final class AdaptiveRange {

    private final int min;
    private final int max;
    private final int growAfter;
    private int size;
    private int successes;

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
        if (++successes >= growAfter && size < max) {
            size = (int) Math.min(max, 2L * size);
            successes = 0;
        }
    }
}
