package io.tributary.ingest.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AbiSourceTest {

    private static final String ABI = "[{\"type\":\"event\",\"name\":\"Pinged\",\"anonymous\":false,"
            + "\"inputs\":[{\"name\":\"n\",\"type\":\"uint64\",\"indexed\":true}]}]";

    private static Path scratch(String name) throws IOException {
        Path dir = Path.of("target", "abi-source-test", name + "-" + System.nanoTime());
        Files.createDirectories(dir);
        return dir;
    }

    @Test
    void shouldReadForgeArtifactsByContractName() throws IOException {
        Path out = scratch("forge");
        Files.createDirectories(out.resolve("Pinger.sol"));
        Files.writeString(out.resolve("Pinger.sol").resolve("Pinger.json"),
                "{\"abi\":" + ABI + ",\"bytecode\":{\"object\":\"0x00\"}}");
        Files.createDirectories(out.resolve("Lib.sol"));
        Files.writeString(out.resolve("Lib.sol").resolve("Helper.json"), "{\"abi\":[]}");
        ContractAbi pinger = AbiSource.of(out.toString()).load("Pinger");
        assertThat(pinger.events()).extracting(EventAbi::signature).containsExactly("Pinged(uint64)");
        assertThat(AbiSource.of("dir:" + out).load("Helper").events()).isEmpty();
    }

    @Test
    void shouldReadFlatAbiFiles() throws IOException {
        Path dir = scratch("flat");
        Files.writeString(dir.resolve("Pinger.json"), ABI);
        assertThat(AbiSource.of(dir.toString()).load("Pinger").event(
                new EventAbi("Pinged", java.util.List.of(new EventAbi.Input("n", AbiType.parse("uint64", null), true)))
                        .topic0())).isPresent();
    }

    @Test
    void shouldReadAbisFromTheClasspath() throws IOException {
        assertThat(AbiSource.of("classpath").load("Sample").events()).hasSize(1);
        assertThat(AbiSource.of("classpath:other/abis").load("Other").events()).hasSize(1);
    }

    @Test
    void shouldSayWhereItLookedWhenAnAbiIsMissing() throws IOException {
        Path dir = scratch("missing");
        assertThatThrownBy(() -> AbiSource.of(dir.toString()).load("Nope")).isInstanceOf(IOException.class)
                .hasMessageContaining("Nope").hasMessageContaining(dir.toString());
        assertThatThrownBy(() -> AbiSource.of("classpath").load("Nope"))
                .hasMessageContaining("io/tributary/contracts/abi/Nope.json");
        Files.writeString(dir.resolve("Bad.json"), "{\"bytecode\":{}}");
        assertThatThrownBy(() -> AbiSource.of(dir.toString()).load("Bad")).hasMessageContaining("abi");
    }
}
