package io.tributary.contracts.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class FeePolicyTest {

    private static final BigInteger GWEI = BigInteger.TEN.pow(9);

    private static BigInteger gwei(long n) {
        return GWEI.multiply(BigInteger.valueOf(n));
    }

    private final FeePolicy policy = new FeePolicy(gwei(100), gwei(1), gwei(5), 2);

    @Test
    void shouldOfferTwiceTheBaseFeePlusTipWhenThatFitsUnderTheCap() {
        FeeQuote quote = policy.quote(gwei(10), gwei(2));

        assertThat(quote).isEqualTo(new FeeQuote.Fees(gwei(10), gwei(2), gwei(22)));
    }

    @Test
    void shouldClampTheMaxFeeToTheCapWhenTheHeadroomWouldExceedIt() {
        FeeQuote quote = policy.quote(gwei(60), gwei(2));

        assertThat(quote).isEqualTo(new FeeQuote.Fees(gwei(60), gwei(2), gwei(100)));
    }

    @Test
    void shouldWaitWhenBaseFeePlusTipIsAboveTheCap() {
        FeeQuote quote = policy.quote(gwei(99), gwei(2));

        assertThat(quote).isEqualTo(new FeeQuote.OverCap(gwei(99), gwei(2), gwei(101), gwei(100)));
    }

    @Test
    void shouldPriceAtExactlyTheCapWhenBaseFeePlusTipEqualsIt() {
        assertThat(policy.quote(gwei(98), gwei(2))).isEqualTo(new FeeQuote.Fees(gwei(98), gwei(2), gwei(100)));
    }

    @Test
    void shouldClampTheSuggestedTipToTheConfiguredRange() {
        assertThat(((FeeQuote.Fees) policy.quote(gwei(1), BigInteger.ZERO)).priorityFee()).isEqualTo(gwei(1));
        assertThat(((FeeQuote.Fees) policy.quote(gwei(1), gwei(50))).priorityFee()).isEqualTo(gwei(5));
    }

    @Test
    void shouldRaiseBothFeesByAtLeastTwelveAndAHalfPercentForAReplacement() {
        FeeQuote.Fees previous = new FeeQuote.Fees(gwei(10), gwei(2), gwei(22));

        FeeQuote replacement = policy.replacement(previous, policy.quote(gwei(10), gwei(1)));

        FeeQuote.Fees fees = (FeeQuote.Fees) replacement;
        assertThat(fees.priorityFee()).isEqualTo(new BigInteger("2250000000"));
        assertThat(fees.maxFee()).isEqualTo(new BigInteger("24750000000"));
    }

    @Test
    void shouldTakeTheCurrentQuoteWhenItIsHigherThanTheBump() {
        FeeQuote.Fees previous = new FeeQuote.Fees(gwei(1), gwei(1), gwei(3));

        FeeQuote.Fees fees = (FeeQuote.Fees) policy.replacement(previous, policy.quote(gwei(20), gwei(3)));

        assertThat(fees.maxFee()).isEqualTo(gwei(43));
        assertThat(fees.priorityFee()).isEqualTo(gwei(3));
    }

    @Test
    void shouldBumpEvenOneWeiFees() {
        FeeQuote.Fees previous = new FeeQuote.Fees(BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE);
        FeePolicy tiny = new FeePolicy(gwei(1), BigInteger.ZERO, BigInteger.ONE, 2);

        FeeQuote.Fees fees = (FeeQuote.Fees) tiny.replacement(previous, tiny.quote(BigInteger.ZERO, BigInteger.ZERO));

        assertThat(fees.priorityFee()).isEqualTo(BigInteger.TWO);
        assertThat(fees.maxFee()).isEqualTo(BigInteger.TWO);
    }

    @Test
    void shouldReportAReplacementThatWouldExceedTheCap() {
        FeeQuote.Fees previous = new FeeQuote.Fees(gwei(40), gwei(5), gwei(95));

        FeeQuote replacement = policy.replacement(previous, policy.quote(gwei(40), gwei(5)));

        assertThat(replacement).isInstanceOf(FeeQuote.OverCap.class);
        assertThat(((FeeQuote.OverCap) replacement).required()).isGreaterThan(gwei(100));
    }

    @Test
    void shouldRefuseNonsensePolicies() {
        assertThatThrownBy(() -> new FeePolicy(BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, 2))
                .hasMessageContaining("maxFeeCap must be positive");
        assertThatThrownBy(() -> new FeePolicy(gwei(10), gwei(3), gwei(2), 2))
                .hasMessageContaining("below minPriorityFee");
        assertThatThrownBy(() -> new FeePolicy(gwei(10), gwei(1), gwei(20), 2))
                .hasMessageContaining("above maxFeeCap");
        assertThatThrownBy(() -> new FeePolicy(gwei(10), gwei(1), gwei(2), 0))
                .hasMessageContaining("baseFeeMultiplier");
    }

    @Test
    void shouldLowerTheTipCeilingWithTheCap() {
        FeePolicy lowered = policy.withMaxFeeCap(gwei(3));

        assertThat(lowered.maxPriorityFee()).isEqualTo(gwei(3));
        assertThat(lowered.quote(gwei(1), gwei(4))).isEqualTo(new FeeQuote.OverCap(gwei(1), gwei(3), gwei(4), gwei(3)));
    }
}
