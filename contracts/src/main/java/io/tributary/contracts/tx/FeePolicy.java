package io.tributary.contracts.tx;

import java.math.BigInteger;
import java.util.Objects;

/**
 * EIP-1559 pricing under a cap. The tip is the chain's suggestion (a reward percentile of the last
 * block) clamped to [{@code minPriorityFee}, {@code maxPriorityFee}]; the max fee leaves room for the
 * base fee to grow ({@code baseFee * baseFeeMultiplier + tip}) but never exceeds {@code maxFeeCap}. A
 * write whose bare need ({@code baseFee + tip}) is above the cap is not priced at all: it must wait.
 *
 * @param maxFeeCap the most wei per gas any write of this writer may offer
 * @param minPriorityFee the smallest tip offered, in wei per gas
 * @param maxPriorityFee the largest tip offered, in wei per gas
 * @param baseFeeMultiplier headroom for base fee growth (2 covers six full blocks)
 */
public record FeePolicy(BigInteger maxFeeCap, BigInteger minPriorityFee, BigInteger maxPriorityFee, int baseFeeMultiplier) {

    /** Minimum bump geth, anvil and most nodes require to replace a pooled transaction is 10 %; use 12.5 %. */
    static final int REPLACEMENT_BUMP_PERMILLE = 1125;

    public FeePolicy {
        Objects.requireNonNull(maxFeeCap, "maxFeeCap");
        Objects.requireNonNull(minPriorityFee, "minPriorityFee");
        Objects.requireNonNull(maxPriorityFee, "maxPriorityFee");
        if (maxFeeCap.signum() <= 0) {
            throw new IllegalArgumentException("maxFeeCap must be positive, was " + maxFeeCap);
        }
        if (minPriorityFee.signum() < 0) {
            throw new IllegalArgumentException("minPriorityFee must not be negative, was " + minPriorityFee);
        }
        if (maxPriorityFee.compareTo(minPriorityFee) < 0) {
            throw new IllegalArgumentException("maxPriorityFee " + maxPriorityFee + " is below minPriorityFee " + minPriorityFee);
        }
        if (maxPriorityFee.compareTo(maxFeeCap) > 0) {
            throw new IllegalArgumentException("maxPriorityFee " + maxPriorityFee + " is above maxFeeCap " + maxFeeCap);
        }
        if (baseFeeMultiplier < 1 || baseFeeMultiplier > 10) {
            throw new IllegalArgumentException("baseFeeMultiplier must be in 1..10, was " + baseFeeMultiplier);
        }
    }

    /** The same policy with another cap (checked like a new one). */
    public FeePolicy withMaxFeeCap(BigInteger cap) {
        return new FeePolicy(cap, minPriorityFee, maxPriorityFee.min(cap), baseFeeMultiplier);
    }

    /**
     * Prices a write for a block whose base fee is {@code baseFee}, given the chain's suggested tip.
     */
    public FeeQuote quote(BigInteger baseFee, BigInteger suggestedTip) {
        if (baseFee.signum() < 0 || suggestedTip.signum() < 0) {
            throw new IllegalArgumentException("negative fee data: baseFee " + baseFee + ", tip " + suggestedTip);
        }
        BigInteger tip = suggestedTip.max(minPriorityFee).min(maxPriorityFee);
        BigInteger need = baseFee.add(tip);
        if (need.compareTo(maxFeeCap) > 0) {
            return new FeeQuote.OverCap(baseFee, tip, need, maxFeeCap);
        }
        BigInteger maxFee = baseFee.multiply(BigInteger.valueOf(baseFeeMultiplier)).add(tip).min(maxFeeCap);
        return new FeeQuote.Fees(baseFee, tip, maxFee);
    }

    /**
     * Fees to replace a pooled transaction that offered {@code previous}: at least 12.5 % more on both
     * the tip and the max fee, and at least what {@code current} asks. Over the cap when that does not fit.
     */
    public FeeQuote replacement(FeeQuote.Fees previous, FeeQuote current) {
        BigInteger tip = bump(previous.priorityFee());
        BigInteger maxFee = bump(previous.maxFee());
        if (current instanceof FeeQuote.Fees now) {
            tip = tip.max(now.priorityFee());
            maxFee = maxFee.max(now.maxFee());
        } else {
            return current;
        }
        BigInteger baseFee = current.baseFee();
        maxFee = maxFee.max(baseFee.add(tip));
        if (maxFee.compareTo(maxFeeCap) > 0) {
            return new FeeQuote.OverCap(baseFee, tip, maxFee, maxFeeCap);
        }
        return new FeeQuote.Fees(baseFee, tip, maxFee);
    }

    private static BigInteger bump(BigInteger fee) {
        return fee.multiply(BigInteger.valueOf(REPLACEMENT_BUMP_PERMILLE)).add(BigInteger.valueOf(999))
                .divide(BigInteger.valueOf(1000)).max(fee.add(BigInteger.ONE));
    }
}
