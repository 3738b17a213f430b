package io.tributary.contracts.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the deployer has done so far, per chain and step: the contract address (deployments) and the
 * transaction. Saved after every step, so a deployment stopped half-way resumes where it stopped.
 */
final class DeploymentJournal {

    /** One finished step. {@code address} is null for calls. */
    record Entry(String address, String transaction) {}

    static final String FILE_NAME = "deployment-journal.json";

    private final Path file;
    private final Map<String, Map<String, Entry>> entries;

    private DeploymentJournal(Path file, Map<String, Map<String, Entry>> entries) {
        this.file = file;
        this.entries = entries;
    }

    static DeploymentJournal open(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        Map<String, Map<String, Entry>> entries = new LinkedHashMap<>();
        if (Files.exists(file)) {
            entries = Deployment.MAPPER.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Map<String, Entry>>>() {});
        }
        Map<String, Map<String, Entry>> copy = new LinkedHashMap<>();
        entries.forEach((chain, steps) -> copy.put(chain, new LinkedHashMap<>(steps)));
        return new DeploymentJournal(file, copy);
    }

    synchronized Optional<Entry> get(String chain, String step) {
        return Optional.ofNullable(entries.getOrDefault(chain, Map.of()).get(step));
    }

    synchronized Map<String, Entry> steps(String chain) {
        return Map.copyOf(entries.getOrDefault(chain, Map.of()));
    }

    synchronized void put(String chain, String step, Entry entry) throws IOException {
        entries.computeIfAbsent(chain, c -> new LinkedHashMap<>()).put(step, entry);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        Deployment.MAPPER.writeValue(tmp.toFile(), entries);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
