package io.tributary.ingest.keeper;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the round keeper needs: Kafka (to follow {@code chain.events}), the home chain (RPC, id, the
 * TaskCoordinator), the operator key that sends {@code finalizeRound}/{@code failRound}, where its
 * transaction writer keeps state, how often it looks at the home clock, and after how long a due
 * action that has not succeeded is reported as stuck. Built with {@link #builder()}, whose
 * {@code build()} names every missing or wrong setting.
 */
public record KeeperConfig(
        String kafkaBootstrap,
        String rpcUrl,
        long chainId,
        String coordinator,
        String operatorKey,
        Path stateDir,
        BigInteger maxFeeCapWei,
        Duration tickInterval,
        Duration stuckAfter) {

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String toString() {
        return "KeeperConfig{kafka=" + kafkaBootstrap + ", rpc=" + rpcUrl + ", chainId=" + chainId + ", coordinator="
                + coordinator + ", stateDir=" + stateDir + ", tick=" + tickInterval + ", stuckAfter=" + stuckAfter
                + '}'; // no key
    }

    /** Collects the settings; {@link #build()} checks them all at once. */
    public static final class Builder {
        private String kafkaBootstrap;
        private String rpcUrl;
        private long chainId;
        private String coordinator;
        private String operatorKey;
        private Path stateDir;
        private BigInteger maxFeeCapWei = BigInteger.valueOf(100).multiply(BigInteger.TEN.pow(9));
        private Duration tickInterval = Duration.ofSeconds(1);
        private Duration stuckAfter = Duration.ofSeconds(120);

        private Builder() {}

        public Builder kafkaBootstrap(String servers) {
            this.kafkaBootstrap = servers;
            return this;
        }

        /** The home chain: its RPC URL, chain id and TaskCoordinator. */
        public Builder homeChain(String rpcUrl, long chainId, String coordinator) {
            this.rpcUrl = rpcUrl;
            this.chainId = chainId;
            this.coordinator = coordinator;
            return this;
        }

        /** Private key (hex) of the operator ({@code KeyRoles.operator()} on a devnet); it pays the gas. */
        public Builder operatorKey(String privateKey) {
            this.operatorKey = privateKey;
            return this;
        }

        /** Folder of the transaction writer's state (nonces, one record per keeper action). */
        public Builder stateDir(Path stateDir) {
            this.stateDir = stateDir;
            return this;
        }

        public Builder maxFeeCapWei(BigInteger cap) {
            this.maxFeeCapWei = cap;
            return this;
        }

        /** How often the keeper reads the home chain's time and acts on due rounds (default 1 s). */
        public Builder tickInterval(Duration interval) {
            this.tickInterval = interval;
            return this;
        }

        /** A round whose action has been due this long (home time) without succeeding is stuck (default 120 s). */
        public Builder stuckAfter(Duration stuckAfter) {
            this.stuckAfter = stuckAfter;
            return this;
        }

        public KeeperConfig build() {
            List<String> problems = new ArrayList<>();
            if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
                problems.add("kafkaBootstrap is required");
            }
            if (rpcUrl == null || rpcUrl.isBlank()) {
                problems.add("homeChain(rpcUrl, chainId, coordinator) is required");
            }
            if (chainId <= 0) {
                problems.add("chain id must be positive, was " + chainId);
            }
            if (coordinator == null || !coordinator.matches("0x[0-9a-fA-F]{40}")) {
                problems.add("coordinator must be a 0x address, was " + coordinator);
            }
            if (operatorKey == null || !operatorKey.matches("(0x)?[0-9a-fA-F]{64}")) {
                problems.add("operatorKey must be a 32-byte hex private key");
            }
            if (stateDir == null) {
                problems.add("stateDir is required");
            }
            if (maxFeeCapWei == null || maxFeeCapWei.signum() <= 0) {
                problems.add("maxFeeCapWei must be positive");
            }
            if (tickInterval == null || tickInterval.isNegative() || tickInterval.isZero()) {
                problems.add("tickInterval must be positive");
            }
            if (stuckAfter == null || stuckAfter.isNegative()) {
                problems.add("stuckAfter must not be negative");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("keeper configuration: " + String.join("; ", problems));
            }
            return new KeeperConfig(kafkaBootstrap, rpcUrl, chainId, coordinator.toLowerCase(), operatorKey, stateDir,
                    maxFeeCapWei, tickInterval, stuckAfter);
        }
    }
}
