package io.tributary.infra.devnet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tributary.schemas.metrics.MetricsComponent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A devnet's Prometheus files, under {@code DIR/prometheus/}: {@code prometheus.yml} and
 * {@code alerts.yml} (copies of {@code infra/prometheus/devnet.yml} and {@code alerts.yml}), and
 * under {@code targets/} one file-SD file per group of endpoints, named after its scrape job
 * ({@code tributary-relayer.json}, {@code tributary-worker-demo.json}, ...). Prometheus picks up
 * target files as they come and go, so it can run across devnet restarts:
 * {@code prometheus --config.file=DIR/prometheus/prometheus.yml}.
 */
public final class PrometheusTargets {

    /** Folder inside the devnet dir. */
    public static final String DIR = "prometheus";
    /** The config file Prometheus is started with. */
    public static final String CONFIG = "prometheus.yml";
    private static final String TARGETS = "targets";
    private static final String RESOURCES = "/io/tributary/infra/prometheus/";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PrometheusTargets() {}

    /** {@code DIR/prometheus/prometheus.yml}. */
    public static Path config(Path devnetDir) {
        return devnetDir.resolve(DIR).resolve(CONFIG);
    }

    /**
     * Writes the config and the alert rules, and removes the target files of an earlier run (their
     * ports are gone). Returns the config file.
     */
    public static Path writeConfig(Path devnetDir) throws IOException {
        Path dir = Files.createDirectories(devnetDir.resolve(DIR));
        Path targets = Files.createDirectories(dir.resolve(TARGETS));
        try (DirectoryStream<Path> old = Files.newDirectoryStream(targets, "*.json")) {
            for (Path file : old) {
                Files.delete(file);
            }
        }
        copy("devnet.yml", dir.resolve(CONFIG));
        copy("alerts.yml", dir.resolve("alerts.yml"));
        return dir.resolve(CONFIG);
    }

    private static void copy(String resource, Path to) throws IOException {
        try (InputStream in = PrometheusTargets.class.getResourceAsStream(RESOURCES + resource)) {
            if (in == null) {
                throw new IOException("the build has no " + RESOURCES + resource + " (infra/prometheus/" + resource + ")");
            }
            Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /**
     * Writes (atomically, so Prometheus never reads half a file) the targets of {@code component}
     * as {@code targets/<job>[-<suffix>].json}; {@code targets} are {@code host:port}, each with
     * its own extra labels (may be empty). Returns the file, for {@link #remove}.
     */
    public static Path write(Path devnetDir, MetricsComponent component, String suffix, Map<String, Map<String, String>> targets)
            throws IOException {
        Path dir = Files.createDirectories(devnetDir.resolve(DIR).resolve(TARGETS));
        Path file = dir.resolve(component.job() + (suffix == null || suffix.isEmpty() ? "" : "-" + suffix) + ".json");
        List<Map<String, Object>> groups = targets.entrySet().stream().map(e -> {
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("targets", List.of(e.getKey()));
            group.put("labels", e.getValue());
            return group;
        }).toList();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), groups);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    /** Removes a target file written by {@link #write}: its endpoints are going away. */
    public static void remove(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
