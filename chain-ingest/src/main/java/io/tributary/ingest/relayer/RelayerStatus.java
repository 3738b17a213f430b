package io.tributary.ingest.relayer;

import java.time.Duration;
import java.util.Optional;

/**
 * What the submitter reports about itself: how many messages wait (for signatures, approval or a
 * successful execution), the age of the oldest one, and counters since start.
 *
 * @param pending messages seen on chain.events and neither executed, retracted nor refused
 * @param oldestPendingId the message id of the oldest pending message, if any
 * @param oldestPendingAge its age (since the connector emitted its event), zero when none
 * @param stuck pending messages older than the configured stuck threshold
 * @param executed messages found or made executed
 * @param retracted messages stopped by a retraction before approval
 * @param executionFailures failed executions (each is retried with backoff)
 * @param deadLettered inputs refused to the dead-letter topic
 */
public record RelayerStatus(int pending, Optional<String> oldestPendingId, Duration oldestPendingAge, int stuck,
        long executed, long retracted, long executionFailures, long deadLettered) {

    static final RelayerStatus EMPTY = new RelayerStatus(0, Optional.empty(), Duration.ZERO, 0, 0, 0, 0, 0);

    @Override
    public String toString() {
        return "pending " + pending + " (oldest " + oldestPendingId.orElse("-") + ", " + oldestPendingAge.toSeconds()
                + " s), stuck " + stuck + ", executed " + executed + ", retracted " + retracted
                + ", execution failures " + executionFailures + ", dead-lettered " + deadLettered;
    }
}
