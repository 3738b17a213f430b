package io.tributary.contracts.tx;

import java.math.BigInteger;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * A successful write.
 *
 * @param idempotencyKey the key it was written under
 * @param nonce its nonce
 * @param transactionHash the mined transaction (a fee bump may have replaced the first one)
 * @param blockNumber the block that included it
 * @param receipt the receipt
 * @param replayed true when the key had been written before (this call sent nothing new)
 */
public record TxResult(String idempotencyKey, long nonce, String transactionHash, BigInteger blockNumber,
        TransactionReceipt receipt, boolean replayed) {}
