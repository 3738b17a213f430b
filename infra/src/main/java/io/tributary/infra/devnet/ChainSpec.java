package io.tributary.infra.devnet;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** What one devnet chain should be: its name, chain id, role and block time. */
public record ChainSpec(String name, long chainId, DevnetInfo.Role role, Duration blockTime) {

    public ChainSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(blockTime, "blockTime");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a chain needs a name");
        }
        if (chainId <= 0) {
            throw new IllegalArgumentException("chain " + name + ": chain id must be positive, was " + chainId);
        }
        if (blockTime.toMillis() < 1) {
            throw new IllegalArgumentException("chain " + name + ": block time must be at least 1 ms, was " + blockTime);
        }
    }

    /** The local network: a home chain and two participant chains with different block times. */
    public static List<ChainSpec> defaults() {
        return List.of(
                new ChainSpec("home", 31337, DevnetInfo.Role.HOME, Duration.ofSeconds(1)),
                new ChainSpec("arbitrum-local", 412346, DevnetInfo.Role.PARTICIPANT, Duration.ofMillis(250)),
                new ChainSpec("avalanche-local", 43112, DevnetInfo.Role.PARTICIPANT, Duration.ofSeconds(2)));
    }

    /** The block time as anvil's {@code --block-time} takes it: seconds, fractions allowed. */
    public String anvilBlockTime() {
        long ms = blockTime.toMillis();
        if (ms % 1000 == 0) {
            return Long.toString(ms / 1000);
        }
        return java.math.BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString();
    }
}
