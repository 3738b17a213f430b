package io.tributary.contracts.tx;

import java.math.BigInteger;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Counters a caller (or a metrics reporter) can read while the writer works. */
public final class WriterStats {

    final AtomicLong signed = new AtomicLong();
    final AtomicLong mined = new AtomicLong();
    final AtomicLong reverted = new AtomicLong();
    final AtomicLong replayed = new AtomicLong();
    final AtomicLong rebroadcasts = new AtomicLong();
    final AtomicLong feeBumps = new AtomicLong();
    final AtomicLong nonceRepairs = new AtomicLong();
    final AtomicLong rpcRetries = new AtomicLong();
    final AtomicLong feeCapWaits = new AtomicLong();
    final AtomicInteger waitingForFeeCap = new AtomicInteger();
    final AtomicReference<FeeQuote.OverCap> lastOverCap = new AtomicReference<>();

    /** Transactions signed (first signatures and re-signatures). */
    public long signed() { return signed.get(); }

    /** Writes whose receipt arrived. */
    public long mined() { return mined.get(); }

    /** Writes that reverted (at estimation or on chain). */
    public long reverted() { return reverted.get(); }

    /** Calls answered from the record of an earlier write with the same key. */
    public long replayed() { return replayed.get(); }

    /** Recorded transactions sent again unchanged (after a restart or when a pool dropped them). */
    public long rebroadcasts() { return rebroadcasts.get(); }

    /** Replacements of a pooled transaction with higher fees. */
    public long feeBumps() { return feeBumps.get(); }

    /** Re-signatures with another nonce after the chain had used the recorded one (nonce too low/high). */
    public long nonceRepairs() { return nonceRepairs.get(); }

    /** RPC calls retried after a retriable failure. */
    public long rpcRetries() { return rpcRetries.get(); }

    /** Writes that had to wait because the fees they needed were above the cap. */
    public long feeCapWaits() { return feeCapWaits.get(); }

    /** Writes waiting for fees to fit under the cap right now. */
    public int waitingForFeeCap() { return waitingForFeeCap.get(); }

    /** The latest quote that was over the cap (null if none ever was). */
    public FeeQuote.OverCap lastOverCap() { return lastOverCap.get(); }

    /** The fee a waiting write needs right now, if any waits. */
    public BigInteger requiredFeeWhileWaiting() {
        FeeQuote.OverCap last = lastOverCap.get();
        return waitingForFeeCap.get() > 0 && last != null ? last.required() : null;
    }

    @Override
    public String toString() {
        return "WriterStats{signed=" + signed + ", mined=" + mined + ", reverted=" + reverted + ", replayed="
                + replayed + ", rebroadcasts=" + rebroadcasts + ", feeBumps=" + feeBumps + ", nonceRepairs="
                + nonceRepairs + ", rpcRetries=" + rpcRetries + ", feeCapWaits=" + feeCapWaits
                + ", waitingForFeeCap=" + waitingForFeeCap + "}";
    }
}
