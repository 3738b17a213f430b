package io.tributary.ingest.relayer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RelayerConfigTest {

    private static final String K1 = "0x" + "0".repeat(63) + "1";
    private static final String K2 = "0x" + "0".repeat(63) + "2";
    private static final String K3 = "0x" + "0".repeat(63) + "3";
    private static final String GW = "0x" + "aa".repeat(20);

    private static RelayerConfig.Builder valid() {
        return RelayerConfig.builder()
                .chain("home", 31337, "http://127.0.0.1:8545", GW)
                .chain("arbitrum-local", 412346, "http://127.0.0.1:8546", "0x" + "BB".repeat(20))
                .guardianKey(K1).guardianKey(K2).guardianKey(K3)
                .threshold(2)
                .submitterKey(K3)
                .kafkaBootstrap("127.0.0.1:9092")
                .stateDir(Path.of("target/relayer"));
    }

    @Test
    void shouldBuildWhenEverythingIsSensible() {
        RelayerConfig config = valid().build();

        assertThat(config.chain("arbitrum-local")).get().extracting(RelayerConfig.Chain::gateway)
                .isEqualTo("0x" + "bb".repeat(20));
        assertThat(config.chain(31337)).get().extracting(RelayerConfig.Chain::name).isEqualTo("home");
        assertThat(config.guardian(1).getAddress()).isEqualTo("0x7e5f4552091a69125d5dfcb7b8c2659029395bdf");
        assertThat(config.toBuilder().threshold(3).build().threshold()).isEqualTo(3);
    }

    @Test
    void shouldListEveryProblemWhenBuildingNonsense() {
        RelayerConfig.Builder nonsense = RelayerConfig.builder()
                .chain("home", 31337, "ftp://x", "0x12")
                .chain("home", 31337, "http://x", GW)
                .guardianKey(K1).guardianKey(K1).guardianKey("0x00")
                .threshold(4)
                .submitterKey("not a key")
                .executionBackoff(Duration.ofSeconds(5), Duration.ofSeconds(1));

        assertThatThrownBy(nonsense::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs an http(s) RPC URL")
                .hasMessageContaining("gateway is not an address")
                .hasMessageContaining("chain name 'home' appears twice")
                .hasMessageContaining("chain id 31337 appears twice")
                .hasMessageContaining("guardian key 2 repeats another guardian's key")
                .hasMessageContaining("guardian key 3 is not a 32-byte private key")
                .hasMessageContaining("threshold 4 is above the 3 guardians")
                .hasMessageContaining("the submitter key is not a 32-byte private key")
                .hasMessageContaining("needs a stateDir")
                .hasMessageContaining("kafkaBootstrap (host:port) is required")
                .hasMessageContaining("execution backoff");
    }

    @Test
    void shouldRefuseAProcessWithNothingToDo() {
        assertThatCode(() -> valid().submitterKey(null).build()).doesNotThrowAnyException();
        assertThatThrownBy(() -> RelayerConfig.builder().chain("home", 1, "http://x", GW).threshold(1)
                .kafkaBootstrap("k:1").build()).hasMessageContaining("this process would do nothing");
        assertThatThrownBy(() -> valid().build().guardian(4)).hasMessageContaining("guardians are 1..3");
    }

    @Test
    void shouldReadRelayerSectionAndGatewaysFromADevnetFile() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "relayer-config-test", Long.toString(System.nanoTime())));
        Path file = dir.resolve("devnet.json");
        Files.writeString(file, """
                {"version": 1, "kafka": {"bootstrapServers": "127.0.0.1:19092"},
                 "chains": [
                   {"name": "home", "chainId": 31337, "rpcUrl": "http://127.0.0.1:1", "contracts": {"gateway": "%s", "threshold": 2}},
                   {"name": "arbitrum-local", "chainId": 412346, "rpcUrl": "http://127.0.0.1:2", "gateway": "%s"},
                   {"name": "avalanche-local", "chainId": 43112, "rpcUrl": "http://127.0.0.1:3"}],
                 "relayer": {"guardianKeys": ["%s", "%s", "%s"], "threshold": 2, "submitterKey": "%s", "stateDir": "rl"}}
                """.formatted(GW, GW.replace('a', 'c'), K1, K2, K3, K3));

        RelayerConfig config = RelayerConfig.read(file);

        assertThat(config.chains()).extracting(RelayerConfig.Chain::name).containsExactly("home", "arbitrum-local");
        assertThat(config.kafkaBootstrap()).isEqualTo("127.0.0.1:19092");
        assertThat(config.guardianKeys()).hasSize(3);
        assertThat(config.threshold()).isEqualTo(2);
        assertThat(config.stateDir()).isEqualTo(dir.toAbsolutePath().resolve("rl"));
    }

    @Test
    void shouldTakeTheDevKeysOfTheirRolesWhenTheFileHasNoRelayerSection() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "relayer-config-test", Long.toString(System.nanoTime())));
        Path file = dir.resolve("devnet.json");
        Files.writeString(file, """
                {"kafka": {"bootstrapServers": "127.0.0.1:19092"},
                 "chains": [{"name": "home", "chainId": 31337, "rpcUrl": "http://127.0.0.1:1",
                             "contracts": {"gateway": "%s", "threshold": 3}, "devKeys": [%s]}]}
                """.formatted(GW, devKeys(12)));

        RelayerConfig config = RelayerConfig.read(file);

        // KeyRoles.defaults(): guardians are dev keys 3, 4, 5 and the relayer (submitter) is dev key 2.
        assertThat(config.guardianKeys()).containsExactly(devKey(3), devKey(4), devKey(5));
        assertThat(config.submitterKey()).contains(devKey(2));
        assertThat(config.threshold()).as("the deployed gateways' threshold").isEqualTo(3);
    }

    @Test
    void shouldFollowTheDeploymentsKeyRoles() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "relayer-config-test", Long.toString(System.nanoTime())));
        Path file = dir.resolve("devnet.json");
        Files.writeString(file, """
                {"kafka": {"bootstrapServers": "127.0.0.1:19092"},
                 "chains": [{"name": "home", "chainId": 31337, "rpcUrl": "http://127.0.0.1:1",
                             "contracts": {"gateway": "%s", "threshold": 2}, "devKeys": [%s]}],
                 "deployment": {"roles": {"deployer": 0, "aggregator": 1, "relayer": 6, "guardians": [2, 3, 4],
                                          "client": 5, "workers": [7], "intake": 8, "operator": 9}}}
                """.formatted(GW, devKeys(10)));

        RelayerConfig config = RelayerConfig.read(file);

        assertThat(config.guardianKeys()).containsExactly(devKey(2), devKey(3), devKey(4));
        assertThat(config.submitterKey()).contains(devKey(6));
        assertThat(config.threshold()).isEqualTo(2);
    }

    @Test
    void shouldRefuseADevnetFileWithTooFewDevKeysForTheRoles() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "relayer-config-test", Long.toString(System.nanoTime())));
        Path file = dir.resolve("devnet.json");
        Files.writeString(file, """
                {"kafka": {"bootstrapServers": "127.0.0.1:19092"},
                 "chains": [{"name": "home", "chainId": 31337, "rpcUrl": "http://127.0.0.1:1", "gateway": "%s",
                             "devKeys": [%s]}]}
                """.formatted(GW, devKeys(6)));

        assertThatThrownBy(() -> RelayerConfig.read(file)).hasMessageContaining("6 dev keys")
                .hasMessageContaining("the 12 its key roles need");
    }

    private static String devKey(int index) {
        return "0x" + String.format("%064x", index + 1);
    }

    private static String devKeys(int n) {
        StringBuilder keys = new StringBuilder();
        for (int i = 0; i < n; i++) {
            keys.append(i > 0 ? "," : "").append("{\"address\": \"x\", \"privateKey\": \"")
                    .append(devKey(i)).append("\"}");
        }
        return keys.toString();
    }

    @Test
    void shouldSayWhichFileIsWrong() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "relayer-config-test", Long.toString(System.nanoTime())));
        Path file = dir.resolve("devnet.json");
        Files.writeString(file, """
                {"chains": [{"name": "home", "chainId": 31337, "rpcUrl": "http://127.0.0.1:1", "gateway": "%s"}],
                 "relayer": {"guardianKeys": ["%s"], "threshold": 2}}
                """.formatted(GW, K1));

        assertThatThrownBy(() -> RelayerConfig.read(file))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("threshold 2 is above the 1 guardians")
                .hasMessageContaining("kafkaBootstrap");
    }
}
