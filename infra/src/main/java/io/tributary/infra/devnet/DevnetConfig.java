package io.tributary.infra.devnet;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How to run a devnet: where it keeps its files, where anvil is, where the Postgres binaries are
 * cached, the chains, the number of partitions per topic, and the number of coordinates the round
 * aggregation job takes every model to have ({@code modelParameters}; 0 = the MNIST MLP's, the
 * model the devnet's workers train).
 */
public record DevnetConfig(Path dir, Path anvil, Path cacheDir, List<ChainSpec> chains, List<String> topics, int partitions,
                           int modelParameters) {

    /** A devnet whose job takes every model to be the MNIST MLP. */
    public DevnetConfig(Path dir, Path anvil, Path cacheDir, List<ChainSpec> chains, List<String> topics, int partitions) {
        this(dir, anvil, cacheDir, chains, topics, partitions, 0);
    }

    public DevnetConfig {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(anvil, "anvil");
        Objects.requireNonNull(cacheDir, "cacheDir");
        chains = List.copyOf(Objects.requireNonNull(chains, "chains"));
        topics = List.copyOf(Objects.requireNonNull(topics, "topics"));
        dir = dir.toAbsolutePath().normalize();
        cacheDir = cacheDir.toAbsolutePath().normalize();
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        if (modelParameters < 0) {
            throw new IllegalArgumentException("model parameters must be positive (or 0 for the MNIST MLP), was "
                    + modelParameters);
        }
        if (chains.stream().filter(c -> c.role() == DevnetInfo.Role.HOME).count() != 1) {
            throw new IllegalArgumentException("a devnet needs exactly one home chain, got " + chains);
        }
        Set<String> names = new HashSet<>();
        Set<Long> ids = new HashSet<>();
        for (ChainSpec chain : chains) {
            if (!names.add(chain.name()) || !ids.add(chain.chainId())) {
                throw new IllegalArgumentException("chain names and ids must be unique, got " + chains);
            }
        }
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("a devnet needs at least one topic");
        }
    }
}
