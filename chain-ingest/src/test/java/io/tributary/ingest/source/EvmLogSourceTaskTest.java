package io.tributary.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.ingest.testing.AnvilTestChain;
import io.tributary.ingest.testing.MetricsScrape;
import io.tributary.schemas.Topics;
import io.tributary.schemas.metrics.MetricsEndpoint;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.MetricValueProvider;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.source.TransactionContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The task on an in-memory chain, with small real implementations of Connect's task context. */
class EvmLogSourceTaskTest {

    private final InMemoryChain chain = new InMemoryChain();
    private final Map<Map<String, ?>, Map<String, Object>> storedOffsets = new HashMap<>();
    private final List<SourceRecord> committed = new ArrayList<>();
    private TransactionContext transactions;
    private final EvmLogSourceTask task = new EvmLogSourceTask((c, timeout) -> chain);

    private final SourceTaskContext context = new SourceTaskContext() {
        @Override
        public Map<String, String> configs() {
            return config();
        }

        @Override
        public OffsetStorageReader offsetStorageReader() {
            return new OffsetStorageReader() {
                @Override
                public <T> Map<String, Object> offset(Map<String, T> partition) {
                    return storedOffsets.get(partition);
                }

                @Override
                public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                    Map<Map<String, T>, Map<String, Object>> out = new HashMap<>();
                    partitions.forEach(p -> out.put(p, storedOffsets.get(p)));
                    return out;
                }
            };
        }

        @Override
        public TransactionContext transactionContext() {
            return transactions;
        }

        @Override
        public PluginMetrics pluginMetrics() {
            return metrics;
        }
    };

    /** Gauges the task registered, by metric name. */
    private final Map<String, MetricValueProvider<?>> gauges = new HashMap<>();
    private final PluginMetrics metrics = new PluginMetrics() {
        @Override
        public MetricName metricName(String name, String description, LinkedHashMap<String, String> tags) {
            return new MetricName(name, "test", description, tags);
        }

        @Override
        public void addMetric(MetricName name, MetricValueProvider<?> provider) {
            assertThat(name.tags()).containsEntry("chain", "home");
            gauges.put(name.name(), provider);
        }

        @Override
        public void removeMetric(MetricName name) {
            gauges.remove(name.name());
        }

        @Override
        public Sensor addSensor(String name) {
            throw new UnsupportedOperationException("the task uses gauges only");
        }

        @Override
        public void removeSensor(String name) {
            throw new UnsupportedOperationException("the task uses gauges only");
        }
    };

    private Object gauge(String name) {
        return ((Gauge<?>) gauges.get(name)).value(new MetricConfig(), 0L);
    }

    private static Map<String, String> config() {
        Map<String, String> c = new HashMap<>();
        c.put("chains", "home");
        c.put("task.chain", "home");
        c.put("abi.source", "classpath");
        c.put("poll.interval.ms", "10");
        c.put("retry.backoff.initial.ms", "1");
        c.put("retry.backoff.max.ms", "2");
        c.put("chain.home.rpc.url", "http://in-memory");
        c.put("chain.home.chain.id", "7");
        c.put("chain.home.contracts", "Sample=" + InMemoryChain.ADDRESS);
        c.put("chain.home.start.block", "1");
        c.put("metrics.port", "0");
        return c;
    }

    private List<SourceRecord> start(Map<String, String> config) {
        task.initialize(context);
        task.start(config);
        return new ArrayList<>();
    }

    private List<SourceRecord> pollUntilQuiet() throws InterruptedException {
        List<SourceRecord> out = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            List<SourceRecord> batch = task.poll();
            if (batch == null) {
                break;
            }
            out.addAll(batch);
        }
        return out;
    }

    @AfterEach
    void stop() {
        task.stop();
    }

    private static List<String> topics(List<SourceRecord> records) {
        return records.stream().map(SourceRecord::topic).toList();
    }

    @Test
    void shouldWriteConfirmedBlocksWithHomeChainsDefaultConfirmations() throws InterruptedException {
        start(config());
        chain.mine("a");
        chain.mineEmpty(1);
        assertThat(pollUntilQuiet()).as("home needs 2 confirmations").isEmpty();
        chain.mineEmpty(1);
        List<SourceRecord> records = pollUntilQuiet();
        // the in-memory log's topic0 is no event of Sample: a dead letter, then the head
        assertThat(topics(records)).containsExactly(Topics.DEADLETTER.name(), Topics.CHAIN_BLOCKS.name());
        assertThat(records.get(1).sourceOffset().get("blockNumber")).isEqualTo(1L);
    }

    @Test
    void shouldKeepRetryingWhileTheChainIsUnreachableAndCarryOnAfterwards() throws InterruptedException {
        start(config());
        chain.mine("a");
        chain.mineEmpty(2);
        chain.failure = new ConnectException("Connection refused");
        for (int i = 0; i < 5; i++) {
            assertThat(task.poll()).isNull();
        }
        assertThat(gauge("rpc-consecutive-failures")).isEqualTo(5);
        chain.failure = null;
        assertThat(topics(pollUntilQuiet())).containsExactly(Topics.DEADLETTER.name(), Topics.CHAIN_BLOCKS.name());
        assertThat(gauge("rpc-consecutive-failures")).isEqualTo(0);
        assertThat(gauge("next-block")).isEqualTo(2L);
    }

    @Test
    void shouldFailOnPermanentRpcErrors() {
        start(config());
        chain.failure = new RpcException("eth_blockNumber", -32601, "Method not found");
        assertThatThrownBy(task::poll).isInstanceOf(org.apache.kafka.connect.errors.ConnectException.class)
                .hasMessageContaining("permanent");
    }

    @Test
    void shouldResumeAfterTheStoredOffset() throws InterruptedException {
        chain.mine("a");
        chain.mine("b");
        chain.mine("c");
        chain.mineEmpty(2);
        List<BlockHeader> headers;
        try {
            headers = chain.headers(2, 2);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        storedOffsets.put(EvmOffsetContext.sourcePartition(7), new EvmOffsetContext(7, 2, headers.get(0).hash()).offset());
        start(config());
        List<SourceRecord> records = pollUntilQuiet();
        assertThat(records).filteredOn(r -> r.topic().equals(Topics.CHAIN_BLOCKS.name()))
                .extracting(r -> (Object) r.sourceOffset().get("blockNumber")).containsExactly(3L);
    }

    @Test
    void shouldCommitOneTransactionPerPollWhenTheConnectorDefinesBoundaries() throws InterruptedException {
        transactions = new TransactionContext() {
            @Override
            public void commitTransaction() {
                throw new AssertionError("the task commits with the last record");
            }

            @Override
            public void commitTransaction(SourceRecord record) {
                committed.add(record);
            }

            @Override
            public void abortTransaction() {
                throw new AssertionError("nothing to abort");
            }

            @Override
            public void abortTransaction(SourceRecord record) {
                throw new AssertionError("nothing to abort");
            }
        };
        Map<String, String> c = config();
        c.put("transaction.boundary", "connector");
        start(c);
        chain.mine("a");
        chain.mineEmpty(3);
        List<SourceRecord> batch = task.poll();
        assertThat(committed).containsExactly(batch.get(batch.size() - 1));
    }


    @Test
    void shouldServeTheChainsSeriesOnTheMetricsPortUntilStopped() throws Exception {
        int port = AnvilTestChain.freePort();
        Map<String, String> c = config();
        c.put("metrics.port", Integer.toString(port));
        start(c);
        chain.mine("a");
        chain.mineEmpty(3); // head 4, confirmed up to 2
        pollUntilQuiet();
        String url = "http://127.0.0.1:" + port + "/metrics";
        String text = MetricsScrape.http(url);
        assertThat(MetricsScrape.value(text, "tributary_chain_head_block{chain=\"home\"}")).isEqualTo(4);
        assertThat(MetricsScrape.value(text, "tributary_chain_confirmed_block{chain=\"home\"}")).isEqualTo(2);
        assertThat(MetricsScrape.value(text, "tributary_chain_lag_blocks{chain=\"home\"}")).isEqualTo(2);
        // the one log is no event of Sample: dead-lettered, not written to chain.events
        assertThat(MetricsScrape.value(text, "tributary_chain_events_total{chain=\"home\"}")).isZero();

        task.stop();
        assertThatThrownBy(() -> MetricsScrape.http(url)).isInstanceOf(ConnectException.class);
    }

    @Test
    void shouldOpenNoEndpointWhenTheMetricsPortIsZero() throws Exception {
        int port = AnvilTestChain.freePort();
        start(config()); // metrics.port=0
        chain.mine("a");
        chain.mineEmpty(3);
        pollUntilQuiet();
        // a second user of the shared endpoint on a port opens it afresh: nobody else holds it
        try (MetricsEndpoint probe = MetricsEndpoint.shared("127.0.0.1", port)) {
            assertThat(MetricsScrape.http(probe.url())).doesNotContain("tributary_chain_");
        }
    }
}
