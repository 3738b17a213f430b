package io.tributary.ingest.intake;

import io.tributary.schemas.avro.RejectionReason;
import java.util.Objects;

/** A task request that intake refuses: a machine-readable reason and a human-readable detail. */
public final class RequestRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;

    public RequestRejectedException(RejectionReason reason, String detail) {
        super(detail);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public RejectionReason reason() {
        return reason;
    }

    public String detail() {
        return getMessage();
    }
}
