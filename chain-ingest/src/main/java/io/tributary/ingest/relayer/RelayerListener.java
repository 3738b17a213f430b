package io.tributary.ingest.relayer;

import io.tributary.schemas.avro.GatewayAttestation;
import io.tributary.schemas.avro.RejectionReason;

/**
 * Observes the relayer's progress (metrics, logs, tests). Called on the relayer's own threads;
 * an exception thrown here stops that guardian or submitter as a crash would.
 */
public interface RelayerListener {

    RelayerListener NONE = new RelayerListener() {};

    /** A guardian signed a message; the attestation is not published yet. */
    default void signed(GatewayAttestation attestation) {}

    /** The submitter's approval of {@code messageId} is on the destination chain. */
    default void approved(String messageId) {}

    /** {@code messageId} was executed on the destination chain (by this submitter or found executed). */
    default void executed(String messageId) {}

    /** An execution of {@code messageId} failed; it will be retried. */
    default void executionFailed(String messageId, String reason) {}

    /** An input was refused and written to {@code deadletter}. */
    default void deadLettered(String sourceKey, RejectionReason reason, String detail) {}
}
