package io.tributary.ingest.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.contracts.generated.TaskIntake;
import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.RejectionReason;
import io.tributary.schemas.avro.TaskSpec;
import io.tributary.schemas.tensor.WireParams;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class TaskSpecsTest {

    private static final long NOW = 1_700_000_000L;

    @Test
    void shouldDeriveTheScheduleAndFixedPointClipWhenMappingToTheChain() throws Exception {
        TaskIntake.TaskSpec s = TaskSpecs.toChain(Specs.sane(NOW + 100, 31337L, 412346L)
                .setRule(AggregationRule.TRIMMED_MEAN).setRuleParam(100).setExpMin(-8).setExpMax(-1).build());
        assertThat(s.modelId).isEqualTo(BigInteger.ONE);
        assertThat(s.roundPeriod).isEqualTo(BigInteger.valueOf(1200));
        assertThat(s.aggregateWindow).isEqualTo(BigInteger.valueOf(1200));
        assertThat(s.commitWindow).isEqualTo(BigInteger.valueOf(600));
        assertThat(s.challengeWindow).isEqualTo(BigInteger.valueOf(300));
        assertThat(s.clipBound).isEqualTo(BigInteger.valueOf(5L << 32));
        assertThat(s.expMin).isEqualTo(BigInteger.valueOf(-8));
        assertThat(s.rule).isEqualTo(BigInteger.TWO);
        assertThat(s.chainIds).containsExactly(BigInteger.valueOf(31337), BigInteger.valueOf(412346));
    }

    @Test
    void shouldRoundTheClipBoundHalfUpWhenMicrosAreNotAPowerOfTwo() throws Exception {
        // 1 micro = 2^32 / 10^6 = 4294.967296 -> 4295
        assertThat(TaskSpecs.clipBound(1)).isEqualTo(BigInteger.valueOf(4295));
        assertThat(TaskSpecs.clipBound(500_000)).isEqualTo(BigInteger.ONE.shiftLeft(31));
    }

    @Test
    void shouldRefuseAModelIdThatDoesNotFitUint64() {
        assertThatThrownBy(() -> TaskSpecs.toChain(Specs.sane(NOW, 1L).setModelId("0x" + "aa".repeat(32)).build()))
                .isInstanceOfSatisfying(RequestRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectionReason.BAD_SPEC))
                .hasMessageContaining("uint64");
    }

    @Test
    void shouldRefuseAnExponentOutsideInt8AndRoundsOutsideUint16() {
        assertThatThrownBy(() -> TaskSpecs.toChain(Specs.sane(NOW, 1L).setExpMin(-129).build()))
                .hasMessageContaining("int8");
        assertThatThrownBy(() -> TaskSpecs.toChain(Specs.sane(NOW, 1L).setRounds(70_000).build()))
                .hasMessageContaining("uint16");
    }

    @Test
    void shouldAcceptASaneSpecAndReturnItsWireParams() throws Exception {
        WireParams p = TaskSpecs.checkSanity(Specs.sane(NOW + 10, 1L).build(), NOW);
        assertThat(p.dimension()).isEqualTo(101_770);
        assertThat(p.maxContributors()).isEqualTo(64);
    }

    @Test
    void shouldNameEveryScheduleAndCountProblemWhenTheSpecIsNotSane() {
        TaskSpec bad = Specs.sane(NOW - 1, 1L, 1L).setRounds(0).setMinContributors(5).setMaxContributors(4)
                .setCommitSeconds(0).build();
        assertThatThrownBy(() -> TaskSpecs.checkSanity(bad, NOW))
                .isInstanceOfSatisfying(RequestRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectionReason.BAD_SPEC))
                .hasMessageContaining("rounds must be in [1, 1000]")
                .hasMessageContaining("maxContributors 4 < minContributors 5")
                .hasMessageContaining("commitSeconds and revealSeconds must be >= 1")
                .hasMessageContaining("is before the home chain's time")
                .hasMessageContaining("name a chain twice");
    }

    @Test
    void shouldRefuseRuleParametersTheCoordinatorRefuses() {
        assertThatThrownBy(() -> TaskSpecs.checkSanity(Specs.sane(NOW, 1L).setRule(AggregationRule.TRIMMED_MEAN)
                .setRuleParam(500).build(), NOW)).hasMessageContaining("TRIMMED_MEAN");
        assertThatThrownBy(() -> TaskSpecs.checkSanity(Specs.sane(NOW, 1L).setRule(AggregationRule.MULTI_KRUM)
                .setRuleParam(1).setMinContributors(4).build(), NOW)).hasMessageContaining("2f + 2");
        assertThatThrownBy(() -> TaskSpecs.checkSanity(Specs.sane(NOW, 1L).setRuleParam(3).build(), NOW))
                .hasMessageContaining("FEDAVG takes ruleParam 0");
    }

    @Test
    void shouldRejectWithHeadroomWhenTheExactAccumulatorCouldOverflow() {
        // 64 contributors * 10^12 weight * 128 * 2^20 > 2^63
        TaskSpec greedy = Specs.sane(NOW, 1L).setMaxWeight(1_000_000_000_000L).build();
        assertThatThrownBy(() -> TaskSpecs.checkSanity(greedy, NOW))
                .isInstanceOfSatisfying(RequestRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectionReason.HEADROOM))
                .hasMessageContaining("accumulator headroom");
    }

    @Test
    void shouldRejectAClipBoundAboveTheLargestBlockAsBadSpec() {
        TaskSpec big = Specs.sane(NOW, 1L).setClipL2Micros(1_000_000_000L).setExpMax(-4).build();
        assertThatThrownBy(() -> TaskSpecs.checkSanity(big, NOW))
                .isInstanceOfSatisfying(RequestRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectionReason.BAD_SPEC))
                .hasMessageContaining("l2Bound");
    }

    @Test
    void shouldRefuseMoreChainsThanTheCoordinatorTakes() {
        assertThatThrownBy(() -> TaskSpecs.checkSanity(Specs.sane(NOW, 1L, 2L, 3L, 4L, 5L).build(), NOW))
                .hasMessageContaining("between 1 and 4 chains");
    }
}
