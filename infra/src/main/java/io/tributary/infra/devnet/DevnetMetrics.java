package io.tributary.infra.devnet;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.schemas.metrics.MetricsComponent;
import io.tributary.schemas.metrics.MetricsEndpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devnet's metrics: a loopback endpoint with its own registry for every part that runs in the
 * supervisor (as each would have in production), the endpoints parts open themselves (the
 * connector's, Flink's reporter), the Prometheus target files of all of them, and devnet.json's
 * {@code metrics} section. Closing it closes the endpoints it opened and removes the target files.
 */
final class DevnetMetrics implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DevnetMetrics.class);

    private final Path dir;
    private final Path config;
    private final List<DevnetInfo.Endpoint> endpoints = new ArrayList<>();
    private final List<MetricsEndpoint> opened = new ArrayList<>();
    private final Map<MetricsComponent, Path> targetFiles = new LinkedHashMap<>();

    private DevnetMetrics(Path dir, Path config) {
        this.dir = dir;
        this.config = config;
    }

    /** Writes the devnet's Prometheus config (no targets yet). */
    static DevnetMetrics start(Path dir) throws IOException {
        return new DevnetMetrics(dir, PrometheusTargets.writeConfig(dir));
    }

    /** Opens a free loopback endpoint for {@code part} and returns the registry it serves. */
    synchronized PrometheusRegistry serve(MetricsComponent component, String part) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        MetricsEndpoint endpoint = MetricsEndpoint.start(MetricsEndpoint.DEFAULT_HOST, 0, registry);
        opened.add(endpoint);
        add(component, part, endpoint.target());
        return registry;
    }

    /** Lists an endpoint a part opened itself ({@code host:port}) and writes its target file. */
    synchronized void add(MetricsComponent component, String part, String target) throws IOException {
        endpoints.add(new DevnetInfo.Endpoint(component.job(), part, "http://" + target + "/metrics"));
        targetFiles.put(component, PrometheusTargets.write(dir, component, "", Map.of(target, Map.of("part", part))));
    }

    /** devnet.json's metrics section. */
    synchronized DevnetInfo.Metrics section() {
        return new DevnetInfo.Metrics(config.toString(), endpoints);
    }

    @Override
    public synchronized void close() {
        for (Path file : targetFiles.values()) {
            try {
                PrometheusTargets.remove(file);
            } catch (RuntimeException e) {
                LOG.warn("could not remove {}: {}", file, e.toString());
            }
        }
        for (MetricsEndpoint endpoint : opened) {
            endpoint.close();
        }
    }
}
