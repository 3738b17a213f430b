package io.tributary.infra.devnet;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.ingest.connect.EmbeddedConnectCluster;
import io.tributary.ingest.relayer.Relayer;
import io.tributary.ingest.relayer.RelayerConfig;
import io.tributary.ingest.relayer.RelayerListener;
import io.tributary.ingest.source.EvmLogSourceConnector;
import io.tributary.ingest.source.EvmLogSourceConnectorConfig;
import io.tributary.schemas.metrics.MetricsEndpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devnet's change capture and message relay, both in the supervisor's JVM: a one-worker
 * distributed Kafka Connect cluster (exactly-once source support, internal topics with RF 1, REST on
 * 127.0.0.1) running one {@link EvmLogSourceConnector} over every chain, and the all-in-one guardian
 * relayer (every guardian and the submitter).
 */
final class DevnetIngest {

    /** The name of the devnet's log source connector. */
    static final String CONNECTOR_NAME = "evm-logs";
    /** The Connect group id, also the prefix of its internal topics. */
    static final String CONNECT_GROUP = "tributary-connect";
    /** Folder of the relayer's transaction state inside the devnet dir (where {@link RelayerConfig#read} puts it). */
    static final String RELAYER_STATE_DIR = "relayer";

    private static final Logger LOG = LoggerFactory.getLogger(DevnetIngest.class);

    private DevnetIngest() {}

    /** Starts the Connect worker against the devnet's broker; the connector is added later. */
    static ConnectWorker startConnect(String bootstrapServers, int restPort) throws IOException, InterruptedException {
        return new ConnectWorker(EmbeddedConnectCluster.builder()
                .bootstrapServers(bootstrapServers)
                .groupId(CONNECT_GROUP)
                .restPort(restPort)
                .build()
                .start());
    }

    /**
     * The devnet's Connect worker as a part that is stopped for good when {@link #close()} returns, so
     * Kafka can go next (the embedded worker has no shutdown hook of its own racing this stop). The
     * wait is bounded, so {@code devnet down} stays well under its 30 s.
     */
    static final class ConnectWorker implements AutoCloseable {
        private static final Duration HALT_WAIT = Duration.ofSeconds(10);

        private final EmbeddedConnectCluster cluster;

        ConnectWorker(EmbeddedConnectCluster cluster) {
            this.cluster = cluster;
        }

        EmbeddedConnectCluster cluster() {
            return cluster;
        }

        @Override
        public void close() throws InterruptedException {
            Thread stopper = new Thread(cluster::close, "devnet-connect-stop");
            stopper.setDaemon(true);
            stopper.start();
            stopper.join(HALT_WAIT.toMillis());
            if (stopper.isAlive()) {
                LOG.warn("the Kafka Connect worker is still stopping after {} s; going on", HALT_WAIT.toSeconds());
            }
        }
    }

    /**
     * The connector's configuration: one task per chain, each with its RPC URL, chain id and every
     * deployed project contract by name, from block 0, with the devnet's default confirmation depths;
     * the tasks serve their metrics on 127.0.0.1:{@code metricsPort}.
     */
    static Map<String, String> connectorConfig(List<DevnetInfo.Chain> chains, int metricsPort) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", EvmLogSourceConnector.class.getName());
        c.put("tasks.max", Integer.toString(chains.size()));
        c.put("exactly.once.support", "required");
        c.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        c.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        // A poll's records go out in one transaction: large batches keep a busy range to a few
        // produce requests (16 KB batches made ~900 requests of a 20,000-log range; bench ingest).
        c.put("producer.override.batch.size", "1048576");
        c.put("producer.override.linger.ms", "5");
        c.put(EvmLogSourceConnectorConfig.ABI_SOURCE, "classpath");
        c.put(EvmLogSourceConnectorConfig.METRICS_HOST, MetricsEndpoint.DEFAULT_HOST);
        c.put(EvmLogSourceConnectorConfig.METRICS_PORT, Integer.toString(metricsPort));
        c.put(EvmLogSourceConnectorConfig.CHAINS, chains.stream().map(DevnetInfo.Chain::name).collect(Collectors.joining(",")));
        for (DevnetInfo.Chain chain : chains) {
            if (chain.contracts() == null) {
                throw new IllegalArgumentException("chain " + chain.name() + " has no deployed contracts");
            }
            String prefix = EvmLogSourceConnectorConfig.CHAIN_PREFIX + chain.name() + ".";
            c.put(prefix + EvmLogSourceConnectorConfig.RPC_URL, chain.rpcUrl());
            c.put(prefix + EvmLogSourceConnectorConfig.CHAIN_ID, Long.toString(chain.chainId()));
            c.put(prefix + EvmLogSourceConnectorConfig.CONTRACTS, chain.contracts().addresses().entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")));
            c.put(prefix + EvmLogSourceConnectorConfig.START_BLOCK, "0");
        }
        new EvmLogSourceConnectorConfig(c); // refuses a bad configuration here rather than in the worker
        return c;
    }

    /** Adds the connector to the worker and waits until it runs one task per chain. */
    static void startConnector(EmbeddedConnectCluster connect, List<DevnetInfo.Chain> chains, int metricsPort)
            throws IOException, InterruptedException {
        connect.putConnector(CONNECTOR_NAME, connectorConfig(chains, metricsPort));
        connect.awaitRunning(CONNECTOR_NAME, chains.size());
    }

    /** Starts every guardian and the submitter, configured from a devnet.json-like file. */
    static RelayerPart startRelayer(Path devnetJson, PrometheusRegistry metrics) throws IOException {
        return new RelayerPart(Relayer.start(RelayerConfig.read(devnetJson), List.of(), false, RelayerListener.NONE, metrics));
    }

    /**
     * The in-process relayer as a devnet part whose stop is bounded: a worker busy in a chain call
     * may take up to 30 s to notice the stop (then it is interrupted), longer than `devnet down`
     * waits before it kills the supervisor. After {@link #STOP_WAIT} the devnet goes on stopping
     * Kafka; the workers' threads are daemons, and the submitter's transaction state is made to
     * survive a crash (and is deleted by the next `devnet up` anyway).
     */
    static final class RelayerPart implements AutoCloseable {
        static final Duration STOP_WAIT = Duration.ofSeconds(10);

        private final Relayer relayer;

        RelayerPart(Relayer relayer) {
            this.relayer = relayer;
        }

        Relayer relayer() {
            return relayer;
        }

        @Override
        public void close() throws InterruptedException {
            Thread closer = new Thread(() -> {
                try {
                    relayer.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "devnet-relayer-stop");
            closer.setDaemon(true);
            closer.start();
            closer.join(STOP_WAIT.toMillis());
            if (closer.isAlive()) {
                LOG.warn("the relayer did not stop within {} s; going on without it", STOP_WAIT.toSeconds());
            }
        }
    }
}
