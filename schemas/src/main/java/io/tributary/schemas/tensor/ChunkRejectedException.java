package io.tributary.schemas.tensor;

/** A chunk the decoder refused, with its typed {@link RejectReason}. */
public final class ChunkRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final RejectReason reason;

    public ChunkRejectedException(RejectReason reason, String detail) {
        super(reason + ": " + detail, null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
