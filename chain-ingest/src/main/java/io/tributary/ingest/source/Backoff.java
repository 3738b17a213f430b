package io.tributary.ingest.source;

/** Exponential backoff between retries, reset by a success. */
public final class Backoff {

    private final long initialMs;
    private final long maxMs;
    private long nextMs;
    private int attempts;

    public Backoff(long initialMs, long maxMs) {
        if (initialMs < 1 || maxMs < initialMs) {
            throw new IllegalArgumentException("need 1 <= initial <= max, got " + initialMs + ", " + maxMs);
        }
        this.initialMs = initialMs;
        this.maxMs = maxMs;
        this.nextMs = initialMs;
    }

    /** Records a failure and returns how long to wait before the next attempt. */
    public long failed() {
        attempts++;
        long wait = nextMs;
        nextMs = Math.min(maxMs, nextMs * 2);
        return wait;
    }

    public void reset() {
        attempts = 0;
        nextMs = initialMs;
    }

    /** Failures since the last success. */
    public int attempts() {
        return attempts;
    }
}
