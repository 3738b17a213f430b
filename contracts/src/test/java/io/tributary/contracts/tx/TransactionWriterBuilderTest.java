package io.tributary.contracts.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

class TransactionWriterBuilderTest {

    /** Nothing listens here; these tests fail before any RPC call. */
    private final Web3j unreachable = Web3j.build(new HttpService("http://127.0.0.1:9"));

    private TransactionWriter.Builder complete(Path dir) {
        return TransactionWriter.builder()
                .web3j(unreachable)
                .credentials(TestKeys.DEV0)
                .chainId(31337)
                .stateDir(dir)
                .feePolicy(new FeePolicy(BigInteger.valueOf(100_000_000_000L), BigInteger.ONE, BigInteger.valueOf(2_000_000_000L), 2))
                .receiptPolling(Duration.ofMillis(100), 300)
                .resendInterval(Duration.ofSeconds(2))
                .feeCapWait(Duration.ofMillis(200), Duration.ofMinutes(5))
                .retry(new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(50)))
                .revertDecoder(RevertDecoder.withProjectErrors());
    }

    @Test
    void shouldListEveryMissingOrWrongSettingAtOnce() {
        assertThatThrownBy(() -> TransactionWriter.builder().chainId(-1).gasMarginPercent(-5).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("web3j is required")
                .hasMessageContaining("credentials are required")
                .hasMessageContaining("chainId must be set and positive, was -1")
                .hasMessageContaining("stateDir is required")
                .hasMessageContaining("feePolicy is required")
                .hasMessageContaining("receiptPolling(interval, attempts) is required")
                .hasMessageContaining("retry policy is required")
                .hasMessageContaining("gasMarginPercent must be in 0..200, was -5")
                .hasMessageContaining("revertDecoder is required");
    }

    @Test
    void shouldRefuseZeroReceiptPolling() {
        assertThatThrownBy(() -> complete(Path.of("unused")).receiptPolling(Duration.ZERO, 0).build())
                .hasMessageContaining("receipt polling needs interval >= 1 ms");
    }

    @Test
    void shouldRefuseToStartOnACorruptStateFileInsteadOfResettingIt() throws Exception {
        Path dir = TestKeys.testDir("builder-corrupt");
        Files.writeString(dir.resolve(StateFile.FILE_NAME), "tributary-txwriter-state 1 sha256=00\n{}");

        assertThatThrownBy(() -> complete(dir).build())
                .isInstanceOfSatisfying(StateFileException.class,
                        e -> assertThat(e.reason()).isEqualTo(StateFileException.Reason.CORRUPT));
        assertThat(Files.readString(dir.resolve(StateFile.FILE_NAME))).startsWith("tributary-txwriter-state 1 sha256=00");
    }

    @Test
    void shouldRefuseAStateFileOfAnotherKey() throws Exception {
        Path dir = TestKeys.testDir("builder-identity");
        new StateFile(dir).save(new WriterState(31337, TestKeys.DEV1.getAddress(), 0));

        assertThatThrownBy(() -> complete(dir).build())
                .isInstanceOfSatisfying(StateFileException.class,
                        e -> assertThat(e.reason()).isEqualTo(StateFileException.Reason.WRONG_IDENTITY));
    }

    @Test
    void shouldRefuseAStateDirectoryAnotherWriterHolds() throws Exception {
        Path dir = TestKeys.testDir("builder-locked");
        try (FileChannel channel = FileChannel.open(dir.resolve("txwriter.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
                FileLock held = channel.lock()) {
            assertThatThrownBy(() -> complete(dir).build())
                    .isInstanceOfSatisfying(StateFileException.class,
                            e -> assertThat(e.reason()).isEqualTo(StateFileException.Reason.LOCKED));
        }
    }

    @Test
    void shouldReportAnUnreachableNodeAsRetriableAfterBackingOff() throws Exception {
        Path dir = TestKeys.testDir("builder-down");

        assertThatThrownBy(() -> complete(dir).build())
                .isInstanceOfSatisfying(TxWriteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(TxWriteException.Reason.RPC_UNAVAILABLE);
                    assertThat(e.retriable()).isTrue();
                });
        // the lock was given back: a second attempt gets as far as the RPC again
        assertThatThrownBy(() -> complete(dir).build()).isInstanceOf(TxWriteException.class);
    }
}
