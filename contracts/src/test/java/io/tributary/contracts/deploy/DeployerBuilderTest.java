package io.tributary.contracts.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

class DeployerBuilderTest {

    private static final List<Credentials> KEYS = DevKeys.anvil(12);
    private static final Web3j UNUSED = Web3j.build(new HttpService("http://127.0.0.1:9"));

    @Test
    void shouldDeriveAnvilsWellKnownDevAccounts() {
        assertThat(KEYS.get(0).getAddress()).isEqualToIgnoringCase("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assertThat(KEYS.get(9).getAddress()).isEqualToIgnoringCase("0xa0Ee7A142d267C1f36714E4a8F75612F20a79720");
    }

    @Test
    void shouldAssignTenDistinctKeysByDefault() {
        KeyRoles roles = KeyRoles.defaults();

        assertThat(roles.keysNeeded()).isEqualTo(12);
        assertThat(roles.guardians()).containsExactly(3, 4, 5);
        assertThat(roles.workers()).containsExactly(7, 8, 9);
    }

    @Test
    void shouldRefuseAKeyWithTwoRoles() {
        assertThatThrownBy(() -> new KeyRoles(0, 1, 2, List.of(3, 1), 6, List.of(7), 10, 11))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key index 1 has two roles");
    }

    @Test
    void shouldRefuseNonsenseConfigurationSayingEverythingThatIsWrong() {
        assertThatThrownBy(() -> Deployer.builder().devKeys(KEYS.subList(0, 4)).threshold(4).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exactly one home chain is needed, got 0")
                .hasMessageContaining("the roles need 12 dev keys, got 4")
                .hasMessageContaining("stateDir is required")
                .hasMessageContaining("threshold must be in 1..3");
    }

    @Test
    void shouldRefuseDuplicateChainsAndABondBelowTheLeast() {
        assertThatThrownBy(() -> Deployer.builder().devKeys(KEYS).stateDir(Path.of("target/unused"))
                        .home("home", 31337, UNUSED).participant("home", 31337, UNUSED)
                        .aggregatorBond(BigInteger.TEN, BigInteger.ONE, 0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chain name home appears twice")
                .hasMessageContaining("chain id 31337 appears twice")
                .hasMessageContaining("bond 1 is below the least bond 10");
    }

    @Test
    void shouldBuildWithTheDevnetsDefaults() {
        Deployer deployer = Deployer.builder().devKeys(KEYS).stateDir(Path.of("target/unused"))
                .home("home", 31337, UNUSED).participant("arbitrum-local", 412346, UNUSED).build();

        assertThat(deployer.sentInLastRun()).isZero();
    }
}
