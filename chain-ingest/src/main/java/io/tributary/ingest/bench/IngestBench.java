package io.tributary.ingest.bench;

import io.tributary.ingest.connect.ConnectRestClient;
import io.tributary.ingest.source.EvmLogSourceConnectorConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest benchmark (issue 4, "Performance"): fills one chain of a running Kafka Connect setup
 * with the project token's {@code Approval} logs, then measures the EVM log source connector, as
 * configured, from its start block to the head against the bare RPC over the same ranges.
 *
 * <ol>
 *   <li>Fill: {@link ApprovalFiller} mines {@code events} approvals in blocks of {@code logsPerBlock}
 *       on the chain (anvil), plus the connector's confirmation depth of empty blocks on top, and
 *       leaves mining off so that the chain holds still.
 *   <li>Ceiling: the {@code eth_getLogs} ranges the connector's task will ask for (its own
 *       {@code AdaptiveRange} with the connector's settings) fetched by a bare loop; the fastest of
 *       a few passes is {@code rpc_ceiling_logs_per_s}.
 *   <li>Connector: a consumer sits at the end of {@code chain.events} ({@code read_committed}); the
 *       connector is created through the Connect REST API; {@code logs_per_s} is the fill's logs seen
 *       there divided by the seconds from that request to the last one seen. The connector is
 *       deleted afterwards.
 * </ol>
 */
public final class IngestBench {

    private static final Logger LOG = LoggerFactory.getLogger(IngestBench.class);

    private final ConnectRestClient connect;
    private final String bootstrapServers;
    private final String connectorName;
    private final Map<String, String> connectorConfig;
    private final Map<String, String> overrides;
    private final EvmLogSourceConnectorConfig.ChainConfig chain;
    private final EvmLogSourceConnectorConfig parsed;
    private final String token;
    private final List<String> senders;
    private final long events;
    private final int logsPerBlock;
    private final Duration stallTimeout;
    private final Consumer<String> progress;

    private IngestBench(Builder b, Map<String, String> effective, EvmLogSourceConnectorConfig parsed, EvmLogSourceConnectorConfig.ChainConfig chain,
                        String token) {
        this.connect = b.connect;
        this.bootstrapServers = b.bootstrapServers;
        this.connectorName = b.connectorName;
        this.connectorConfig = Map.copyOf(effective);
        this.overrides = Map.copyOf(b.overrides);
        this.parsed = parsed;
        this.chain = chain;
        this.token = token;
        this.senders = List.copyOf(b.senders);
        this.events = b.events;
        this.logsPerBlock = b.logsPerBlock;
        this.stallTimeout = b.stallTimeout;
        this.progress = b.progress;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What to measure and where; {@link #build()} says what is missing or wrong. */
    public static final class Builder {
        private ConnectRestClient connect;
        private String bootstrapServers;
        private String connectorName = "ingest-bench";
        private Map<String, String> connectorConfig;
        private final Map<String, String> overrides = new java.util.TreeMap<>();
        private String chain;
        private String contract = "TrainingToken";
        private List<String> senders = List.of();
        private long events = 20_000;
        private int logsPerBlock = 2_000;
        private Duration stallTimeout = Duration.ofSeconds(60);
        private Consumer<String> progress = line -> LOG.info("{}", line);

        /** The REST API of the Kafka Connect cluster that runs the connector. */
        public Builder connect(ConnectRestClient connect) {
            this.connect = connect;
            return this;
        }

        /** The Kafka cluster the Connect cluster writes to. */
        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /** Name of the connector the benchmark creates (and deletes); it must not exist yet. */
        public Builder connectorName(String connectorName) {
            this.connectorName = connectorName;
            return this;
        }

        /** The EVM log source connector's configuration, exactly as it should run. */
        public Builder connectorConfig(Map<String, String> connectorConfig) {
            this.connectorConfig = connectorConfig;
            return this;
        }

        /**
         * Sets one option of the connector configuration for this run (e.g. a range size or a
         * {@code producer.override.*}); the result lists every option set this way.
         */
        public Builder connectorOverride(String key, String value) {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** The chain of the configuration to fill (an anvil); its RPC URL and contracts come from there. */
        public Builder chain(String chain) {
            this.chain = chain;
            return this;
        }

        /** The contract, by its name in the configuration, whose {@code approve} fills the chain (an ERC-20). */
        public Builder contract(String contract) {
            this.contract = contract;
            return this;
        }

        /** Unlocked accounts of the node that send the approvals (nobody else may use them meanwhile). */
        public Builder senders(List<String> senders) {
            this.senders = senders;
            return this;
        }

        /** Logs to fill the chain with (default 20,000). */
        public Builder events(long events) {
            this.events = events;
            return this;
        }

        /** Logs per block (default 2,000). */
        public Builder logsPerBlock(int logsPerBlock) {
            this.logsPerBlock = logsPerBlock;
            return this;
        }

        /** How long the connector may go without delivering a new record before the run fails. */
        public Builder stallTimeout(Duration stallTimeout) {
            this.stallTimeout = stallTimeout;
            return this;
        }

        /** Receives one line per step and while filling and measuring. */
        public Builder progress(Consumer<String> progress) {
            this.progress = progress;
            return this;
        }

        public IngestBench build() {
            Objects.requireNonNull(connect, "connect (the Connect REST client) is required");
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers is required");
            }
            if (connectorName == null || !connectorName.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("connectorName must be a plain name, got '" + connectorName + "'");
            }
            Objects.requireNonNull(connectorConfig, "connectorConfig is required");
            Objects.requireNonNull(chain, "chain is required");
            if (senders == null || senders.isEmpty()) {
                throw new IllegalArgumentException("name at least one sender account");
            }
            if (events < 1 || logsPerBlock < 1) {
                throw new IllegalArgumentException("need events >= 1 and logsPerBlock >= 1, got " + events
                        + " and " + logsPerBlock);
            }
            Objects.requireNonNull(stallTimeout, "stallTimeout");
            Objects.requireNonNull(progress, "progress");
            Map<String, String> effective = new HashMap<>(connectorConfig);
            effective.putAll(overrides);
            EvmLogSourceConnectorConfig parsed = new EvmLogSourceConnectorConfig(effective);
            if (!parsed.chainNames().contains(chain)) {
                throw new IllegalArgumentException("the connector configuration has no chain '" + chain
                        + "'; it has " + parsed.chainNames());
            }
            EvmLogSourceConnectorConfig.ChainConfig c = parsed.chain(chain);
            String token = c.contracts().entrySet().stream().filter(e -> e.getValue().equals(contract))
                    .map(Map.Entry::getKey).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("chain " + chain + " follows no contract named "
                            + contract + "; it follows " + c.contracts().values()));
            return new IngestBench(this, effective, parsed, c, token);
        }
    }

    /** Fills the chain, measures the RPC ceiling and the connector, and deletes the connector again. */
    public IngestBenchResult run() throws IOException, InterruptedException {
        ApprovalFiller.Filled filled;
        try (ApprovalFiller filler = new ApprovalFiller(chain.rpcUrl(), token, senders)) {
            progress.accept(String.format(Locale.ROOT, "filling chain %s (%s) with %,d Approval logs of %s, %,d per block",
                    chain.name(), chain.rpcUrl(), events, token, logsPerBlock));
            filled = filler.fill(events, logsPerBlock, chain.confirmations(), progress);
        }
        progress.accept(String.format(Locale.ROOT, "filled blocks %d..%d in %.1f s; head %d (%d confirmations)",
                filled.firstBlock(), filled.lastBlock(), filled.seconds(), filled.head(), chain.confirmations()));

        List<BlockRange> ranges = RpcCeiling.connectorRanges(chain.startBlock(), filled.head() - chain.confirmations(),
                parsed.getInt(EvmLogSourceConnectorConfig.RANGE_INITIAL_BLOCKS),
                parsed.getInt(EvmLogSourceConnectorConfig.RANGE_MIN_BLOCKS),
                parsed.getInt(EvmLogSourceConnectorConfig.RANGE_MAX_BLOCKS));
        RpcCeiling ceiling = new RpcCeiling(chain.rpcUrl(), chain.contracts().keySet());
        RpcCeiling.Best measured = ceiling.best(ranges, 3, 2.0);
        RpcCeiling.Pass best = measured.pass();
        int passes = measured.passes();
        if (best.logs() < filled.logs()) {
            throw new IOException("eth_getLogs over " + ranges + " returned " + best.logs() + " logs, fewer than the "
                    + filled.logs() + " filled");
        }
        progress.accept(String.format(Locale.ROOT, "rpc ceiling: %,d logs in %d range(s), best of %d passes %.3f s = %,.0f logs/s",
                best.logs(), ranges.size(), passes, best.seconds(), best.logsPerSecond()));

        ChainEventsCounter.Seen seen;
        long start;
        try (ChainEventsCounter counter = new ChainEventsCounter(bootstrapServers, filled.txHashes())) {
            Map<String, String> config = new HashMap<>(connectorConfig);
            config.put("name", connectorName);
            start = System.nanoTime();
            connect.putConnector(connectorName, config);
            progress.accept("connector " + connectorName + " created; reading chain.events (read_committed)");
            try {
                seen = counter.await(stallTimeout, progress);
            } finally {
                connect.deleteConnector(connectorName);
            }
        }
        IngestBenchResult result = new IngestBenchResult(filled.logs(), filled.blocks(), logsPerBlock,
                filled.firstBlock(), filled.lastBlock(), filled.head(), chain.confirmations(), filled.seconds(), ranges,
                seen.records(), seen.duplicates(), (seen.firstNanos() - start) / 1e9, (seen.lastNanos() - start) / 1e9,
                best.logs(), passes, best.seconds(), overrides);
        progress.accept(String.format(Locale.ROOT,
                "connector: %,d logs in %.3f s (first after %.3f s) = %,.0f logs/s; %.2f x the rpc ceiling",
                result.connectorRecords(), result.connectorSeconds(), result.connectorFirstRecordSeconds(),
                result.logsPerSecond(), result.logsVsRpcCeiling()));
        return result;
    }
}
