package io.tributary.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.junit.jupiter.api.Test;

class EvmLogSourceConnectorConfigTest {

    private static final String A1 = "0x" + "1".repeat(40);
    private static final String A2 = "0x" + "A".repeat(40);

    private static Map<String, String> twoChains() {
        Map<String, String> p = new HashMap<>();
        p.put("key.converter", EvmLogSourceConnector.BYTE_ARRAY_CONVERTER);
        p.put("value.converter", EvmLogSourceConnector.BYTE_ARRAY_CONVERTER);
        p.put("chains", "home,avalanche-local");
        p.put("chain.home.rpc.url", "http://127.0.0.1:8545");
        p.put("chain.home.chain.id", "31337");
        p.put("chain.home.contracts", "TaskCoordinator=" + A1 + ", Gateway=" + A2);
        p.put("chain.avalanche-local.rpc.url", "http://127.0.0.1:8547");
        p.put("chain.avalanche-local.chain.id", "43112");
        p.put("chain.avalanche-local.contracts", "Gateway=" + A1);
        p.put("chain.avalanche-local.start.block", "5");
        return p;
    }

    @Test
    void shouldReadEveryChainWithDevnetConfirmationDefaults() {
        EvmLogSourceConnectorConfig c = new EvmLogSourceConnectorConfig(twoChains());
        EvmLogSourceConnectorConfig.ChainConfig home = c.chain("home");
        assertThat(home.chainId()).isEqualTo(31337);
        assertThat(home.confirmations()).isEqualTo(2);
        assertThat(home.contracts()).containsEntry(A1, "TaskCoordinator").containsEntry(A2.toLowerCase(), "Gateway");
        EvmLogSourceConnectorConfig.ChainConfig avalanche = c.chain("avalanche-local");
        assertThat(avalanche.confirmations()).isEqualTo(1);
        assertThat(avalanche.startBlock()).isEqualTo(5);
    }

    @Test
    void shouldUseExplicitConfirmationsAndSafeDefaultForUnknownChains() {
        Map<String, String> p = twoChains();
        p.put("chain.home.confirmations", "0");
        p.put("chains", "home,mainnet");
        p.put("chain.mainnet.rpc.url", "https://rpc.example");
        p.put("chain.mainnet.chain.id", "1");
        p.put("chain.mainnet.contracts", "Gateway=" + A1);
        EvmLogSourceConnectorConfig c = new EvmLogSourceConnectorConfig(p);
        assertThat(c.chain("home").confirmations()).isZero();
        assertThat(c.chain("mainnet").confirmations()).isEqualTo(EvmLogSourceConnectorConfig.DEFAULT_CONFIRMATIONS);
    }

    @Test
    void shouldGiveEachTaskItsChain() {
        EvmLogSourceConnector connector = new EvmLogSourceConnector();
        connector.start(twoChains());
        List<Map<String, String>> tasks = connector.taskConfigs(3);
        assertThat(tasks).hasSize(2);
        assertThat(tasks).extracting(t -> new EvmLogSourceConnectorConfig(t).taskChain().name())
                .containsExactly("home", "avalanche-local");
        assertThatThrownBy(() -> connector.taskConfigs(1)).isInstanceOf(ConnectException.class)
                .hasMessageContaining("tasks.max");
    }

    @Test
    void shouldSayWhichOptionIsWrong() {
        Map<String, String> p = twoChains();
        p.put("chain.home.contracts", "TaskCoordinator=0x1234");
        assertThatThrownBy(() -> new EvmLogSourceConnectorConfig(p)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("chain.home.contracts");
        Map<String, String> q = twoChains();
        q.remove("chain.avalanche-local.rpc.url");
        assertThatThrownBy(() -> new EvmLogSourceConnectorConfig(q)).hasMessageContaining("avalanche-local")
                .hasMessageContaining("rpc.url");
        Map<String, String> r = twoChains();
        r.put("range.min.blocks", "100");
        r.put("range.max.blocks", "10");
        assertThatThrownBy(() -> new EvmLogSourceConnectorConfig(r)).hasMessageContaining("range.min.blocks");
    }

    @Test
    void shouldPassValidationWhenEverythingIsRight() {
        assertThat(new EvmLogSourceConnector().validate(twoChains()).configValues())
                .allSatisfy(v -> assertThat(v.errorMessages()).as(v.name()).isEmpty());
    }

    @Test
    void shouldRequireByteArrayConverters() {
        Map<String, String> p = twoChains();
        p.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        p.remove("key.converter");
        assertThat(new EvmLogSourceConnector().validate(p).configValues())
                .filteredOn(v -> !v.errorMessages().isEmpty())
                .extracting(org.apache.kafka.common.config.ConfigValue::name)
                .containsExactlyInAnyOrder("key.converter", "value.converter");
    }

    @Test
    void shouldReportPerChainErrorsThroughValidate() {
        Map<String, String> p = twoChains();
        p.put("chain.home.chain.id", "zero");
        EvmLogSourceConnector connector = new EvmLogSourceConnector();
        assertThat(connector.validate(p).configValues())
                .filteredOn(v -> v.name().equals("chains"))
                .singleElement().satisfies(v -> assertThat(v.errorMessages()).isNotEmpty());
    }

    @Test
    void shouldDeclareExactlyOnceAndTransactionBoundarySupport() {
        EvmLogSourceConnector connector = new EvmLogSourceConnector();
        assertThat(connector.exactlyOnceSupport(twoChains())).isEqualTo(ExactlyOnceSupport.SUPPORTED);
        assertThat(connector.canDefineTransactionBoundaries(twoChains()))
                .isEqualTo(ConnectorTransactionBoundaries.SUPPORTED);
    }

    @Test
    void shouldServeMetricsOnTheConnectorsDefaultPortUnlessToldOtherwise() {
        EvmLogSourceConnectorConfig defaults = new EvmLogSourceConnectorConfig(twoChains());
        assertThat(defaults.getInt(EvmLogSourceConnectorConfig.METRICS_PORT))
                .isEqualTo(io.tributary.schemas.metrics.MetricsComponent.CONNECTOR.defaultPort());
        assertThat(defaults.getString(EvmLogSourceConnectorConfig.METRICS_HOST)).isEqualTo("127.0.0.1");

        Map<String, String> off = twoChains();
        off.put(EvmLogSourceConnectorConfig.METRICS_PORT, "0");
        assertThat(new EvmLogSourceConnectorConfig(off).getInt(EvmLogSourceConnectorConfig.METRICS_PORT)).isZero();

        Map<String, String> bad = twoChains();
        bad.put(EvmLogSourceConnectorConfig.METRICS_PORT, "70000");
        assertThatThrownBy(() -> new EvmLogSourceConnectorConfig(bad)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("metrics.port");
    }
}
