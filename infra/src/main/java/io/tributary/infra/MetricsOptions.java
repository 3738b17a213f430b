package io.tributary.infra;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.schemas.metrics.MetricsComponent;
import io.tributary.schemas.metrics.MetricsEndpoint;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * {@code --metrics-port} and {@code --metrics-host} of a long-running command (a picocli mixin): the
 * part's Prometheus endpoint, on its {@link MetricsComponent} port unless told otherwise, 0 = off.
 */
public final class MetricsOptions {

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve the Prometheus metrics (GET /metrics) on this port; 0 = off "
                    + "(default: the part's port, see infra/docs/metrics.md).")
    Integer port;

    @Option(names = "--metrics-host", paramLabel = "HOST", defaultValue = MetricsEndpoint.DEFAULT_HOST,
            description = "Address the metrics endpoint listens on (default: ${DEFAULT-VALUE}; 0.0.0.0 in a container).")
    String host = MetricsEndpoint.DEFAULT_HOST;

    /** The port {@code component}'s endpoint listens on: the option's, else the component's default. */
    public int port(MetricsComponent component) {
        int p = port != null ? port : component.defaultPort();
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("--metrics-port must be 0 (off) or a port up to 65535, got " + p);
        }
        return p;
    }

    /**
     * Serves {@code registry} for {@code component} and says where on {@code out}; null (and says so)
     * when the port is 0. The caller closes the endpoint.
     */
    public MetricsEndpoint open(MetricsComponent component, PrometheusRegistry registry, PrintWriter out)
            throws IOException {
        int p = port(component);
        if (p == 0) {
            out.println("metrics endpoint off (--metrics-port 0)");
            return null;
        }
        MetricsEndpoint endpoint = MetricsEndpoint.start(host, p, registry);
        out.println("metrics (" + component.job() + ") on " + endpoint.url());
        return endpoint;
    }
}
