package io.tributary.ingest.source;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * Kafka Connect source of the project's contract logs, one task per chain (see
 * {@link EvmLogSourceConnectorConfig}). Records are bytes already serialized with the topic
 * registry's serdes: run it with {@code key.converter} and {@code value.converter} set to
 * {@code org.apache.kafka.connect.converters.ByteArrayConverter}.
 *
 * <p>Exactly-once: a task's output is a pure function of the chain and its stored offset (the
 * last block written in full), so a transaction per poll (whole blocks) makes it exactly-once.
 */
public final class EvmLogSourceConnector extends SourceConnector {

    public static final String VERSION = "0.1.0";

    private Map<String, String> props;
    private EvmLogSourceConnectorConfig config;

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        try {
            this.config = new EvmLogSourceConnectorConfig(props);
        } catch (ConfigException e) {
            throw new ConnectException("bad configuration: " + e.getMessage(), e);
        }
        this.props = new HashMap<>(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return EvmLogSourceTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        int chains = config.chainNames().size();
        if (maxTasks < chains) {
            throw new ConnectException("one task per chain: tasks.max is " + maxTasks + " but " + chains
                    + " chains are configured " + config.chainNames());
        }
        return config.taskConfigs(props);
    }

    @Override
    public void stop() {}

    @Override
    public ConfigDef config() {
        return EvmLogSourceConnectorConfig.CONFIG_DEF;
    }

    /** The converter the records need: they are bytes already serialized by the topic registry. */
    public static final String BYTE_ARRAY_CONVERTER = "org.apache.kafka.connect.converters.ByteArrayConverter";

    /**
     * Also validates every chain's options, which live outside the static ConfigDef, and that the
     * connector sets both converters to {@value #BYTE_ARRAY_CONVERTER} (any other converter would
     * wrap the Avro bytes, e.g. as base64 JSON strings, and consumers could not read them).
     */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        List<ConfigValue> values = new ArrayList<>(super.validate(connectorConfigs).configValues());
        ConfigValue chains = values.stream()
                .filter(v -> v.name().equals(EvmLogSourceConnectorConfig.CHAINS)).findFirst().orElseThrow();
        for (String converter : List.of("key.converter", "value.converter")) {
            if (!BYTE_ARRAY_CONVERTER.equals(connectorConfigs.get(converter))) {
                values.add(new ConfigValue(converter, connectorConfigs.get(converter), new ArrayList<>(),
                        new ArrayList<>(List.of(converter + " must be " + BYTE_ARRAY_CONVERTER
                                + ": records are serialized with the topic registry's serdes"))));
            }
        }
        if (chains.errorMessages().isEmpty()) {
            try {
                new EvmLogSourceConnectorConfig(connectorConfigs);
            } catch (ConfigException e) {
                chains.addErrorMessage(e.getMessage());
            }
        }
        return new Config(values);
    }

    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.SUPPORTED;
    }

    @Override
    public ConnectorTransactionBoundaries canDefineTransactionBoundaries(Map<String, String> connectorConfig) {
        return ConnectorTransactionBoundaries.SUPPORTED;
    }
}
