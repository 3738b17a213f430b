package io.tributary.infra.devnet;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.apache.flink.metrics.prometheus.AbstractPrometheusReporter;
import org.apache.flink.runtime.util.EnvironmentInformation;

/**
 * Flink's Prometheus reporter for the devnet: the metric names, labels and collectors are Flink's
 * own ({@link AbstractPrometheusReporter}, the base of Flink's {@code PrometheusReporter}), so
 * every series is exactly what a cluster's reporter exports on 9249 (infra/docs/metrics.md), but
 * the HTTP server binds 127.0.0.1 only: Flink's reporter binds every interface and has no host
 * option, and the devnet's servers stay on loopback. Configured through
 * {@link DevnetPrometheusReporterFactory} ({@code metrics.reporter.<name>.port}).
 */
public final class DevnetPrometheusReporter extends AbstractPrometheusReporter {

    /** The only address the devnet's metrics are served on. */
    static final String HOST = "127.0.0.1";

    private final HttpServer http;
    private final io.prometheus.client.exporter.HTTPServer server;

    /** Serves the reporter's registry on 127.0.0.1:{@code port} ({@code 0}: a free port). */
    DevnetPrometheusReporter(int port) throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(HOST), port);
        try {
            this.http = HttpServer.create(address, 3);
        } catch (IOException e) {
            throw new IOException("the devnet's Flink metrics cannot listen on " + HOST + ":" + port + ": " + e.getMessage(), e);
        }
        this.server = new io.prometheus.client.exporter.HTTPServer(http, registryOf(this), true);
        log.info("Flink metrics (Prometheus) on http://{}:{}/metrics", HOST, port());
    }

    /**
     * The registry Flink's collectors go to: a package-private field of
     * {@link AbstractPrometheusReporter} (Flink 2.2.1), read by reflection.
     */
    static CollectorRegistry registryOf(AbstractPrometheusReporter reporter) {
        try {
            Field f = AbstractPrometheusReporter.class.getDeclaredField("registry");
            f.setAccessible(true);
            return (CollectorRegistry) f.get(reporter);
        } catch (NoSuchFieldException | IllegalAccessException | RuntimeException e) {
            throw new IllegalStateException("Flink " + EnvironmentInformation.getVersion()
                    + ": AbstractPrometheusReporter has no accessible CollectorRegistry field 'registry' (it has one"
                    + " in Flink 2.2.1); DevnetPrometheusReporter must be adapted to this Flink version", e);
        }
    }

    /** The port the metrics are served on. */
    int port() {
        return http.getAddress().getPort();
    }

    /** The address the server is bound to. */
    InetSocketAddress address() {
        return http.getAddress();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } finally {
            super.close();
        }
    }
}
