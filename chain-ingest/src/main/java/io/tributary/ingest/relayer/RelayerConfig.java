package io.tributary.ingest.relayer;

import io.tributary.contracts.deploy.KeyRoles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

/**
 * Everything the guardian relayer needs: the chains it connects (name, chain id, RPC URL, gateway),
 * the guardians' keys, the signature threshold, the submitter's key, the Kafka bootstrap servers,
 * where the submitter keeps its transaction state, and its retry and stuck-report timings.
 * Immutable; built with {@link #builder()}, whose {@link Builder#build()} refuses nonsense and says
 * what is wrong, or read from a devnet.json-like file with {@link #read(Path)}.
 */
public final class RelayerConfig {

    /** One chain with a gateway: a message source and a destination. */
    public record Chain(String name, long chainId, String rpcUrl, String gateway) {
        public Chain {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(rpcUrl, "rpcUrl");
            Objects.requireNonNull(gateway, "gateway");
            gateway = gateway.toLowerCase(Locale.ROOT);
        }
    }

    private final List<Chain> chains;
    private final List<String> guardianKeys;
    private final int threshold;
    private final String submitterKey;
    private final String kafkaBootstrap;
    private final Path stateDir;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration stuckAfter;
    private final Duration stuckReportInterval;
    private final BigInteger maxFeeCapWei;

    private RelayerConfig(Builder b) {
        this.chains = List.copyOf(b.chains);
        this.guardianKeys = List.copyOf(b.guardianKeys);
        this.threshold = b.threshold;
        this.submitterKey = b.submitterKey;
        this.kafkaBootstrap = b.kafkaBootstrap;
        this.stateDir = b.stateDir;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.stuckAfter = b.stuckAfter;
        this.stuckReportInterval = b.stuckReportInterval;
        this.maxFeeCapWei = b.maxFeeCapWei;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        chains.forEach(b::chain);
        guardianKeys.forEach(b::guardianKey);
        return b.threshold(threshold).submitterKey(submitterKey).kafkaBootstrap(kafkaBootstrap).stateDir(stateDir)
                .executionBackoff(initialBackoff, maxBackoff).stuckAfter(stuckAfter, stuckReportInterval)
                .maxFeeCapWei(maxFeeCapWei);
    }

    public List<Chain> chains() {
        return chains;
    }

    /** The chain named {@code name}, if the relayer connects it. */
    public Optional<Chain> chain(String name) {
        return chains.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The chain with this id, if the relayer connects it. */
    public Optional<Chain> chain(long chainId) {
        return chains.stream().filter(c -> c.chainId() == chainId).findFirst();
    }

    /** The guardians' private keys (hex), guardian 1 first. Empty for a submitter-only process. */
    public List<String> guardianKeys() {
        return guardianKeys;
    }

    /** Guardian {@code k} (1-based), as credentials. */
    public Credentials guardian(int k) {
        if (k < 1 || k > guardianKeys.size()) {
            throw new IllegalArgumentException("guardian " + k + " is not configured; guardians are 1.."
                    + guardianKeys.size());
        }
        return Credentials.create(guardianKeys.get(k - 1));
    }

    /** Signatures the submitter gathers before approving (the gateway's own threshold also applies). */
    public int threshold() {
        return threshold;
    }

    /** The submitter's private key (hex), or empty when this process only signs. */
    public Optional<String> submitterKey() {
        return Optional.ofNullable(submitterKey);
    }

    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    /** Where the submitter keeps its transaction writers' state (one directory per chain). */
    public Path stateDir() {
        return stateDir;
    }

    /** First wait before a failed execution is retried; it doubles per failure up to {@link #maxBackoff()}. */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    /** A message pending longer than this is reported as stuck. */
    public Duration stuckAfter() {
        return stuckAfter;
    }

    /** How often stuck messages are reported in the log. */
    public Duration stuckReportInterval() {
        return stuckReportInterval;
    }

    /** The most wei per gas the submitter offers for a write. */
    public BigInteger maxFeeCapWei() {
        return maxFeeCapWei;
    }

    /**
     * Reads a devnet.json-like file: {@code kafka.bootstrapServers}; {@code chains[]} with
     * {@code name}, {@code chainId}, {@code rpcUrl} and the gateway as {@code gateway} or
     * {@code contracts.gateway} (as the Deployer writes it; chains without one are left out); and an
     * optional {@code relayer} object ({@code guardianKeys}, {@code threshold}, {@code submitterKey},
     * {@code stateDir}, relative to the file's folder). Without a {@code relayer} object the devnet's
     * funded dev keys of the first chain are used in the roles of {@code deployment.roles} (or
     * {@link KeyRoles#defaults()}): the guardian keys, the relayer key as submitter, and the threshold
     * of the deployed gateways (local devnets only).
     */
    public static RelayerConfig read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        Path base = file.toAbsolutePath().getParent();
        Builder b = builder();
        b.kafkaBootstrap(root.path("kafka").path("bootstrapServers").asText(null));
        List<String> devKeys = new ArrayList<>();
        int threshold = 0;
        for (JsonNode chain : root.path("chains")) {
            String gateway = chain.hasNonNull("gateway") ? chain.get("gateway").asText()
                    : chain.path("contracts").path("gateway").asText(null);
            threshold = Math.max(threshold, chain.path("contracts").path("threshold").asInt(0));
            if (devKeys.isEmpty()) {
                chain.path("devKeys").forEach(k -> devKeys.add(k.path("privateKey").asText()));
            }
            if (gateway == null) {
                continue;
            }
            b.chain(new Chain(chain.path("name").asText(""), chain.path("chainId").asLong(0),
                    chain.path("rpcUrl").asText(""), gateway));
        }
        JsonNode relayer = root.path("relayer");
        if (relayer.isObject()) {
            relayer.path("guardianKeys").forEach(k -> b.guardianKey(k.asText()));
            b.threshold(relayer.path("threshold").asInt(0));
            b.submitterKey(relayer.path("submitterKey").asText(null));
            b.stateDir(base.resolve(relayer.path("stateDir").asText("relayer")));
        } else {
            JsonNode rolesNode = root.path("deployment").path("roles");
            KeyRoles roles = rolesNode.isObject()
                    ? new ObjectMapper().treeToValue(rolesNode, KeyRoles.class) : KeyRoles.defaults();
            if (devKeys.size() < roles.keysNeeded()) {
                throw new IOException(file + " has no relayer section and " + devKeys.size()
                        + " dev keys, fewer than the " + roles.keysNeeded() + " its key roles need");
            }
            roles.guardians().forEach(i -> b.guardianKey(devKeys.get(i)));
            b.threshold(threshold > 0 ? threshold : Math.min(2, roles.guardians().size()))
                    .submitterKey(devKeys.get(roles.relayer())).stateDir(base.resolve("relayer"));
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Builds a {@link RelayerConfig}; {@link #build()} lists every problem at once. */
    public static final class Builder {
        private final List<Chain> chains = new ArrayList<>();
        private final List<String> guardianKeys = new ArrayList<>();
        private int threshold;
        private String submitterKey;
        private String kafkaBootstrap;
        private Path stateDir;
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofMinutes(1);
        private Duration stuckAfter = Duration.ofMinutes(2);
        private Duration stuckReportInterval = Duration.ofSeconds(30);
        private BigInteger maxFeeCapWei = BigInteger.TEN.pow(9).multiply(BigInteger.valueOf(100));

        private Builder() {}

        public Builder chain(Chain chain) {
            chains.add(Objects.requireNonNull(chain, "chain"));
            return this;
        }

        public Builder chain(String name, long chainId, String rpcUrl, String gateway) {
            return chain(new Chain(name, chainId, rpcUrl, gateway));
        }

        /** Adds the next guardian's private key (guardian 1 first). */
        public Builder guardianKey(String privateKey) {
            guardianKeys.add(Objects.requireNonNull(privateKey, "privateKey"));
            return this;
        }

        public Builder threshold(int threshold) {
            this.threshold = threshold;
            return this;
        }

        /** The submitter's private key; null for a process that only signs. */
        public Builder submitterKey(String privateKey) {
            this.submitterKey = privateKey;
            return this;
        }

        public Builder kafkaBootstrap(String bootstrapServers) {
            this.kafkaBootstrap = bootstrapServers;
            return this;
        }

        public Builder stateDir(Path dir) {
            this.stateDir = dir;
            return this;
        }

        /** Retry of failed executions: first wait {@code initial}, doubling up to {@code max}. */
        public Builder executionBackoff(Duration initial, Duration max) {
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** Messages pending longer than {@code after} are reported every {@code reportInterval}. */
        public Builder stuckAfter(Duration after, Duration reportInterval) {
            this.stuckAfter = after;
            this.stuckReportInterval = reportInterval;
            return this;
        }

        public Builder maxFeeCapWei(BigInteger wei) {
            this.maxFeeCapWei = wei;
            return this;
        }

        public RelayerConfig build() {
            List<String> problems = new ArrayList<>();
            if (chains.isEmpty()) {
                problems.add("at least one chain with a gateway is required");
            }
            Set<String> names = new HashSet<>();
            Set<Long> ids = new HashSet<>();
            for (Chain c : chains) {
                if (c.name().isBlank()) {
                    problems.add("a chain needs a name (chain id " + c.chainId() + ")");
                } else if (!names.add(c.name())) {
                    problems.add("chain name '" + c.name() + "' appears twice");
                }
                if (c.chainId() <= 0) {
                    problems.add("chain '" + c.name() + "' needs a positive chain id, was " + c.chainId());
                } else if (!ids.add(c.chainId())) {
                    problems.add("chain id " + c.chainId() + " appears twice");
                }
                if (!c.rpcUrl().startsWith("http://") && !c.rpcUrl().startsWith("https://")) {
                    problems.add("chain '" + c.name() + "' needs an http(s) RPC URL, was '" + c.rpcUrl() + "'");
                }
                if (!c.gateway().matches("0x[0-9a-f]{40}")) {
                    problems.add("chain '" + c.name() + "' gateway is not an address: '" + c.gateway() + "'");
                }
            }
            Set<String> guardianAddresses = new HashSet<>();
            for (int i = 0; i < guardianKeys.size(); i++) {
                String address = address(guardianKeys.get(i));
                if (address == null) {
                    problems.add("guardian key " + (i + 1) + " is not a 32-byte private key");
                } else if (!guardianAddresses.add(address)) {
                    problems.add("guardian key " + (i + 1) + " repeats another guardian's key");
                }
            }
            if (guardianKeys.isEmpty() && submitterKey == null) {
                problems.add("give guardian keys, a submitter key, or both: this process would do nothing");
            }
            if (threshold < 1) {
                problems.add("threshold must be at least 1, was " + threshold);
            } else if (!guardianKeys.isEmpty() && threshold > guardianKeys.size()) {
                problems.add("threshold " + threshold + " is above the " + guardianKeys.size() + " guardians");
            }
            if (submitterKey != null) {
                if (address(submitterKey) == null) {
                    problems.add("the submitter key is not a 32-byte private key");
                }
                if (stateDir == null) {
                    problems.add("the submitter needs a stateDir for its transaction state");
                }
            }
            if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
                problems.add("kafkaBootstrap (host:port) is required");
            }
            if (initialBackoff == null || maxBackoff == null || initialBackoff.toMillis() < 1
                    || maxBackoff.compareTo(initialBackoff) < 0) {
                problems.add("execution backoff needs 1 ms <= initial <= max, was " + initialBackoff + ", " + maxBackoff);
            }
            if (stuckAfter == null || stuckReportInterval == null || stuckAfter.isNegative()
                    || stuckReportInterval.toMillis() < 1) {
                problems.add("stuck reporting needs after >= 0 and interval >= 1 ms, was " + stuckAfter + ", "
                        + stuckReportInterval);
            }
            if (maxFeeCapWei == null || maxFeeCapWei.signum() <= 0) {
                problems.add("maxFeeCapWei must be positive, was " + maxFeeCapWei);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("RelayerConfig: " + String.join("; ", problems));
            }
            return new RelayerConfig(this);
        }

        private static String address(String privateKey) {
            String hex = Numeric.cleanHexPrefix(privateKey);
            if (!hex.matches("[0-9a-fA-F]{64}") || new BigInteger(hex, 16).signum() == 0) {
                return null;
            }
            return Credentials.create(hex).getAddress();
        }
    }
}
