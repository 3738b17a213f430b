package io.tributary.ingest.keeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeeperConfigTest {

    @Test
    void shouldNameEveryMissingSettingWhenBuildingAnEmptyConfig() {
        assertThatThrownBy(() -> KeeperConfig.builder().tickInterval(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafkaBootstrap is required")
                .hasMessageContaining("homeChain(rpcUrl, chainId, coordinator) is required")
                .hasMessageContaining("coordinator must be a 0x address")
                .hasMessageContaining("operatorKey must be a 32-byte hex private key")
                .hasMessageContaining("stateDir is required")
                .hasMessageContaining("tickInterval must be positive");
    }

    @Test
    void shouldLowerCaseTheCoordinatorAndKeepTheKeyOutOfToStringWhenValid() {
        String key = "ac".repeat(32);
        KeeperConfig c = KeeperConfig.builder().kafkaBootstrap("127.0.0.1:9092")
                .homeChain("http://127.0.0.1:8545", 31337, "0x" + "AB".repeat(20))
                .operatorKey(key).stateDir(Path.of("target/keeper")).build();
        assertThat(c.coordinator()).isEqualTo("0x" + "ab".repeat(20));
        assertThat(c.tickInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.toString()).doesNotContain(key);
    }
}
