package io.tributary.schemas.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A Prometheus scrape endpoint ({@code GET /metrics}) serving one registry. Every long-running part
 * of Tributary registers its metrics in a {@link PrometheusRegistry} of its own, and the process
 * hosting it opens one endpoint for it: {@code ./tributary relayer --metrics-port 9402}, or a free
 * loopback port per part in the devnet.
 *
 * <p>Parts that run inside somebody else's process (the log source connector's tasks in a Kafka
 * Connect worker) share an endpoint per port through {@link #shared}: the first task on a port
 * opens it, the last one to let go closes it.
 */
public final class MetricsEndpoint implements AutoCloseable {

    /** Where a part listens when its configuration names no host. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    private static final Map<String, Shared> SHARED = new HashMap<>();

    private final HTTPServer server;
    private final String host;
    private final PrometheusRegistry registry;
    private final Runnable onClose;
    private boolean closed;

    private MetricsEndpoint(HTTPServer server, String host, PrometheusRegistry registry, Runnable onClose) {
        this.server = server;
        this.host = host;
        this.registry = registry;
        this.onClose = onClose;
    }

    /**
     * Serves {@code registry} on {@code host:port} ({@code port} 0: any free port, see
     * {@link #port()}). Fails with a message naming the address when the port is taken.
     */
    public static MetricsEndpoint start(String host, int port, PrometheusRegistry registry) throws IOException {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(registry, "registry");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("metrics port must be 0..65535, was " + port);
        }
        try {
            HTTPServer server = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
            return new MetricsEndpoint(server, host, registry, () -> server.close());
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * The endpoint on {@code host:port} shared by every caller in this JVM, opened by the first and
     * closed when every caller has closed its handle. All handles share one registry.
     */
    public static MetricsEndpoint shared(String host, int port) {
        if (port <= 0) {
            throw new IllegalArgumentException("a shared metrics endpoint needs a fixed port, was " + port);
        }
        String key = host + ":" + port;
        synchronized (SHARED) {
            Shared shared = SHARED.get(key);
            if (shared == null) {
                PrometheusRegistry registry = new PrometheusRegistry();
                try {
                    HTTPServer server = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
                    shared = new Shared(server, registry);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot serve metrics on " + key + ": " + e.getMessage(), e);
                }
                SHARED.put(key, shared);
            }
            shared.users++;
            Shared held = shared;
            return new MetricsEndpoint(held.server, host, held.registry, () -> release(key, held));
        }
    }

    private static void release(String key, Shared shared) {
        synchronized (SHARED) {
            if (--shared.users == 0) {
                SHARED.remove(key);
                shared.server.close();
            }
        }
    }

    private static final class Shared {
        final HTTPServer server;
        final PrometheusRegistry registry;
        int users;

        Shared(HTTPServer server, PrometheusRegistry registry) {
            this.server = server;
            this.registry = registry;
        }
    }

    /** The registry this endpoint serves. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** The port it listens on. */
    public int port() {
        return server.getPort();
    }

    /** {@code host:port}, as a Prometheus target. */
    public String target() {
        return host + ":" + port();
    }

    /** The scrape URL. */
    public String url() {
        return "http://" + target() + "/metrics";
    }

    /** Stops serving (a shared endpoint once its last user closed). Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            onClose.run();
        }
    }
}
