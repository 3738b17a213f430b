package io.tributary.contracts.tx;

import java.math.BigInteger;

/** The outcome of pricing a write: fees to sign with, or how far the cap is from the need. */
public sealed interface FeeQuote {

    BigInteger baseFee();

    /** Fees a transaction may carry: {@code maxFee >= baseFee + priorityFee} and {@code maxFee <= cap}. */
    record Fees(BigInteger baseFee, BigInteger priorityFee, BigInteger maxFee) implements FeeQuote {}

    /** The write needs {@code required} wei per gas but the cap is {@code cap}: it waits. */
    record OverCap(BigInteger baseFee, BigInteger priorityFee, BigInteger required, BigInteger cap) implements FeeQuote {}
}
