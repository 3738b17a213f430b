package io.tributary.ingest.source;

/** The chain forked below every block the follower remembers: its retractions cannot be computed. */
public final class ReorgTooDeepException extends RuntimeException {
    public ReorgTooDeepException(String message) {
        super(message);
    }
}
