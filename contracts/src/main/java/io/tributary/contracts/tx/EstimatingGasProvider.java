package io.tributary.contracts.tx;

import java.math.BigInteger;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.utils.Numeric;

/**
 * A web3j {@link ContractGasProvider} that estimates each transaction's gas with
 * {@code eth_estimateGas} plus the writer's margin. When the estimate reverts it answers null, and the
 * writer (which estimates again) reports the revert with its decoded reason. The gas price it answers is
 * the writer's cap: a writer-backed transaction manager ignores it and prices under the cap itself.
 */
public final class EstimatingGasProvider implements ContractGasProvider {

    private static final Logger LOG = LoggerFactory.getLogger(EstimatingGasProvider.class);

    private final TransactionWriter writer;
    private final BigInteger fallbackGasLimit;

    EstimatingGasProvider(TransactionWriter writer, BigInteger fallbackGasLimit) {
        this.writer = Objects.requireNonNull(writer, "writer");
        this.fallbackGasLimit = Objects.requireNonNull(fallbackGasLimit, "fallbackGasLimit");
        if (fallbackGasLimit.compareTo(BigInteger.valueOf(21_000)) < 0) {
            throw new IllegalArgumentException("fallback gas limit below 21000: " + fallbackGasLimit);
        }
    }

    @Override
    public BigInteger getGasLimit(Transaction transaction) {
        BigInteger value = transaction.getValue() == null ? BigInteger.ZERO : Numeric.decodeQuantity(transaction.getValue());
        try {
            return writer.estimateGas(transaction.getTo(), value, transaction.getData());
        } catch (TxRevertedException e) {
            return null; // the writer estimates again and reports the revert with its reason
        } catch (TxWriteException e) {
            LOG.warn("gas estimate failed ({}); using the fallback limit {}", e.getMessage(), fallbackGasLimit);
            return fallbackGasLimit;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while estimating gas", e);
        }
    }

    /** Used by web3j only where no transaction is at hand. */
    @Override
    public BigInteger getGasLimit() {
        return fallbackGasLimit;
    }

    @Override
    public BigInteger getGasPrice() {
        return writer.feePolicy().maxFeeCap();
    }
}
