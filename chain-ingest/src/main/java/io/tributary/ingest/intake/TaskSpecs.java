package io.tributary.ingest.intake;

import io.tributary.contracts.generated.TaskIntake;
import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.RejectionReason;
import io.tributary.schemas.avro.TaskSpec;
import io.tributary.schemas.tensor.WireParams;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.web3j.utils.Numeric;

/**
 * The one mapping from the Avro {@link TaskSpec} a client produces to the on-chain
 * {@code ITaskCoordinator.TaskSpec} it signs (EIP-712) and the coordinator stores. Client and intake
 * both use it, so both sign and check the very same struct:
 *
 * <ul>
 *   <li>{@code modelId}: the 0x-hex bytes32 is read as a number and must fit uint64 (the registry's id);
 *   <li>{@code roundPeriod = commitSeconds + revealSeconds} (rounds run back to back) and
 *       {@code aggregateWindow = roundPeriod} (a round is committed before the next one's reveals close);
 *   <li>{@code clipBound = round(clipL2Micros * 2^32 / 10^6)}, half up (32 fractional bits);
 *   <li>{@code rule}: the Avro symbol's position (FEDAVG 0, MEDIAN 1, TRIMMED_MEAN 2, MULTI_KRUM 3).
 * </ul>
 *
 * {@link #toChain} only refuses values the Solidity types cannot hold;
 * {@link #checkSanity} refuses what the coordinator would refuse and what has no accumulator headroom
 * (reasons {@code BAD_SPEC}, {@code HEADROOM}).
 */
public final class TaskSpecs {

    /** {@code TaskCoordinator.MAX_ROUNDS}. */
    public static final int MAX_ROUNDS = 1000;
    /** {@code TaskCoordinator.MAX_CHAINS}. */
    public static final int MAX_CHAINS = 4;

    private static final BigInteger MICROS = BigInteger.valueOf(1_000_000);

    private TaskSpecs() {}

    /** The on-chain struct of {@code spec}; refuses values outside their Solidity types. */
    public static TaskIntake.TaskSpec toChain(TaskSpec spec) throws RequestRejectedException {
        BigInteger modelId = modelId(spec.getModelId());
        byte[] datasetRoot = bytes32("datasetRoot", spec.getDatasetRoot());
        long roundPeriod = (long) spec.getCommitSeconds() + spec.getRevealSeconds();
        List<BigInteger> chains = new ArrayList<>();
        for (Long chain : spec.getChains()) {
            chains.add(unsigned("chain id", chain, 64));
        }
        return new TaskIntake.TaskSpec(
                modelId,
                datasetRoot,
                unsigned("rounds", spec.getRounds(), 16),
                unsigned("minContributors", spec.getMinContributors(), 32),
                unsigned("maxContributors", spec.getMaxContributors(), 32),
                unsigned("maxWeight", spec.getMaxWeight(), 64),
                unsigned("startTime", spec.getStartTime(), 64),
                unsigned("commitSeconds + revealSeconds", roundPeriod, 32),
                unsigned("commitSeconds", spec.getCommitSeconds(), 32),
                unsigned("revealSeconds", spec.getRevealSeconds(), 32),
                unsigned("aggregate window (= commitSeconds + revealSeconds)", roundPeriod, 32),
                unsigned("challengeSeconds", spec.getChallengeSeconds(), 32),
                clipBound(spec.getClipL2Micros()),
                int8("expMin", spec.getExpMin()),
                int8("expMax", spec.getExpMax()),
                BigInteger.valueOf(spec.getRule().ordinal()),
                unsigned("ruleParam", spec.getRuleParam(), 16),
                chains);
    }

    /** The clip bound in fixed point with 32 fractional bits, rounded half up. */
    public static BigInteger clipBound(long clipL2Micros) throws RequestRejectedException {
        if (clipL2Micros <= 0) {
            throw malformed("clipL2Micros must be positive, was " + clipL2Micros);
        }
        BigInteger v = new java.math.BigDecimal(BigInteger.valueOf(clipL2Micros).shiftLeft(32))
                .divide(new java.math.BigDecimal(MICROS), 0, RoundingMode.HALF_UP).toBigIntegerExact();
        return unsigned("clip bound (2^32 * clipL2Micros / 10^6)", v, 64);
    }

    /**
     * What the coordinator's {@code _validate} refuses, checked before any gas is spent, plus the
     * tensor wire format's own limits (the exact int64 accumulator must have headroom:
     * {@link WireParams}). Reasons: {@code BAD_SPEC} or {@code HEADROOM}.
     */
    public static WireParams checkSanity(TaskSpec spec, long now) throws RequestRejectedException {
        List<String> problems = new ArrayList<>();
        if (spec.getRounds() < 1 || spec.getRounds() > MAX_ROUNDS) {
            problems.add("rounds must be in [1, " + MAX_ROUNDS + "], was " + spec.getRounds());
        }
        if (spec.getMinContributors() < 1) {
            problems.add("minContributors must be >= 1, was " + spec.getMinContributors());
        }
        if (spec.getMaxContributors() < spec.getMinContributors()) {
            problems.add("maxContributors " + spec.getMaxContributors() + " < minContributors "
                    + spec.getMinContributors());
        }
        if (spec.getMaxWeight() < 1) {
            problems.add("maxWeight must be >= 1, was " + spec.getMaxWeight());
        }
        if (spec.getCommitSeconds() < 1 || spec.getRevealSeconds() < 1) {
            problems.add("commitSeconds and revealSeconds must be >= 1, were " + spec.getCommitSeconds() + " and "
                    + spec.getRevealSeconds());
        }
        if (spec.getChallengeSeconds() < 0) {
            problems.add("challengeSeconds must not be negative, was " + spec.getChallengeSeconds());
        }
        if (spec.getStartTime() < now) {
            problems.add("startTime " + spec.getStartTime() + " is before the home chain's time " + now);
        }
        if (spec.getParameters() < 1 || spec.getParameters() > Integer.MAX_VALUE) {
            problems.add("parameters must be in [1, 2^31 - 1], was " + spec.getParameters());
        }
        String rule = ruleProblem(spec);
        if (rule != null) {
            problems.add(rule);
        }
        List<Long> chains = spec.getChains();
        if (chains.isEmpty() || chains.size() > MAX_CHAINS) {
            problems.add("between 1 and " + MAX_CHAINS + " chains are needed, got " + chains.size());
        }
        if (new HashSet<>(chains).size() != chains.size()) {
            problems.add("chains " + chains + " name a chain twice");
        }
        if (!problems.isEmpty()) {
            throw new RequestRejectedException(RejectionReason.BAD_SPEC, String.join("; ", problems));
        }
        try {
            return WireParams.builder()
                    .dimension((int) spec.getParameters())
                    .exponentRange(spec.getExpMin(), spec.getExpMax())
                    .l2Bound(Math.scalb(clipBound(spec.getClipL2Micros()).doubleValue(), -32))
                    .maxWeight(spec.getMaxWeight())
                    .maxContributors(spec.getMaxContributors())
                    .build();
        } catch (IllegalArgumentException e) {
            // WireParams names the failed check; the headroom one is its own reason.
            boolean headroom = e.getMessage() != null && e.getMessage().contains("accumulator headroom");
            throw new RequestRejectedException(headroom ? RejectionReason.HEADROOM : RejectionReason.BAD_SPEC,
                    e.getMessage());
        }
    }

    private static String ruleProblem(TaskSpec spec) {
        AggregationRule rule = spec.getRule();
        int p = spec.getRuleParam();
        return switch (rule) {
            case FEDAVG, MEDIAN -> p == 0 ? null : rule + " takes ruleParam 0, was " + p;
            case TRIMMED_MEAN -> p > 0 && p < 500 ? null : "TRIMMED_MEAN needs ruleParam in [1, 499] per mille, was " + p;
            case MULTI_KRUM -> p > 0 && (long) spec.getMinContributors() > 2L * p + 2 ? null
                    : "MULTI_KRUM needs ruleParam f >= 1 and minContributors > 2f + 2, was f = " + p
                            + " with minContributors " + spec.getMinContributors();
        };
    }

    private static BigInteger modelId(String hex) throws RequestRejectedException {
        byte[] raw = bytes("modelId", hex);
        if (raw.length > 32) {
            throw malformed("modelId " + hex + " is longer than bytes32");
        }
        return unsigned("modelId", new BigInteger(1, raw), 64);
    }

    private static byte[] bytes32(String field, String hex) throws RequestRejectedException {
        byte[] raw = bytes(field, hex);
        if (raw.length != 32) {
            throw malformed(field + " must be 32 bytes of 0x-hex, was " + hex);
        }
        return raw;
    }

    private static byte[] bytes(String field, String hex) throws RequestRejectedException {
        if (hex == null || !hex.matches("0x([0-9a-fA-F]{2})+")) {
            throw malformed(field + " must be 0x-prefixed hex bytes, was " + hex);
        }
        return Numeric.hexStringToByteArray(hex);
    }

    private static BigInteger unsigned(String field, long value, int bits) throws RequestRejectedException {
        return unsigned(field, BigInteger.valueOf(value), bits);
    }

    private static BigInteger unsigned(String field, BigInteger value, int bits) throws RequestRejectedException {
        if (value.signum() < 0 || value.bitLength() > bits) {
            throw malformed(field + " " + value + " does not fit uint" + bits);
        }
        return value;
    }

    private static BigInteger int8(String field, int value) throws RequestRejectedException {
        if (value < Byte.MIN_VALUE || value > Byte.MAX_VALUE) {
            throw malformed(field + " " + value + " does not fit int8");
        }
        return BigInteger.valueOf(value);
    }

    private static RequestRejectedException malformed(String detail) {
        return new RequestRejectedException(RejectionReason.BAD_SPEC, detail);
    }
}
