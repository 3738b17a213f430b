package io.tributary.infra.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.contracts.deploy.ChainContracts;
import io.tributary.ingest.source.EvmLogSourceConnectorConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DevnetIngestTest {

    private static final String A = "0x" + "a".repeat(40);
    private static final String B = "0x" + "b".repeat(40);
    private static final String C = "0x" + "c".repeat(40);
    private static final String D = "0x" + "d".repeat(40);

    static DevnetInfo.Chain chain(String name, long chainId, ChainContracts contracts) {
        return new DevnetInfo.Chain(name, chainId, contracts.home() ? DevnetInfo.Role.HOME : DevnetInfo.Role.PARTICIPANT,
                1000, "http://127.0.0.1:" + (8000 + chainId % 1000), "ws://x", List.of(), 1, contracts);
    }

    @Test
    void shouldFollowEveryChainWithEachOfItsContractsByNameFromBlockZeroWithDevnetConfirmations() {
        List<ChainContracts.Guardian> guardians = List.of();
        DevnetInfo.Chain home = chain("home", 31337, new ChainContracts("home", 31337, true, A, "home", guardians, 2,
                B, C, D, A.replace('a', 'f'), A.replace('a', 'e'), null, Map.of()));
        DevnetInfo.Chain arb = chain("arbitrum-local", 412346, new ChainContracts("arbitrum-local", 412346, false, A,
                "arbitrum-local", guardians, 2, null, null, null, null, B, C, Map.of()));

        Map<String, String> config = DevnetIngest.connectorConfig(List.of(home, arb), 19401);

        assertThat(config).containsEntry("tasks.max", "2").containsEntry("exactly.once.support", "required")
                .containsEntry("producer.override.batch.size", "1048576")
                .containsEntry("chains", "home,arbitrum-local")
                .containsEntry("chain.home.rpc.url", home.rpcUrl())
                .containsEntry("chain.home.chain.id", "31337")
                .containsEntry("chain.home.start.block", "0")
                .containsEntry("metrics.host", "127.0.0.1").containsEntry("metrics.port", "19401")
                .containsEntry("chain.arbitrum-local.contracts", "Gateway=" + A + ",RewardVault=" + C + ",WorkerHub=" + B)
                .doesNotContainKey("chain.home.confirmations");
        assertThat(config.get("chain.home.contracts").split(",")).containsExactlyInAnyOrder("Gateway=" + A,
                "TrainingToken=" + B, "ModelRegistry=" + C, "TaskCoordinator=" + D, "TaskIntake=" + A.replace('a', 'f'),
                "WorkerHub=" + A.replace('a', 'e'));
        EvmLogSourceConnectorConfig parsed = new EvmLogSourceConnectorConfig(config);
        assertThat(parsed.chain("home").confirmations()).isEqualTo(2);
        assertThat(parsed.chain("arbitrum-local").confirmations()).isEqualTo(4);
        assertThat(parsed.chain("arbitrum-local").contracts()).containsEntry(C, "RewardVault");
    }

    @Test
    void shouldRefuseAChainWithoutDeployedContracts() {
        DevnetInfo.Chain bare = new DevnetInfo.Chain("home", 31337, DevnetInfo.Role.HOME, 1000, "http://127.0.0.1:1",
                "ws://x", List.of(), 1);

        assertThatThrownBy(() -> DevnetIngest.connectorConfig(List.of(bare), 19401))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("home has no deployed contracts");
    }
}
