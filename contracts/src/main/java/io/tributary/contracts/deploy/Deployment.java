package io.tributary.contracts.deploy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * The whole suite across the chains, as the {@link Deployer} leaves it.
 *
 * @param version format version
 * @param homeChain the home chain's name
 * @param roles which dev key plays which role
 * @param chains the contracts on every chain, home first
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Deployment(int version, String homeChain, KeyRoles roles, List<ChainContracts> chains) {

    public static final int VERSION = 1;

    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public Deployment {
        Objects.requireNonNull(homeChain, "homeChain");
        Objects.requireNonNull(roles, "roles");
        chains = List.copyOf(chains);
    }

    /** The contracts on the chain with this name. */
    public ChainContracts chain(String name) {
        return chains.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no chain named " + name + " in the deployment"));
    }

    /** The contracts on the home chain. */
    public ChainContracts home() {
        return chain(homeChain);
    }

    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        MAPPER.writeValue(tmp.toFile(), this);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static Deployment read(Path file) throws IOException {
        Deployment d = MAPPER.readValue(file.toFile(), Deployment.class);
        if (d.version() > VERSION) {
            throw new IOException(file + " has version " + d.version() + "; this build reads up to " + VERSION);
        }
        return d;
    }
}
