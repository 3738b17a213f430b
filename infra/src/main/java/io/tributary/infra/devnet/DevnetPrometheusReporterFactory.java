package io.tributary.infra.devnet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Creates the {@link DevnetPrometheusReporter}: {@code metrics.reporter.<name>.factory.class} is this
 * class, {@code metrics.reporter.<name>.port} the port on 127.0.0.1 (required; 0 = a free one).
 * Flink finds the factory through {@code META-INF/services}.
 */
public final class DevnetPrometheusReporterFactory implements MetricReporterFactory {

    /** The reporter option holding the port. */
    static final String PORT = "port";

    @Override
    public DevnetPrometheusReporter createMetricReporter(Properties properties) {
        String value = properties.getProperty(PORT);
        int port;
        try {
            port = Integer.parseInt(value == null ? "" : value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the devnet's Prometheus reporter needs its option '" + PORT
                    + "' (a port on 127.0.0.1, 0 = a free one), was " + value);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("the devnet's Prometheus reporter's " + PORT + " must be 0..65535, was " + port);
        }
        try {
            return new DevnetPrometheusReporter(port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
