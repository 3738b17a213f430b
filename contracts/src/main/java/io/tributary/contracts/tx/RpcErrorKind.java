package io.tributary.contracts.tx;

/** What an RPC failure means for the writer; the classification drives retry and repair. */
public enum RpcErrorKind {
    /** The node could not be reached or was overloaded: retry with backoff. */
    UNAVAILABLE(true),
    /** The nonce was already used (by this key's mined or pending transaction, or by someone else). */
    NONCE_TOO_LOW(true),
    /** A lower nonce of this key is missing from the node's pool. */
    NONCE_TOO_HIGH(true),
    /** A transaction with the same nonce is pooled and the new one does not pay enough more. */
    REPLACEMENT_UNDERPRICED(true),
    /** The max fee is below the base fee (or the tip below the pool's minimum). */
    FEE_TOO_LOW(true),
    /** The node already has this very transaction: success for a re-broadcast. */
    ALREADY_KNOWN(true),
    /** The key cannot pay gas * max fee + value. */
    INSUFFICIENT_FUNDS(false),
    /** The EVM reverted (estimation or call). */
    REVERTED(false),
    /** Anything else the node refuses: retrying the same request will not help. */
    PERMANENT(false);

    private final boolean retriable;

    RpcErrorKind(boolean retriable) {
        this.retriable = retriable;
    }

    /** Whether sending again (possibly after a repair the writer does itself) can succeed. */
    public boolean retriable() {
        return retriable;
    }
}
