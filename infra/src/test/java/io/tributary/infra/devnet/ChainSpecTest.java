package io.tributary.infra.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainSpecTest {

    @Test
    void shouldGiveAnvilFractionalSecondsWhenBlockTimeIsBelowOneSecond() {
        assertThat(spec(Duration.ofMillis(250)).anvilBlockTime()).isEqualTo("0.25");
        assertThat(spec(Duration.ofMillis(1500)).anvilBlockTime()).isEqualTo("1.5");
        assertThat(spec(Duration.ofSeconds(2)).anvilBlockTime()).isEqualTo("2");
    }

    @Test
    void shouldDefineOneHomeAndTwoParticipantChainsByDefault() {
        List<ChainSpec> chains = ChainSpec.defaults();

        assertThat(chains).extracting(ChainSpec::name).containsExactly("home", "arbitrum-local", "avalanche-local");
        assertThat(chains).extracting(ChainSpec::chainId).containsExactly(31337L, 412346L, 43112L);
        assertThat(chains).extracting(ChainSpec::role).containsExactly(
                DevnetInfo.Role.HOME, DevnetInfo.Role.PARTICIPANT, DevnetInfo.Role.PARTICIPANT);
    }

    @Test
    void shouldRefuseADevnetWithTwoHomeChainsOrDuplicateIds() {
        ChainSpec home = new ChainSpec("home", 1, DevnetInfo.Role.HOME, Duration.ofSeconds(1));
        ChainSpec otherHome = new ChainSpec("home2", 2, DevnetInfo.Role.HOME, Duration.ofSeconds(1));
        ChainSpec sameId = new ChainSpec("p", 1, DevnetInfo.Role.PARTICIPANT, Duration.ofSeconds(1));

        assertThatThrownBy(() -> config(List.of(home, otherHome))).hasMessageContaining("exactly one home chain");
        assertThatThrownBy(() -> config(List.of(home, sameId))).hasMessageContaining("unique");
    }

    @Test
    void shouldRefuseNonsenseChainSpecs() {
        assertThatThrownBy(() -> new ChainSpec("x", 0, DevnetInfo.Role.HOME, Duration.ofSeconds(1)))
                .hasMessageContaining("chain id must be positive");
        assertThatThrownBy(() -> new ChainSpec("x", 5, DevnetInfo.Role.HOME, Duration.ZERO))
                .hasMessageContaining("block time");
    }

    private static ChainSpec spec(Duration blockTime) {
        return new ChainSpec("c", 1, DevnetInfo.Role.HOME, blockTime);
    }

    private static DevnetConfig config(List<ChainSpec> chains) {
        return new DevnetConfig(Path.of("target/x"), Path.of("anvil"), Path.of(".cache"), chains, List.of("t"), 1);
    }
}
