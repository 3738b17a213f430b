package io.tributary.ingest.intake;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the task intake service needs: Kafka, the home chain (RPC, id, TaskIntake, coordinator, token,
 * registry), the key that pays the gas of {@code postTaskFor}, and where its transaction writer keeps
 * state. Built with {@link #builder()}, whose {@code build()} names every missing or wrong setting.
 */
public record IntakeConfig(
        String kafkaBootstrap,
        String groupId,
        String rpcUrl,
        long chainId,
        String taskIntake,
        String coordinator,
        String token,
        String registry,
        String submitterKey,
        Path stateDir,
        BigInteger maxFeeCapWei,
        Duration retryBackoff) {

    /** The consumer group intake commits its progress under, unless set. */
    public static final String DEFAULT_GROUP = "tributary-intake";

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String toString() {
        return "IntakeConfig{kafka=" + kafkaBootstrap + ", group=" + groupId + ", rpc=" + rpcUrl + ", chainId="
                + chainId + ", taskIntake=" + taskIntake + ", stateDir=" + stateDir + '}'; // no key
    }

    /** Collects the settings; {@link #build()} checks them all at once. */
    public static final class Builder {
        private String kafkaBootstrap;
        private String groupId = DEFAULT_GROUP;
        private String rpcUrl;
        private long chainId;
        private String taskIntake;
        private String coordinator;
        private String token;
        private String registry;
        private String submitterKey;
        private Path stateDir;
        private BigInteger maxFeeCapWei = BigInteger.valueOf(100).multiply(BigInteger.TEN.pow(9));
        private Duration retryBackoff = Duration.ofSeconds(1);

        private Builder() {}

        public Builder kafkaBootstrap(String servers) {
            this.kafkaBootstrap = servers;
            return this;
        }

        public Builder groupId(String groupId) {
            this.groupId = groupId;
            return this;
        }

        /** The home chain: its RPC URL and chain id. */
        public Builder homeChain(String rpcUrl, long chainId) {
            this.rpcUrl = rpcUrl;
            this.chainId = chainId;
            return this;
        }

        /** The home chain's TaskIntake, TaskCoordinator, TrainingToken and ModelRegistry. */
        public Builder contracts(String taskIntake, String coordinator, String token, String registry) {
            this.taskIntake = taskIntake;
            this.coordinator = coordinator;
            this.token = token;
            this.registry = registry;
            return this;
        }

        /** Private key (hex) that sends {@code postTaskFor} and pays its gas. */
        public Builder submitterKey(String privateKey) {
            this.submitterKey = privateKey;
            return this;
        }

        /** Folder of the transaction writer's state (nonces, one record per request id). */
        public Builder stateDir(Path stateDir) {
            this.stateDir = stateDir;
            return this;
        }

        public Builder maxFeeCapWei(BigInteger cap) {
            this.maxFeeCapWei = cap;
            return this;
        }

        /** Wait before retrying a request after the chain or Kafka failed (doubles up to 30x). */
        public Builder retryBackoff(Duration backoff) {
            this.retryBackoff = backoff;
            return this;
        }

        public IntakeConfig build() {
            List<String> problems = new ArrayList<>();
            if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
                problems.add("kafkaBootstrap is required");
            }
            if (groupId == null || groupId.isBlank()) {
                problems.add("groupId must not be blank");
            }
            if (rpcUrl == null || rpcUrl.isBlank()) {
                problems.add("homeChain(rpcUrl, chainId) is required");
            }
            if (chainId <= 0) {
                problems.add("chain id must be positive, was " + chainId);
            }
            address("taskIntake", taskIntake, problems);
            address("coordinator", coordinator, problems);
            address("token", token, problems);
            address("registry", registry, problems);
            if (submitterKey == null || !submitterKey.matches("(0x)?[0-9a-fA-F]{64}")) {
                problems.add("submitterKey must be a 32-byte hex private key");
            }
            if (stateDir == null) {
                problems.add("stateDir is required");
            }
            if (maxFeeCapWei == null || maxFeeCapWei.signum() <= 0) {
                problems.add("maxFeeCapWei must be positive");
            }
            if (retryBackoff == null || retryBackoff.isNegative() || retryBackoff.isZero()) {
                problems.add("retryBackoff must be positive");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("intake configuration: " + String.join("; ", problems));
            }
            return new IntakeConfig(kafkaBootstrap, groupId, rpcUrl, chainId, taskIntake.toLowerCase(),
                    coordinator.toLowerCase(), token.toLowerCase(), registry.toLowerCase(), submitterKey, stateDir,
                    maxFeeCapWei, retryBackoff);
        }

        private static void address(String name, String value, List<String> problems) {
            if (value == null || !value.matches("0x[0-9a-fA-F]{40}")) {
                problems.add(name + " must be a 0x address, was " + value);
            }
        }
    }
}
