package io.tributary.contracts.tx;

import java.util.Optional;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * The EVM reverted the write: either at gas estimation (nothing was sent, no nonce used) or on chain
 * (a receipt with status 0 exists and the nonce is spent). Either way the decoded reason is here.
 */
public final class TxRevertedException extends TxWriteException {

    private static final long serialVersionUID = 1L;

    private final RevertReason revertReason;
    private final transient TransactionReceipt receipt;

    public TxRevertedException(String idempotencyKey, RevertReason revertReason, TransactionReceipt receipt) {
        super(Reason.REVERTED, idempotencyKey,
                (receipt == null ? "reverted at estimation (not sent): " : "reverted on chain in "
                        + receipt.getTransactionHash() + ": ") + revertReason, null);
        this.revertReason = revertReason;
        this.receipt = receipt;
    }

    public RevertReason revertReason() {
        return revertReason;
    }

    /** The receipt when the transaction was mined; empty when it reverted at estimation. */
    public Optional<TransactionReceipt> receipt() {
        return Optional.ofNullable(receipt);
    }
}
