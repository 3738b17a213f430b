package io.tributary.contracts.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateFileTest {

    private static WriterState sample() {
        WriterState state = new WriterState(31337, TestKeys.DEV0.getAddress(), 3);
        String[] t0 = TestKeys.signedTransfer(31337, 0);
        String[] t1 = TestKeys.signedTransfer(31337, 1);
        String[] t2 = TestKeys.signedTransfer(31337, 2);
        state.put(TxRecord.signed("round-1/commit", 0, t0[1], t0[0]).mined(BigInteger.valueOf(12), t0[1], true, ""));
        state.put(new TxRecord("round-2/commit", 1, List.of("0x" + "ab".repeat(32), t1[1]), t1[0], TxRecord.Status.SENT,
                null, null, false, ""));
        state.put(TxRecord.signed("reverting", 2, t2[1], t2[0]).mined(BigInteger.valueOf(14), t2[1], false, "0x08c379a0"));
        return state;
    }

    @Test
    void shouldReadBackWhatItWrote() throws IOException {
        Path dir = TestKeys.testDir("state-roundtrip");
        StateFile file = new StateFile(dir);
        WriterState state = sample();

        file.save(state);
        WriterState back = file.load().orElseThrow();

        assertThat(back.chainId()).isEqualTo(31337);
        assertThat(back.address()).isEqualTo(TestKeys.DEV0.getAddress().toLowerCase());
        assertThat(back.nextNonce()).isEqualTo(3);
        assertThat(back.records()).containsExactlyElementsOf(state.records());
        assertThat(StateFile.encode(back)).isEqualTo(StateFile.encode(state));
        assertThat(Files.exists(dir.resolve(StateFile.FILE_NAME + ".tmp"))).isFalse();
    }

    @Test
    void shouldHaveNoStateBeforeTheFirstSave() throws IOException {
        assertThat(new StateFile(TestKeys.testDir("state-empty")).load()).isEmpty();
    }

    @Test
    void shouldStillReadVersionOneGoldenBytes() throws IOException {
        byte[] golden;
        try (InputStream in = StateFileTest.class.getResourceAsStream("/txwriter/state-v1.golden")) {
            golden = in.readAllBytes();
        }
        Path dir = TestKeys.testDir("state-golden");
        Files.write(dir.resolve(StateFile.FILE_NAME), golden);

        WriterState state = new StateFile(dir).load().orElseThrow();

        assertThat(state.records()).containsExactlyElementsOf(sample().records());
        assertThat(StateFile.encode(state)).isEqualTo(golden);
    }

    @Test
    void shouldRefuseATruncatedFile() throws IOException {
        Path dir = TestKeys.testDir("state-truncated");
        byte[] bytes = StateFile.encode(sample());
        Files.write(dir.resolve(StateFile.FILE_NAME), java.util.Arrays.copyOf(bytes, bytes.length / 2));

        assertThatThrownBy(() -> new StateFile(dir).load())
                .isInstanceOfSatisfying(StateFileException.class,
                        e -> assertThat(e.reason()).isEqualTo(StateFileException.Reason.CORRUPT))
                .hasMessageContaining("checksum mismatch");
    }

    @Test
    void shouldRefuseAFileWithAFlippedByte() throws IOException {
        Path dir = TestKeys.testDir("state-bitflip");
        byte[] bytes = StateFile.encode(sample());
        int at = new String(bytes, StandardCharsets.UTF_8).indexOf("\"nextNonce\" : 3") + "\"nextNonce\" : ".length();
        bytes[at] = '4';
        Files.write(dir.resolve(StateFile.FILE_NAME), bytes);

        assertThatThrownBy(() -> new StateFile(dir).load())
                .isInstanceOfSatisfying(StateFileException.class,
                        e -> assertThat(e.reason()).isEqualTo(StateFileException.Reason.CORRUPT));
    }

    @Test
    void shouldRefuseSomethingThatIsNotAStateFile() throws IOException {
        Path dir = TestKeys.testDir("state-garbage");
        Files.writeString(dir.resolve(StateFile.FILE_NAME), "{\"nextNonce\": 3}\n");

        assertThatThrownBy(() -> new StateFile(dir).load())
                .isInstanceOfSatisfying(StateFileException.class,
                        e -> assertThat(e.reason()).isEqualTo(StateFileException.Reason.CORRUPT))
                .hasMessageContaining("not a transaction writer state file");
    }

    @Test
    void shouldRefuseABodyWithAValidChecksumButMissingFields() throws IOException {
        Path dir = TestKeys.testDir("state-fields");
        byte[] body = "{\"chainId\":1}".getBytes(StandardCharsets.UTF_8);
        String header = "tributary-txwriter-state 1 sha256="
                + org.web3j.utils.Numeric.toHexStringNoPrefix(org.web3j.crypto.Hash.sha256(body)) + "\n";
        Files.write(dir.resolve(StateFile.FILE_NAME), (header + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> new StateFile(dir).load())
                .isInstanceOfSatisfying(StateFileException.class,
                        e -> assertThat(e.reason()).isEqualTo(StateFileException.Reason.CORRUPT))
                .hasMessageContaining("missing field 'address'");
    }

    @Test
    void shouldRefuseAnUnknownVersion() throws IOException {
        Path dir = TestKeys.testDir("state-version");
        String text = new String(StateFile.encode(sample()), StandardCharsets.UTF_8)
                .replaceFirst("tributary-txwriter-state 1 ", "tributary-txwriter-state 2 ");
        Files.writeString(dir.resolve(StateFile.FILE_NAME), text);

        assertThatThrownBy(() -> new StateFile(dir).load())
                .isInstanceOfSatisfying(StateFileException.class,
                        e -> assertThat(e.reason()).isEqualTo(StateFileException.Reason.UNSUPPORTED_VERSION));
    }

    @Test
    void shouldPruneTheOldestFinishedRecordsButNeverUnfinishedOnes() {
        WriterState state = sample();

        int dropped = state.prune(1);

        assertThat(dropped).isEqualTo(1);
        assertThat(state.records()).extracting(TxRecord::key).containsExactly("round-2/commit", "reverting");
        assertThat(state.prune(0)).isEqualTo(1);
        assertThat(state.records()).extracting(TxRecord::key).containsExactly("round-2/commit");
    }
}
