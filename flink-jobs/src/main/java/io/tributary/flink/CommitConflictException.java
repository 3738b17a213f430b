package io.tributary.flink;

/**
 * The home chain holds (or this aggregator already sent) a different commitment for a round than
 * the one the job computed: an alarm for the operators (DESIGN decision 8), never retried.
 */
public class CommitConflictException extends Exception {

    public CommitConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
