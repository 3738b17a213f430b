package io.tributary.ingest.testing;

import io.tributary.ingest.connect.EmbeddedConnectCluster;
import io.tributary.ingest.source.EvmLogSourceConnector;
import io.tributary.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** A test class's Kafka broker and one-worker Connect cluster, plus connector configs for anvil chains. */
public final class ConnectorHarness implements AutoCloseable {

    public final Path dir;
    public final KafkaTestBroker kafka;
    public EmbeddedConnectCluster connect;

    public ConnectorHarness(String name) throws Exception {
        dir = Path.of(System.getProperty("tributary.test.dir", "target/it")).resolve(name + "-" + System.nanoTime());
        kafka = KafkaTestBroker.start(dir.resolve("kafka"));
        kafka.createTopics(Topics.CHAIN_EVENTS.name(), Topics.CHAIN_BLOCKS.name(), Topics.DEADLETTER.name());
        connect = startWorker();
    }

    public EmbeddedConnectCluster startWorker() throws Exception {
        return workerBuilder(kafka.bootstrapServers(), "tributary-connect").build().start();
    }

    /**
     * Workers for tests: a worker that vanishes without leaving its group is noticed after the
     * shortest session timeout brokers allow (6 s) instead of 10 s, and a rebalance waits 10 s
     * instead of 60 s for members that will never rejoin.
     */
    public static EmbeddedConnectCluster.Builder workerBuilder(String bootstrap, String groupId) {
        return EmbeddedConnectCluster.builder().bootstrapServers(bootstrap).groupId(groupId)
                .requestTimeout(Duration.ofSeconds(60))
                .workerProperty("session.timeout.ms", "6000")
                .workerProperty("heartbeat.interval.ms", "1000")
                .workerProperty("rebalance.timeout.ms", "10000");
    }

    /** A one-chain connector config, exactly-once required, fast polling, no metrics endpoint. */
    public static Map<String, String> connectorConfig(String chainName, AnvilTestChain chain, String contracts,
                                                      int confirmations, Path abiDir) {
        return connectorConfig(chainName, chain.rpcUrl(), chain.chainId(), contracts, confirmations, abiDir);
    }

    public static Map<String, String> connectorConfig(String chainName, String rpcUrl, long chainId, String contracts,
                                                      int confirmations, Path abiDir) {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", EvmLogSourceConnector.class.getName());
        c.put("tasks.max", "4");
        c.put("exactly.once.support", "required");
        c.put("transaction.boundary", "poll");
        c.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        c.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        c.put("abi.source", abiDir.toAbsolutePath().toString());
        c.put("poll.interval.ms", "100");
        c.put("retry.backoff.initial.ms", "100");
        c.put("retry.backoff.max.ms", "500");
        c.put("rpc.timeout.ms", "3000");
        c.put("metrics.port", "0"); // no endpoint unless a test asks for one
        c.put("chains", chainName);
        c.put("chain." + chainName + ".rpc.url", rpcUrl);
        c.put("chain." + chainName + ".chain.id", Long.toString(chainId));
        c.put("chain." + chainName + ".contracts", contracts);
        c.put("chain." + chainName + ".confirmations", Integer.toString(confirmations));
        return c;
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    @Override
    public void close() {
        if (connect != null) {
            connect.close();
        }
        kafka.close();
    }
}
