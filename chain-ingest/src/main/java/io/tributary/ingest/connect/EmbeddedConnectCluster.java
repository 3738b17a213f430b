package io.tributary.ingest.connect;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-worker Kafka Connect cluster in distributed mode, in this JVM, against a given Kafka: the
 * only mode with exactly-once source support, which it enables. Internal topics use replication
 * factor 1; the REST API binds 127.0.0.1 on a free port and connectors are managed through it.
 * Several workers of one cluster (same group id) share connectors, offsets and configs.
 */
public final class EmbeddedConnectCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedConnectCluster.class);

    private final Map<String, String> workerProps;
    private final Duration requestTimeout;
    private Connect<?> connect;
    private String restUrl;
    private ConnectRestClient rest;

    private EmbeddedConnectCluster(Map<String, String> workerProps, Duration requestTimeout) {
        this.workerProps = Map.copyOf(workerProps);
        this.requestTimeout = requestTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options of the worker, all with working defaults except the bootstrap servers. */
    public static final class Builder {
        private String bootstrapServers;
        private String groupId = "tributary-connect";
        private int restPort;
        private Duration requestTimeout = Duration.ofSeconds(60);
        private final Map<String, String> overrides = new HashMap<>();

        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /** Group id; also prefixes the internal topics ({@code <group>-configs}, {@code -offsets}, {@code -status}). */
        public Builder groupId(String groupId) {
            this.groupId = groupId;
            return this;
        }

        /** REST port on 127.0.0.1; 0 (default) picks a free one. */
        public Builder restPort(int restPort) {
            this.restPort = restPort;
            return this;
        }

        /** How long {@link #start()} and the REST helpers wait for the worker. */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /** Any other worker option. */
        public Builder workerProperty(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        public EmbeddedConnectCluster build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers is required");
            }
            if (groupId == null || !groupId.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("groupId must be a plain name, got '" + groupId + "'");
            }
            if (restPort < 0 || restPort > 65535) {
                throw new IllegalArgumentException("restPort out of range: " + restPort);
            }
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            int port = restPort == 0 ? freePort() : restPort;
            Map<String, String> p = new HashMap<>();
            p.put("bootstrap.servers", bootstrapServers);
            p.put("group.id", groupId);
            p.put("config.storage.topic", groupId + "-configs");
            p.put("offset.storage.topic", groupId + "-offsets");
            p.put("status.storage.topic", groupId + "-status");
            p.put("config.storage.replication.factor", "1");
            p.put("offset.storage.replication.factor", "1");
            p.put("status.storage.replication.factor", "1");
            p.put("offset.storage.partitions", "1");
            p.put("status.storage.partitions", "1");
            p.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
            p.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
            p.put("exactly.once.source.support", "enabled");
            p.put("listeners", "http://127.0.0.1:" + port);
            p.put("rest.advertised.host.name", "127.0.0.1");
            p.put("rest.advertised.port", Integer.toString(port));
            p.put("rest.advertised.listener", "http");
            // plugins come from the classpath through their service manifests: no slow scan
            p.put("plugin.discovery", "service_load");
            // a restarted worker gets its tasks back at once instead of after 5 minutes
            p.put("scheduled.rebalance.max.delay.ms", "0");
            p.put("offset.flush.interval.ms", "1000");
            p.put("task.shutdown.graceful.timeout.ms", "10000");
            p.putAll(overrides);
            return new EmbeddedConnectCluster(p, requestTimeout);
        }

        private static int freePort() {
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException("no free port on 127.0.0.1", e);
            }
        }
    }

    /** Starts the worker and waits until its REST API serves requests. */
    public synchronized EmbeddedConnectCluster start() throws IOException, InterruptedException {
        if (connect != null) {
            throw new IllegalStateException("already started");
        }
        // The worker is stopped by its owner (close()), not by a JVM shutdown hook of its own. Connect's
        // hook would race the owner's stop: Connect.stop() returns at once to whichever caller comes
        // second, so the owner would go on (and stop Kafka) while the worker still flushes into it.
        Exit.setShutdownHookAdder((name, hook) -> LOG.debug("the embedded worker's owner stops it; not adding {}", name));
        try {
            connect = new ConnectDistributed().startConnect(new HashMap<>(workerProps));
        } finally {
            Exit.resetShutdownHookAdder();
        }
        restUrl = "http://127.0.0.1:" + workerProps.get("rest.advertised.port");
        rest = new ConnectRestClient(restUrl, requestTimeout);
        try {
            rest.awaitReady();
        } catch (IOException | InterruptedException e) {
            stop();
            throw e;
        }
        LOG.info("Kafka Connect worker (group {}) up at {}", workerProps.get("group.id"), restUrl);
        return this;
    }

    public String restUrl() {
        return restUrl;
    }

    public Map<String, String> workerProperties() {
        return workerProps;
    }

    /** The REST client of this worker (any worker of the cluster would do). */
    public ConnectRestClient rest() {
        if (rest == null) {
            throw new IllegalStateException("not started");
        }
        return rest;
    }

    /** Creates or updates connector {@code name}. */
    public void putConnector(String name, Map<String, String> config) throws IOException, InterruptedException {
        rest().putConnector(name, config);
    }

    /** Restarts the connector and all its tasks. */
    public void restartConnector(String name) throws IOException, InterruptedException {
        rest().restartConnector(name);
    }

    public void deleteConnector(String name) throws IOException, InterruptedException {
        rest().deleteConnector(name);
    }

    /** The connector's status document ({@code connector.state}, {@code tasks[].state}, traces). */
    public JsonNode status(String name) throws IOException, InterruptedException {
        return rest().status(name);
    }

    /** Waits until the connector and {@code tasks} tasks are RUNNING; fails early if one FAILED. */
    public void awaitRunning(String name, int tasks) throws IOException, InterruptedException {
        rest().awaitRunning(name, tasks);
    }

    /** Stops the worker: its tasks stop, their last transactions commit or abort. */
    @Override
    public synchronized void close() {
        stop();
    }

    /** Stops the worker and returns once it has stopped (its REST server, herder and tasks). */
    public synchronized void stop() {
        if (connect != null) {
            Connect<?> c = connect;
            connect = null;
            c.stop();
            LOG.info("Kafka Connect worker at {} stopped", restUrl);
        }
    }
}
