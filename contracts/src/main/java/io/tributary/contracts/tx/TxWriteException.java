package io.tributary.contracts.tx;

/**
 * A write that did not (yet) succeed, with a reason a machine can read. A {@link #retriable()}
 * failure leaves the write recorded: calling {@code send} again with the same idempotency key resumes
 * it without a second effect.
 */
public class TxWriteException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why the write failed. */
    public enum Reason {
        /** The RPC endpoint stayed unreachable for the whole retry window. */
        RPC_UNAVAILABLE(true),
        /** Fees stayed above the configured cap for the whole wait. */
        FEE_CAP_EXCEEDED(true),
        /** The transaction was sent but no receipt arrived in time. */
        RECEIPT_TIMEOUT(true),
        /** The EVM reverted it (at estimation, or on chain). */
        REVERTED(false),
        /** The node refused it for good (insufficient funds, invalid transaction, ...). */
        REJECTED(false),
        /** The idempotency key was already used for a different write. */
        KEY_CONFLICT(false),
        /** The state file could not be written, so nothing was sent. */
        STATE_UNWRITABLE(true),
        /** The writer was closed. */
        CLOSED(false);

        private final boolean retriable;

        Reason(boolean retriable) {
            this.retriable = retriable;
        }

        public boolean retriable() {
            return retriable;
        }
    }

    private final Reason reason;
    private final String idempotencyKey;

    public TxWriteException(Reason reason, String idempotencyKey, String message, Throwable cause) {
        super("[" + reason + "] " + idempotencyKey + ": " + message, cause);
        this.reason = reason;
        this.idempotencyKey = idempotencyKey;
    }

    public Reason reason() {
        return reason;
    }

    public String idempotencyKey() {
        return idempotencyKey;
    }

    public boolean retriable() {
        return reason.retriable();
    }
}
