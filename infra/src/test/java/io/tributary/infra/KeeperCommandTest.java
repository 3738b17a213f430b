package io.tributary.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.contracts.deploy.ChainContracts;
import io.tributary.contracts.deploy.Deployment;
import io.tributary.contracts.deploy.DevKeys;
import io.tributary.contracts.deploy.KeyRoles;
import io.tributary.infra.devnet.DevnetInfo;
import io.tributary.infra.devnet.DevnetInfoTest;
import io.tributary.ingest.keeper.KeeperConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

class KeeperCommandTest {

    private static final String COORDINATOR = "0x" + "c0".repeat(20);

    /** The CLI sample devnet with 12 anvil dev keys per chain and a deployment on home. */
    private static DevnetInfo deployedDevnet() {
        List<DevnetInfo.DevKey> keys = DevKeys.anvil(12).stream()
                .map(c -> new DevnetInfo.DevKey(c.getAddress(),
                        Numeric.toHexStringWithPrefixZeroPadded(c.getEcKeyPair().getPrivateKey(), 64)))
                .toList();
        DevnetInfo sample = DevnetInfoTest.sample();
        List<DevnetInfo.Chain> chains = sample.chains().stream()
                .map(c -> new DevnetInfo.Chain(c.name(), c.chainId(), c.role(), c.blockTimeMillis(), c.rpcUrl(), c.wsUrl(),
                        keys, c.pid()))
                .toList();
        List<ChainContracts.Guardian> guardians = List.of(new ChainContracts.Guardian("0x90f7", 3));
        Deployment deployment = new Deployment(Deployment.VERSION, "home", KeyRoles.defaults(), List.of(
                new ChainContracts("home", 31337, true, "0xa1", "home", guardians, 1, "0xa2", "0xa3", COORDINATOR,
                        "0xa6", "0xa5", null, Map.of()),
                new ChainContracts("arbitrum-local", 412346, false, "0xb1", "arbitrum-local", guardians, 1, null, null,
                        null, null, "0xb2", "0xb3", Map.of())));
        return new DevnetInfo(sample.version(), sample.dir(), sample.supervisorPid(), chains, sample.kafka(),
                sample.postgres(), sample.pids()).withDeployment(deployment, Path.of("/d/deployment"));
    }

    @Test
    void shouldUseTheOperatorKeyTheHomeChainAndItsCoordinatorWhenTheDevnetIsDeployed() {
        KeeperConfig config = KeeperCommand.config(deployedDevnet(), Path.of("/d/keeper"));

        Credentials operator = Credentials.create(config.operatorKey());
        assertThat(operator.getAddress()).isEqualTo(DevKeys.anvil(12).get(KeyRoles.defaults().operator()).getAddress());
        assertThat(config.rpcUrl()).isEqualTo("http://127.0.0.1:8545");
        assertThat(config.chainId()).isEqualTo(31337);
        assertThat(config.coordinator()).isEqualTo(COORDINATOR);
        assertThat(config.kafkaBootstrap()).isEqualTo("127.0.0.1:9092");
        assertThat(config.stateDir()).isEqualTo(Path.of("/d/keeper"));
    }

    @Test
    void shouldRefuseADevnetWithoutContracts() {
        assertThatThrownBy(() -> KeeperCommand.config(DevnetInfoTest.sample(), Path.of("/d/keeper")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no deployed contracts");
    }
}
