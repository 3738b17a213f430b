package io.tributary.ingest.source;

import io.tributary.schemas.metrics.MetricsComponent;
import io.tributary.schemas.metrics.MetricsEndpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Options of {@link EvmLogSourceConnector}: each a constant with key, type, default and doc, so the
 * documentation and the validation come from one {@link ConfigDef}.
 *
 * <p>Chains are listed in {@value #CHAINS}; each chain's own options live under
 * {@code chain.<name>.}, e.g. {@code chain.home.rpc.url}. The connector hands each task the shared
 * options plus {@value #TASK_CHAIN} naming its chain.
 */
public final class EvmLogSourceConnectorConfig extends AbstractConfig {

    public static final String CHAINS = "chains";
    public static final String TASK_CHAIN = "task.chain";
    public static final String CHAIN_PREFIX = "chain.";

    public static final String ABI_SOURCE = "abi.source";
    public static final String POLL_INTERVAL_MS = "poll.interval.ms";
    public static final String RANGE_INITIAL_BLOCKS = "range.initial.blocks";
    public static final String RANGE_MIN_BLOCKS = "range.min.blocks";
    public static final String RANGE_MAX_BLOCKS = "range.max.blocks";
    public static final String MAX_REORG_DEPTH = "max.reorg.depth";
    public static final String RPC_TIMEOUT_MS = "rpc.timeout.ms";
    public static final String RETRY_BACKOFF_INITIAL_MS = "retry.backoff.initial.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "retry.backoff.max.ms";
    public static final String TRANSACTION_BOUNDARY = "transaction.boundary";
    public static final String METRICS_PORT = "metrics.port";
    public static final String METRICS_HOST = "metrics.host";

    // per chain, under chain.<name>.
    public static final String RPC_URL = "rpc.url";
    public static final String CHAIN_ID = "chain.id";
    public static final String CONTRACTS = "contracts";
    public static final String START_BLOCK = "start.block";
    public static final String CONFIRMATIONS = "confirmations";

    /** Confirmation depths of the devnet chains, used when a chain of that name sets none. */
    public static final Map<String, Integer> DEVNET_CONFIRMATIONS =
            Map.of("home", 2, "arbitrum-local", 4, "avalanche-local", 1);
    /** Confirmation depth of any other chain that sets none. */
    public static final int DEFAULT_CONFIRMATIONS = 12;

    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(CHAINS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
                    "Names of the chains to follow, one task each; every chain's options live under chain.<name>.")
            .define(ABI_SOURCE, Type.STRING, "classpath", Importance.HIGH,
                    "Where the contracts' ABI JSON comes from: 'classpath' (io/tributary/contracts/abi/<Contract>.json), "
                            + "'classpath:<prefix>', or a directory of <Contract>.json files or forge artifacts "
                            + "(<File>.sol/<Contract>.json, e.g. contracts/target/forge-out).")
            .define(POLL_INTERVAL_MS, Type.LONG, 1_000L, ConfigDef.Range.atLeast(10), Importance.MEDIUM,
                    "How long a task waits before asking for the head again when nothing new is confirmed.")
            .define(RANGE_INITIAL_BLOCKS, Type.INT, 500, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Blocks asked of the first eth_getLogs; the range then adapts to the node's limits.")
            .define(RANGE_MIN_BLOCKS, Type.INT, 1, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Smallest eth_getLogs range; a node that refuses even this fails the task.")
            .define(RANGE_MAX_BLOCKS, Type.INT, 10_000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Largest eth_getLogs range (also the most blocks written in one transaction).")
            .define(MAX_REORG_DEPTH, Type.INT, 128, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Confirmed blocks remembered per chain to compute retractions; a deeper reorg fails the task.")
            .define(RPC_TIMEOUT_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Connect, read and write timeout of one JSON-RPC call.")
            .define(RETRY_BACKOFF_INITIAL_MS, Type.LONG, 200L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "First wait after a retriable RPC failure; doubles per failure.")
            .define(RETRY_BACKOFF_MAX_MS, Type.LONG, 30_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Longest wait between retries of a chain that stays unreachable.")
            .define(TRANSACTION_BOUNDARY, Type.STRING, "poll", ConfigDef.ValidString.in("poll", "connector"),
                    Importance.LOW, "Connect's transaction boundary under exactly-once support. Every poll "
                            + "returns whole blocks (retractions first), so 'poll' and 'connector' both commit "
                            + "one transaction per batch of blocks.")
            .define(METRICS_PORT, Type.INT, MetricsComponent.CONNECTOR.defaultPort(), ConfigDef.Range.between(0, 65535),
                    Importance.LOW, "Port of the Prometheus endpoint (GET /metrics) the tasks of one Connect worker "
                            + "share, a series per chain; 0: no endpoint.")
            .define(METRICS_HOST, Type.STRING, MetricsEndpoint.DEFAULT_HOST, Importance.LOW,
                    "Address the metrics endpoint listens on (0.0.0.0 to be scraped from other hosts).")
            .define(TASK_CHAIN, Type.STRING, null, Importance.LOW,
                    "Set by the connector for each task: the chain the task follows.");

    /** Options of one chain, under chain.<name>. */
    public static final ConfigDef CHAIN_DEF = new ConfigDef()
            .define(RPC_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH, "JSON-RPC HTTP URL of the chain.")
            .define(CHAIN_ID, Type.LONG, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.atLeast(1), Importance.HIGH,
                    "Chain id; the source partition of the chain's offsets.")
            .define(CONTRACTS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
                    "Contracts to follow as Name=0xAddress pairs, e.g. TaskCoordinator=0x...,Gateway=0x...; "
                            + "the name selects the ABI.")
            .define(START_BLOCK, Type.LONG, 0L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "First block to read when no offset is stored.")
            .define(CONFIRMATIONS, Type.INT, null, Importance.HIGH,
                    "Blocks on top of a block before its logs are emitted. Default: 2, 4 and 1 for the devnet "
                            + "chains home, arbitrum-local and avalanche-local, " + DEFAULT_CONFIRMATIONS + " otherwise.");

    /** One chain's settings. {@code contracts} maps lower-case address to contract name. */
    public record ChainConfig(String name, String rpcUrl, long chainId, Map<String, String> contracts,
                              long startBlock, int confirmations) {}

    public EvmLogSourceConnectorConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
        if (getInt(RANGE_MIN_BLOCKS) > getInt(RANGE_MAX_BLOCKS)) {
            throw new ConfigException(RANGE_MIN_BLOCKS + " (" + getInt(RANGE_MIN_BLOCKS) + ") exceeds "
                    + RANGE_MAX_BLOCKS + " (" + getInt(RANGE_MAX_BLOCKS) + ")");
        }
        if (getLong(RETRY_BACKOFF_INITIAL_MS) > getLong(RETRY_BACKOFF_MAX_MS)) {
            throw new ConfigException(RETRY_BACKOFF_INITIAL_MS + " exceeds " + RETRY_BACKOFF_MAX_MS);
        }
        for (String chain : chainNames()) {
            chain(chain); // validates every chain up front
        }
    }

    public List<String> chainNames() {
        List<String> names = getList(CHAINS);
        if (names.isEmpty()) {
            throw new ConfigException(CHAINS, names, "name at least one chain");
        }
        for (String n : names) {
            if (!NAME.matcher(n).matches()) {
                throw new ConfigException(CHAINS, names, "chain name '" + n + "' may hold only letters, digits, '_', '.', '-'");
            }
        }
        if (names.stream().distinct().count() != names.size()) {
            throw new ConfigException(CHAINS, names, "chain names repeat");
        }
        return names;
    }

    /** The settings of chain {@code name}, validated; a {@link ConfigException} names the bad option. */
    public ChainConfig chain(String name) {
        String prefix = CHAIN_PREFIX + name + ".";
        Map<String, Object> raw = originalsWithPrefix(prefix);
        AbstractConfig c;
        try {
            c = new AbstractConfig(CHAIN_DEF, raw, false);
        } catch (ConfigException e) {
            throw new ConfigException("chain " + name + " (options under " + prefix + "): " + e.getMessage());
        }
        Map<String, String> contracts = new LinkedHashMap<>();
        for (String pair : c.getList(CONTRACTS)) {
            int eq = pair.indexOf('=');
            String contract = eq < 0 ? "" : pair.substring(0, eq).trim();
            String address = eq < 0 ? "" : pair.substring(eq + 1).trim();
            if (contract.isEmpty() || !ADDRESS.matcher(address).matches()) {
                throw new ConfigException(prefix + CONTRACTS, pair, "expected Name=0x<40 hex digits>");
            }
            if (contracts.put(address.toLowerCase(Locale.ROOT), contract) != null) {
                throw new ConfigException(prefix + CONTRACTS, pair, "address listed twice");
            }
        }
        if (contracts.isEmpty()) {
            throw new ConfigException(prefix + CONTRACTS, "", "list at least one contract");
        }
        Integer confirmations = c.getInt(CONFIRMATIONS);
        if (confirmations == null) {
            confirmations = DEVNET_CONFIRMATIONS.getOrDefault(name, DEFAULT_CONFIRMATIONS);
        } else if (confirmations < 0) {
            throw new ConfigException(prefix + CONFIRMATIONS, confirmations, "must be >= 0");
        }
        String url = c.getString(RPC_URL);
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new ConfigException(prefix + RPC_URL, url, "expected an http(s) URL");
        }
        return new ChainConfig(name, url, c.getLong(CHAIN_ID), Map.copyOf(contracts), c.getLong(START_BLOCK),
                confirmations);
    }

    /** The chain of a task's configuration. */
    public ChainConfig taskChain() {
        String name = getString(TASK_CHAIN);
        if (name == null) {
            throw new ConfigException(TASK_CHAIN, null, "a task needs its chain (set by the connector)");
        }
        return chain(name);
    }

    /** One task configuration per chain: the connector's options plus {@value #TASK_CHAIN}. */
    public List<Map<String, String>> taskConfigs(Map<String, String> connectorProps) {
        List<Map<String, String>> out = new ArrayList<>();
        for (String chain : chainNames()) {
            Map<String, String> task = new HashMap<>(connectorProps);
            task.put(TASK_CHAIN, chain);
            out.add(task);
        }
        return out;
    }
}
