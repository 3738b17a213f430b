package io.tributary.contracts.tx;

import java.math.BigInteger;
import java.util.List;
import java.util.Objects;

/**
 * What the writer remembers of one write, keyed by its idempotency key. Written to the state file
 * before the transaction is broadcast, so a restarted writer re-broadcasts this very transaction.
 *
 * @param key the caller's idempotency key
 * @param nonce the nonce of the signed transaction
 * @param hashes every transaction hash signed for this write, oldest first (fee bumps add one); the
 *     last belongs to {@code rawTx}
 * @param rawTx the latest signed transaction, hex
 * @param status where the write stands
 * @param blockNumber the block that included it ({@link Status#MINED}), else null
 * @param minedHash the hash that was mined, else null
 * @param success whether the mined transaction succeeded (status 1)
 * @param detail revert reason or refusal, else empty
 */
public record TxRecord(String key, long nonce, List<String> hashes, String rawTx, Status status,
        BigInteger blockNumber, String minedHash, boolean success, String detail) {

    public enum Status {
        /** Signed and recorded; maybe broadcast, maybe not. */
        SIGNED,
        /** A node accepted it into its pool. */
        SENT,
        /** Included in a block (see success). */
        MINED,
        /** Refused for good before it was pooled; its nonce was given back. */
        FAILED
    }

    public TxRecord {
        Objects.requireNonNull(key, "key");
        hashes = List.copyOf(hashes);
        Objects.requireNonNull(rawTx, "rawTx");
        Objects.requireNonNull(status, "status");
        detail = detail == null ? "" : detail;
        if (hashes.isEmpty()) {
            throw new IllegalArgumentException("a record needs at least one transaction hash");
        }
        if (status == Status.MINED && (blockNumber == null || minedHash == null)) {
            throw new IllegalArgumentException("a mined record needs its block and hash");
        }
    }

    static TxRecord signed(String key, long nonce, String hash, String rawTx) {
        return new TxRecord(key, nonce, List.of(hash), rawTx, Status.SIGNED, null, null, false, "");
    }

    /** The hash of {@link #rawTx()}. */
    public String latestHash() {
        return hashes.get(hashes.size() - 1);
    }

    public boolean unfinished() {
        return status == Status.SIGNED || status == Status.SENT;
    }

    TxRecord sent() {
        return status == Status.SIGNED ? with(Status.SENT) : this;
    }

    TxRecord resigned(long newNonce, String hash, String newRawTx) {
        List<String> all = new java.util.ArrayList<>(hashes);
        all.add(hash);
        return new TxRecord(key, newNonce, all, newRawTx, Status.SIGNED, null, null, false, "");
    }

    TxRecord mined(BigInteger block, String hash, boolean ok, String why) {
        return new TxRecord(key, nonce, hashes, rawTx, Status.MINED, block, hash, ok, why);
    }

    TxRecord failed(String why) {
        return new TxRecord(key, nonce, hashes, rawTx, Status.FAILED, null, null, false, why);
    }

    private TxRecord with(Status s) {
        return new TxRecord(key, nonce, hashes, rawTx, s, blockNumber, minedHash, success, detail);
    }
}
