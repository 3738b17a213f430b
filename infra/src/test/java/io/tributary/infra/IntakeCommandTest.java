package io.tributary.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.ingest.intake.IntakeConfig;
import io.tributary.schemas.metrics.MetricsComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class IntakeCommandTest {

    private static final String KEY_A = "0x" + "a1".repeat(32);
    private static final String KEY_B = "b2".repeat(32);
    private static final String[] NETWORK_FLAGS = {"--kafka", "kafka:9092", "--rpc-url", "http://home:8545",
        "--chain-id", "31337", "--task-intake", "0x" + "11".repeat(20), "--coordinator", "0x" + "22".repeat(20),
        "--token", "0x" + "33".repeat(20), "--model-registry", "0x" + "44".repeat(20), "--state-dir", "target/intake-state"};

    private static IntakeCommand parse(Map<String, String> env, String... args) {
        IntakeCommand command = new IntakeCommand(env);
        new CommandLine(command).parseArgs(args);
        return command;
    }

    private static String[] with(String... more) {
        String[] all = new String[NETWORK_FLAGS.length + more.length];
        System.arraycopy(NETWORK_FLAGS, 0, all, 0, NETWORK_FLAGS.length);
        System.arraycopy(more, 0, all, NETWORK_FLAGS.length, more.length);
        return all;
    }

    @Test
    void shouldTakeEverySettingFromFlagsAndTheKeyFromTheEnvironmentWhenNoNetworkFileIsGiven() throws Exception {
        IntakeConfig config = parse(Map.of(IntakeCommand.KEY_ENV, KEY_A), NETWORK_FLAGS).config();

        assertThat(config.kafkaBootstrap()).isEqualTo("kafka:9092");
        assertThat(config.rpcUrl()).isEqualTo("http://home:8545");
        assertThat(config.chainId()).isEqualTo(31337);
        assertThat(config.taskIntake()).isEqualTo("0x" + "11".repeat(20));
        assertThat(config.registry()).isEqualTo("0x" + "44".repeat(20));
        assertThat(config.submitterKey()).isEqualTo(KEY_A);
        assertThat(config.groupId()).isEqualTo(IntakeConfig.DEFAULT_GROUP);
        assertThat(config.stateDir()).isEqualTo(Path.of("target/intake-state").toAbsolutePath().normalize());
    }

    @Test
    void shouldPreferTheKeyFileToTheEnvironment() throws Exception {
        Path dir = Files.createDirectories(Path.of("target/intake-command-test"));
        Path keyFile = dir.resolve("intake.key");
        Files.writeString(keyFile, KEY_B + "\n");

        IntakeConfig config = parse(Map.of(IntakeCommand.KEY_ENV, KEY_A),
                with("--key-file", keyFile.toString(), "--group-id", "mine")).config();

        assertThat(config.submitterKey()).isEqualTo(KEY_B);
        assertThat(config.groupId()).isEqualTo("mine");
    }

    @Test
    void shouldNameEveryMissingSettingWhenFlagsAreIncomplete() {
        IntakeCommand command = parse(Map.of(), "--kafka", "kafka:9092", "--rpc-url", "http://home:8545");

        assertThatThrownBy(command::config).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chain id must be positive")
                .hasMessageContaining("taskIntake must be a 0x address")
                .hasMessageContaining("submitterKey must be a 32-byte hex private key")
                .hasMessageContaining("stateDir is required");
    }

    @Test
    void shouldServeMetricsOnTheIntakesPortUnlessToldOtherwise() {
        assertThat(parse(Map.of()).metrics.port(MetricsComponent.INTAKE)).isEqualTo(9403);
        assertThat(parse(Map.of(), "--metrics-port", "0").metrics.port(MetricsComponent.INTAKE)).isZero();
        assertThat(parse(Map.of()).metrics.host).isEqualTo("127.0.0.1");
        assertThatThrownBy(() -> parse(Map.of(), "--metrics-port", "70000").metrics.port(MetricsComponent.INTAKE))
                .hasMessageContaining("--metrics-port");
    }
}
