package io.tributary.infra.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.contracts.deploy.ChainContracts;
import io.tributary.contracts.deploy.Deployment;
import io.tributary.contracts.deploy.KeyRoles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class DevnetInfoTest {

    @TempDir
    Path dir;

    /** A two-chain devnet without deployment (also used by the CLI's tests). */
    public static DevnetInfo sample() {
        List<DevnetInfo.DevKey> keys = List.of(
                new DevnetInfo.DevKey("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
                        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"));
        return new DevnetInfo(DevnetInfo.VERSION, "/tmp/x", 100,
                List.of(new DevnetInfo.Chain("home", 31337, DevnetInfo.Role.HOME, 1000, "http://127.0.0.1:8545",
                                "ws://127.0.0.1:8545", keys, 101),
                        new DevnetInfo.Chain("arbitrum-local", 412346, DevnetInfo.Role.PARTICIPANT, 250,
                                "http://127.0.0.1:8546", "ws://127.0.0.1:8546", keys, 102)),
                new DevnetInfo.Kafka("127.0.0.1:9092", List.of("chain.events", "deadletter"), 3, 100),
                new DevnetInfo.Postgres("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "postgres", 103),
                List.of(100L, 101L, 102L, 103L));
    }

    @Test
    void shouldReadBackExactlyWhatItWrote() throws IOException {
        Path file = DevnetInfo.file(dir);
        DevnetInfo info = sample();

        info.write(file);

        assertThat(DevnetInfo.read(file)).isEqualTo(info);
        assertThat(Files.exists(file.resolveSibling("devnet.json.tmp"))).isFalse();
    }

    @Test
    void shouldWriteRolesAndFieldsUnderStableNames() throws IOException {
        Path file = DevnetInfo.file(dir);
        sample().write(file);

        JsonNode json = new ObjectMapper().readTree(file.toFile());

        assertThat(json.get("version").asInt()).isEqualTo(1);
        assertThat(json.at("/chains/0/role").asText()).isEqualTo("home");
        assertThat(json.at("/chains/1/role").asText()).isEqualTo("participant");
        assertThat(json.at("/chains/0/devKeys/0/privateKey").asText()).startsWith("0xac09");
        assertThat(json.at("/kafka/bootstrapServers").asText()).isEqualTo("127.0.0.1:9092");
        assertThat(json.at("/postgres/jdbcUrl").asText()).startsWith("jdbc:postgresql://");
        assertThat(json.get("pids")).hasSize(4);
    }

    @Test
    void shouldCarryEachChainsContractsAndTheKeyRolesOnceDeployed() throws IOException {
        Path file = DevnetInfo.file(dir);
        List<ChainContracts.Guardian> guardians = List.of(new ChainContracts.Guardian("0x90f7", 3),
                new ChainContracts.Guardian("0x15d3", 4), new ChainContracts.Guardian("0x9965", 5));
        Deployment deployment = new Deployment(Deployment.VERSION, "home", KeyRoles.defaults(), List.of(
                new ChainContracts("home", 31337, true, "0xa1", "home", guardians, 2, "0xa2", "0xa3", "0xa4",
                        "0xa6", "0xa5", null, java.util.Map.of("TaskCoordinator", "0xt4")),
                new ChainContracts("arbitrum-local", 412346, false, "0xb1", "arbitrum-local", guardians, 2, null, null,
                        null, null, "0xb2", "0xb3", java.util.Map.of("RewardVault", "0xt5"))));
        DevnetInfo info = sample().withDeployment(deployment, dir.resolve("deployment"));

        info.write(file);
        DevnetInfo read = DevnetInfo.read(file);
        JsonNode json = new ObjectMapper().readTree(file.toFile());

        assertThat(read).isEqualTo(info);
        assertThat(read.deployedSuite()).isEqualTo(deployment);
        assertThat(json.at("/chains/0/contracts/taskCoordinator").asText()).isEqualTo("0xa4");
        assertThat(json.at("/chains/0/contracts/taskIntake").asText()).isEqualTo("0xa6");
        assertThat(json.at("/chains/1/contracts/rewardVault").asText()).isEqualTo("0xb3");
        assertThat(json.at("/chains/1/contracts/taskCoordinator").isMissingNode()).isTrue();
        assertThat(json.at("/chains/1/contracts/guardians/2/devKeyIndex").asInt()).isEqualTo(5);
        assertThat(json.at("/deployment/roles/aggregator").asInt()).isEqualTo(1);
        assertThat(json.at("/deployment/roles/guardians")).hasSize(3);
    }

    @Test
    void shouldReadBackTheIngestSectionUnderStableNames() throws IOException {
        Path file = DevnetInfo.file(dir);
        DevnetInfo info = sample().withIngest(new DevnetInfo.Ingest("http://127.0.0.1:8083", "evm-logs", "/d/relayer"));

        info.write(file);
        JsonNode json = new ObjectMapper().readTree(file.toFile());

        assertThat(DevnetInfo.read(file)).isEqualTo(info);
        assertThat(json.at("/ingest/connectRestUrl").asText()).isEqualTo("http://127.0.0.1:8083");
        assertThat(json.at("/ingest/connectorName").asText()).isEqualTo("evm-logs");
        assertThat(json.at("/ingest/relayerStateDir").asText()).isEqualTo("/d/relayer");
        assertThat(sample().ingest()).isNull();
    }

    @Test
    void shouldReadBackTheIntakeSectionUnderStableNamesAndKeepItThroughLaterSections() throws IOException {
        Path file = DevnetInfo.file(dir);
        DevnetInfo info = sample().withIntake(new DevnetInfo.Intake("tributary-intake", 0, "/d/intake"))
                .withIngest(new DevnetInfo.Ingest("http://127.0.0.1:8083", "evm-logs", "/d/relayer"));

        info.write(file);
        JsonNode json = new ObjectMapper().readTree(file.toFile());

        assertThat(DevnetInfo.read(file)).isEqualTo(info);
        assertThat(json.at("/intake/groupId").asText()).isEqualTo("tributary-intake");
        assertThat(json.at("/intake/submitterKeyIndex").asInt()).isZero();
        assertThat(json.at("/intake/stateDir").asText()).isEqualTo("/d/intake");
        assertThat(sample().intake()).isNull();
    }

    @Test
    void shouldSaySoWhenNothingIsDeployed() {
        assertThatThrownBy(() -> sample().deployedSuite()).hasMessageContaining("no deployed contracts");
    }

    @Test
    void shouldIgnoreFieldsAddedByLaterParts() throws IOException {
        Path file = DevnetInfo.file(dir);
        ObjectMapper mapper = new ObjectMapper();
        sample().write(file);
        ObjectNode json = (ObjectNode) mapper.readTree(file.toFile());
        json.putObject("contracts").put("TaskCoordinator", "0x5FbDB2315678afecb367f032d93F642f64180aa3");
        ((ObjectNode) json.at("/chains/0")).put("gateway", "0x1234");
        mapper.writeValue(file.toFile(), json);

        assertThat(DevnetInfo.read(file)).isEqualTo(sample());
    }

    @Test
    void shouldRefuseAFileOfANewerVersion() throws IOException {
        Path file = DevnetInfo.file(dir);
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode json = mapper.valueToTree(sample());
        json.put("version", DevnetInfo.VERSION + 1);
        mapper.writeValue(file.toFile(), json);

        assertThatThrownBy(() -> DevnetInfo.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("version " + (DevnetInfo.VERSION + 1));
    }

    @Test
    void shouldFindChainsByNameAndTheHomeChainByRole() {
        DevnetInfo info = sample();

        assertThat(info.chain("arbitrum-local").chainId()).isEqualTo(412346);
        assertThat(info.home().name()).isEqualTo("home");
        assertThatThrownBy(() -> info.chain("nope")).hasMessageContaining("no chain named nope");
    }
}
