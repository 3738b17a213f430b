package io.tributary.ingest.source;

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

    /** Also validates every chain's options, which live outside the static ConfigDef. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config result = super.validate(connectorConfigs);
        boolean clean = result.configValues().stream().allMatch(v -> v.errorMessages().isEmpty());
        if (clean) {
            try {
                new EvmLogSourceConnectorConfig(connectorConfigs);
            } catch (ConfigException e) {
                for (ConfigValue v : result.configValues()) {
                    if (v.name().equals(EvmLogSourceConnectorConfig.CHAINS)) {
                        v.addErrorMessage(e.getMessage());
                    }
                }
            }
        }
        return result;
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
