package io.tributary.ingest.source;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.ingest.abi.AbiSource;
import io.tributary.ingest.abi.ContractAbi;
import io.tributary.schemas.Topics;
import io.tributary.schemas.metrics.MetricsEndpoint;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.source.TransactionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one chain. Each {@link #poll()} returns whole blocks (retractions of a reorg first), so
 * that one Connect transaction covers whole blocks and the committed offset is always the last
 * block written in full. A chain that cannot be reached is retried with backoff, and the task says
 * so in the log every time, without failing.
 */
public final class EvmLogSourceTask extends SourceTask {

    private static final Logger LOG = LoggerFactory.getLogger(EvmLogSourceTask.class);

    /** Opens the JSON-RPC client of a chain; tests put a small in-memory chain here. */
    interface ClientFactory {
        ChainClient open(EvmLogSourceConnectorConfig.ChainConfig chain, Duration timeout);
    }

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ClientFactory clients;
    private EvmLogSourceConnectorConfig config;
    private EvmLogSourceConnectorConfig.ChainConfig chain;
    private ChainClient client;
    private ChainFollower follower;
    private ChainRecordMapper mapper;
    private RpcErrorHandler errors;
    private Backoff backoff;
    private boolean resumed;
    private boolean connectorBoundaries;
    // read by the metrics reporter's thread
    private volatile long nextBlock = -1;
    private volatile long retractedLogs;
    private volatile int consecutiveFailures;
    private volatile int rangeBlocks;
    private MetricsEndpoint metricsEndpoint;
    private ConnectorMetrics.Chain metrics;

    public EvmLogSourceTask() {
        this((chain, timeout) -> new Web3jChainClient(chain.rpcUrl(), timeout));
    }

    EvmLogSourceTask(ClientFactory clients) {
        this.clients = clients;
    }

    @Override
    public String version() {
        return EvmLogSourceConnector.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        try {
            config = new EvmLogSourceConnectorConfig(props);
            chain = config.taskChain();
        } catch (ConfigException e) {
            throw new ConnectException("bad configuration: " + e.getMessage(), e);
        }
        AbiSource abis = AbiSource.of(config.getString(EvmLogSourceConnectorConfig.ABI_SOURCE));
        Map<String, ContractAbi> byAddress = new HashMap<>();
        for (Map.Entry<String, String> c : chain.contracts().entrySet()) {
            try {
                byAddress.put(c.getKey(), abis.load(c.getValue()));
            } catch (IOException e) {
                throw new ConnectException("chain " + chain.name() + ": " + e.getMessage(), e);
            }
        }
        openMetrics();
        errors = new RpcErrorHandler();
        backoff = new Backoff(config.getLong(EvmLogSourceConnectorConfig.RETRY_BACKOFF_INITIAL_MS),
                config.getLong(EvmLogSourceConnectorConfig.RETRY_BACKOFF_MAX_MS));
        client = clients.open(chain, Duration.ofMillis(config.getLong(EvmLogSourceConnectorConfig.RPC_TIMEOUT_MS)));
        int min = config.getInt(EvmLogSourceConnectorConfig.RANGE_MIN_BLOCKS);
        int max = config.getInt(EvmLogSourceConnectorConfig.RANGE_MAX_BLOCKS);
        int initial = Math.max(min, Math.min(max, config.getInt(EvmLogSourceConnectorConfig.RANGE_INITIAL_BLOCKS)));
        follower = new ChainFollower(chain.chainId(), client, chain.contracts().keySet(), chain.confirmations(),
                config.getInt(EvmLogSourceConnectorConfig.MAX_REORG_DEPTH), chain.startBlock(),
                new AdaptiveRange(initial, min, max, 2), errors, metrics);
        mapper = new ChainRecordMapper(chain.name(), chain.chainId(), byAddress, Clock.systemUTC());
        connectorBoundaries = "connector".equals(config.getString(EvmLogSourceConnectorConfig.TRANSACTION_BOUNDARY));
        nextBlock = follower.nextBlock();
        rangeBlocks = follower.rangeSize();
        registerMetrics();
        LOG.info("chain {} ({}): following {} contracts at {} with {} confirmations", chain.name(), chain.chainId(),
                chain.contracts().size(), chain.rpcUrl(), chain.confirmations());
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        if (stopped.getCount() == 0) {
            return null;
        }
        List<ChainChange> changes;
        long pollStart = System.nanoTime();
        try {
            if (!resumed) {
                resume();
            }
            changes = follower.poll();
            nextBlock = follower.nextBlock();
            retractedLogs = follower.retractedLogs();
            rangeBlocks = follower.rangeSize();
            consecutiveFailures = 0;
            if (backoff.attempts() > 0) {
                LOG.info("chain {}: reachable again after {} failed attempts", chain.name(), backoff.attempts());
            }
            backoff.reset();
        } catch (ReorgTooDeepException e) {
            throw new ConnectException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            RpcErrorHandler.Kind kind = errors.classify(e);
            metrics.rpcError(kind);
            if (kind == RpcErrorHandler.Kind.PERMANENT) {
                throw new ConnectException("chain " + chain.name() + ": permanent RPC failure: " + e.getMessage(), e);
            }
            long wait = backoff.failed();
            consecutiveFailures = backoff.attempts();
            LOG.warn("chain {} at {} unreachable (attempt {}), retrying in {} ms: {}", chain.name(), chain.rpcUrl(),
                    backoff.attempts(), wait, e.toString());
            stopped.await(wait, TimeUnit.MILLISECONDS);
            return null;
        }
        if (changes.isEmpty()) {
            stopped.await(config.getLong(EvmLogSourceConnectorConfig.POLL_INTERVAL_MS), TimeUnit.MILLISECONDS);
            return null;
        }
        long mapStart = System.nanoTime();
        List<SourceRecord> records = new ArrayList<>(changes.size());
        long confirmedEvents = 0;
        long retractedEvents = 0;
        for (ChainChange change : changes) {
            List<SourceRecord> mapped = mapper.map(change);
            if (!(change instanceof ChainChange.Head) && isEvent(mapped)) { // not dead-lettered
                if (change instanceof ChainChange.Retracted) {
                    retractedEvents++;
                } else {
                    confirmedEvents++;
                }
            }
            records.addAll(mapped);
        }
        metrics.written(confirmedEvents, retractedEvents);
        if (LOG.isDebugEnabled()) {
            // where a poll's time goes; the gap to the next poll is Connect sending and committing
            LOG.debug("chain {}: {} records up to block {} in {} ms (chain {} ms, mapping {} ms), range {} blocks",
                    chain.name(), records.size(), nextBlock - 1, (System.nanoTime() - pollStart) / 1_000_000,
                    (mapStart - pollStart) / 1_000_000, (System.nanoTime() - mapStart) / 1_000_000, rangeBlocks);
        }
        TransactionContext tx = context.transactionContext();
        if (connectorBoundaries && tx != null && !records.isEmpty()) {
            tx.commitTransaction(records.get(records.size() - 1));
        }
        return records.isEmpty() ? null : records;
    }

    private static boolean isEvent(List<SourceRecord> mapped) {
        return mapped.size() == 1 && Topics.CHAIN_EVENTS.name().equals(mapped.get(0).topic());
    }

    /**
     * Task metrics (Connect's plugin metrics, tagged with the chain): how far the task is, how many
     * logs reorgs retracted, the current log range, and how many RPC attempts in a row failed (a
     * chain that is down shows here while the task keeps running).
     */
    private void registerMetrics() {
        PluginMetrics metrics = context == null ? null : context.pluginMetrics();
        if (metrics == null) {
            return;
        }
        LinkedHashMap<String, String> tags = new LinkedHashMap<>();
        tags.put("chain", chain.name());
        metrics.addMetric(metrics.metricName("next-block", "Next block to be read once confirmed", tags),
                (Gauge<Long>) (c, now) -> nextBlock);
        metrics.addMetric(metrics.metricName("retracted-logs", "Logs retracted by reorgs since the task started", tags),
                (Gauge<Long>) (c, now) -> retractedLogs);
        metrics.addMetric(metrics.metricName("log-range-blocks", "Blocks asked of one eth_getLogs now", tags),
                (Gauge<Integer>) (c, now) -> rangeBlocks);
        metrics.addMetric(metrics.metricName("rpc-consecutive-failures",
                "RPC attempts in a row that failed with a retriable error (0 when the chain answers)", tags),
                (Gauge<Integer>) (c, now) -> consecutiveFailures);
    }

    /**
     * The chain's Prometheus series: in the registry of the endpoint on {@value
     * EvmLogSourceConnectorConfig#METRICS_PORT} that the worker's tasks share, or in a registry of
     * the task's own that nobody serves when the port is 0. A port that cannot be opened costs the
     * metrics (an error in the log; Prometheus shows the target down), never the chain's events.
     */
    private void openMetrics() {
        int port = config.getInt(EvmLogSourceConnectorConfig.METRICS_PORT);
        PrometheusRegistry registry = null;
        if (port != 0) {
            String host = config.getString(EvmLogSourceConnectorConfig.METRICS_HOST);
            try {
                metricsEndpoint = MetricsEndpoint.shared(host, port);
                registry = metricsEndpoint.registry();
                LOG.info("chain {}: metrics on {}", chain.name(), metricsEndpoint.url());
            } catch (RuntimeException e) {
                LOG.error("chain {}: no metrics endpoint on {}:{}, following the chain without: {}", chain.name(),
                        host, port, e.getMessage());
            }
        }
        metrics = ConnectorMetrics.of(registry != null ? registry : new PrometheusRegistry()).chain(chain.name());
    }

    private void resume() throws IOException {
        Map<String, Object> stored = context.offsetStorageReader()
                .offset(EvmOffsetContext.sourcePartition(chain.chainId()));
        EvmOffsetContext offset;
        try {
            offset = EvmOffsetContext.load(chain.chainId(), stored);
        } catch (IllegalArgumentException e) {
            throw new ConnectException(e.getMessage(), e);
        }
        if (offset != null) {
            follower.resume(offset);
        } else {
            LOG.info("chain {}: no stored offset; starting at block {}", chain.name(), chain.startBlock());
        }
        resumed = true;
    }

    @Override
    public void stop() {
        stopped.countDown();
        if (client != null) {
            client.close();
        }
        if (metricsEndpoint != null) {
            metricsEndpoint.close();
        }
    }
}
