package io.tributary.contracts.tx;

import java.math.BigInteger;
import java.util.Objects;
import org.web3j.utils.Numeric;

/**
 * One write.
 *
 * @param idempotencyKey the caller's name for this write: the same key never has two effects
 * @param to the recipient, or null to deploy a contract
 * @param value wei sent along
 * @param data call data or init code, hex ({@code 0x} for none)
 * @param gasLimit the gas limit, or null to estimate it ({@code eth_estimateGas} plus the writer's margin)
 */
public record TxRequest(String idempotencyKey, String to, BigInteger value, String data, BigInteger gasLimit) {

    public TxRequest {
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        if (idempotencyKey.isBlank() || idempotencyKey.length() > 256) {
            throw new IllegalArgumentException("idempotency key must be 1..256 non-blank characters, was '"
                    + idempotencyKey + "'");
        }
        if (to != null && !to.isEmpty() && !to.matches("0x[0-9a-fA-F]{40}")) {
            throw new IllegalArgumentException("'to' is not an address: " + to);
        }
        to = to == null || to.isEmpty() ? null : to.toLowerCase();
        value = value == null ? BigInteger.ZERO : value;
        if (value.signum() < 0) {
            throw new IllegalArgumentException("value must not be negative, was " + value);
        }
        data = data == null || data.isEmpty() ? "0x" : Numeric.prependHexPrefix(data).toLowerCase();
        if (!data.matches("0x([0-9a-f]{2})*")) {
            throw new IllegalArgumentException("data is not hex bytes: " + data);
        }
        if (to == null && data.equals("0x")) {
            throw new IllegalArgumentException("a deployment (no 'to') needs init code");
        }
        if (gasLimit != null && gasLimit.compareTo(BigInteger.valueOf(21_000)) < 0) {
            throw new IllegalArgumentException("gas limit below 21000: " + gasLimit);
        }
    }

    /** A plain transfer of {@code wei} to {@code to}. */
    public static TxRequest transfer(String idempotencyKey, String to, BigInteger wei) {
        return new TxRequest(idempotencyKey, to, wei, "0x", BigInteger.valueOf(21_000));
    }

    /** A call of {@code to} with {@code data}, gas estimated. */
    public static TxRequest call(String idempotencyKey, String to, String data) {
        return new TxRequest(idempotencyKey, to, BigInteger.ZERO, data, null);
    }
}
