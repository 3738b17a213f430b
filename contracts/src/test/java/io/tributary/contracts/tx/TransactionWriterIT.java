package io.tributary.contracts.tx;

import io.tributary.contracts.testing.Anvil;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.contracts.generated.MerkleSha256;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.utils.Numeric;

/** The writer against a real anvil chain (automine unless a test turns it off). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransactionWriterIT {

    private static final long CHAIN_ID = 424242;
    private static final BigInteger GWEI = BigInteger.TEN.pow(9);
    private static final BigInteger VALUE = BigInteger.valueOf(1_234_567);
    private static final String RECEIVER = "0x000000000000000000000000000000000000beef";

    private Path dir;
    private Anvil anvil;
    private final List<TransactionWriter> writers = new ArrayList<>();

    @BeforeEach
    void startChain(TestInfo test) throws Exception {
        dir = TestKeys.testDir(test.getTestMethod().orElseThrow().getName());
        anvil = Anvil.start(CHAIN_ID, dir.resolve("anvil.log"));
    }

    @AfterEach
    void stopChain() throws Exception {
        for (TransactionWriter writer : writers) {
            writer.close();
        }
        anvil.close();
    }

    private TransactionWriter writer(Credentials key, BigInteger cap) throws Exception {
        TransactionWriter writer = TransactionWriter.builder()
                .web3j(anvil.web3j)
                .credentials(key)
                .chainId(CHAIN_ID)
                .stateDir(dir.resolve("state-" + key.getAddress()))
                .feePolicy(new FeePolicy(cap, BigInteger.ONE, cap.min(GWEI), 2))
                .receiptPolling(Duration.ofMillis(100), 300)
                .resendInterval(Duration.ofSeconds(1))
                .feeCapWait(Duration.ofMillis(100), Duration.ofSeconds(30))
                .retry(new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(5)))
                .revertDecoder(RevertDecoder.withProjectErrors())
                .build();
        writers.add(writer);
        return writer;
    }

    private TransactionWriter writer(Credentials key) throws Exception {
        return writer(key, GWEI.multiply(BigInteger.valueOf(100)));
    }

    /** Closes a writer as a crash would leave it: nothing more is written (all state is on disk already). */
    private void crash(TransactionWriter writer) throws Exception {
        writer.close();
        writers.remove(writer);
    }

    private String address(Credentials key) {
        return key.getAddress();
    }

    @Test
    void shouldGiveConsecutiveNoncesToSequentialAndConcurrentWrites() throws Exception {
        TransactionWriter writer = writer(TestKeys.DEV0);
        List<Long> nonces = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nonces.add(writer.send(TxRequest.transfer("seq-" + i, RECEIVER, VALUE)).nonce());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<TxResult>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String key = "par-" + i;
                results.add(pool.submit(() -> writer.send(TxRequest.transfer(key, RECEIVER, VALUE))));
            }
            for (Future<TxResult> result : results) {
                nonces.add(result.get(30, TimeUnit.SECONDS).nonce());
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(nonces.subList(0, 3)).containsExactly(0L, 1L, 2L);
        assertThat(nonces).doesNotHaveDuplicates().hasSize(19).allMatch(n -> n >= 0 && n < 19);
        assertThat(anvil.nonce(address(TestKeys.DEV0), DefaultBlockParameterName.LATEST)).isEqualTo(19);
        assertThat(anvil.balance(RECEIVER)).isEqualTo(VALUE.multiply(BigInteger.valueOf(19)));
        assertThat(writer.stats().mined()).isEqualTo(19);
    }

    @Test
    void shouldHaveOneEffectWhenCrashedAfterRecordingBeforeBroadcasting() throws Exception {
        TxRequest request = TxRequest.transfer("crash-before-broadcast", RECEIVER, VALUE);
        TransactionWriter first = writer(TestKeys.DEV0);
        TxRecord recorded = first.record(request).record();
        crash(first);
        assertThat(anvil.nonce(address(TestKeys.DEV0), DefaultBlockParameterName.PENDING)).isZero();

        TransactionWriter second = writer(TestKeys.DEV0);
        TxResult result = second.send(request);
        TxResult again = second.send(request);

        assertThat(result.transactionHash()).isEqualTo(recorded.latestHash());
        assertThat(again.transactionHash()).isEqualTo(recorded.latestHash());
        assertThat(again.replayed()).isTrue();
        assertThat(second.stats().signed()).isZero();
        assertThat(anvil.balance(RECEIVER)).isEqualTo(VALUE);
        assertThat(anvil.nonce(address(TestKeys.DEV0), DefaultBlockParameterName.LATEST)).isEqualTo(1);
    }

    @Test
    void shouldHaveOneEffectWhenCrashedAfterBroadcastingBeforeTheReceipt() throws Exception {
        anvil.call("evm_setAutomine", false);
        TxRequest request = TxRequest.transfer("crash-before-receipt", RECEIVER, VALUE);
        TransactionWriter first = writer(TestKeys.DEV0);
        TxRecord sent = first.broadcast(first.record(request).record());
        crash(first);
        assertThat(anvil.nonce(address(TestKeys.DEV0), DefaultBlockParameterName.PENDING)).isEqualTo(1);
        assertThat(anvil.nonce(address(TestKeys.DEV0), DefaultBlockParameterName.LATEST)).isZero();

        TransactionWriter second = writer(TestKeys.DEV0);
        CompletableFuture<TxResult> result = CompletableFuture.supplyAsync(() -> call(() -> second.send(request)));
        Thread.sleep(300);
        assertThat(result).isNotDone();
        anvil.call("evm_mine");

        assertThat(result.get(10, TimeUnit.SECONDS).transactionHash()).isEqualTo(sent.latestHash());
        assertThat(second.stats().signed()).isZero();
        anvil.call("evm_mine");
        assertThat(anvil.balance(RECEIVER)).isEqualTo(VALUE);
        assertThat(anvil.nonce(address(TestKeys.DEV0), DefaultBlockParameterName.PENDING)).isEqualTo(1);
    }

    @Test
    void shouldRebroadcastTheRecordedTransactionWhenTheNodeDroppedIt() throws Exception {
        anvil.call("evm_setAutomine", false);
        TxRequest request = TxRequest.transfer("dropped", RECEIVER, VALUE);
        TransactionWriter first = writer(TestKeys.DEV0);
        TxRecord sent = first.broadcast(first.record(request).record());
        anvil.call("anvil_dropAllTransactions");
        crash(first);
        anvil.call("evm_setAutomine", true);

        TransactionWriter second = writer(TestKeys.DEV0);
        TxResult result = second.send(request);

        assertThat(second.stats().rebroadcasts()).isPositive();
        assertThat(result.nonce()).isEqualTo(sent.nonce());
        if (!result.transactionHash().equals(sent.latestHash())) {
            // The only allowed re-signature: the same nonce with a higher fee, because the base fee rose
            // above the recorded max fee while the node had dropped it (seen on a loaded machine).
            assertThat(second.stats().feeBumps()).isEqualTo(second.stats().signed()).isPositive();
        } else {
            assertThat(second.stats().signed()).isZero();
        }
        assertThat(anvil.balance(RECEIVER)).isEqualTo(VALUE);
    }

    @Test
    void shouldRepairItsNonceWhenSomeoneElseUsedTheKey() throws Exception {
        TransactionWriter writer = writer(TestKeys.DEV0);
        RawTransaction outsider = RawTransaction.createEtherTransaction(CHAIN_ID, BigInteger.ZERO,
                BigInteger.valueOf(21_000), RECEIVER, BigInteger.ONE, GWEI, GWEI.multiply(BigInteger.TEN));
        String raw = Numeric.toHexString(TransactionEncoder.signMessage(outsider, TestKeys.DEV0));
        assertThat(anvil.web3j.ethSendRawTransaction(raw).send().hasError()).isFalse();

        TxResult result = writer.send(TxRequest.transfer("after-outsider", RECEIVER, VALUE));

        assertThat(result.nonce()).isEqualTo(1);
        assertThat(writer.stats().nonceRepairs()).isEqualTo(1);
        assertThat(anvil.balance(RECEIVER)).isEqualTo(VALUE.add(BigInteger.ONE));
    }

    @Test
    void shouldTakeAFreshNonceWhenAForeignPooledTransactionHoldsItsNonce() throws Exception {
        anvil.call("evm_setAutomine", false);
        TransactionWriter writer = writer(TestKeys.DEV0);
        RawTransaction outsider = RawTransaction.createEtherTransaction(CHAIN_ID, BigInteger.ZERO,
                BigInteger.valueOf(21_000), RECEIVER, BigInteger.ONE, GWEI, GWEI.multiply(BigInteger.valueOf(50)));
        String raw = Numeric.toHexString(TransactionEncoder.signMessage(outsider, TestKeys.DEV0));
        assertThat(anvil.web3j.ethSendRawTransaction(raw).send().hasError()).isFalse();

        String hash = writer.submit(TxRequest.transfer("under-outsider", RECEIVER, VALUE));
        anvil.call("evm_mine");
        TxResult result = writer.send(TxRequest.transfer("under-outsider", RECEIVER, VALUE));

        assertThat(result.transactionHash()).isEqualTo(hash);
        assertThat(result.nonce()).isEqualTo(1);
        assertThat(writer.stats().nonceRepairs()).isEqualTo(1);
        assertThat(anvil.balance(RECEIVER)).isEqualTo(VALUE.add(BigInteger.ONE));
    }

    @Test
    void shouldWaitAndReportWhileTheFeeCapIsBelowTheBaseFeeThenProceedWhenItIsRaised() throws Exception {
        TransactionWriter writer = writer(TestKeys.DEV1, BigInteger.valueOf(1_000));
        TxRequest request = TxRequest.transfer("capped", RECEIVER, VALUE);
        CompletableFuture<TxResult> result = CompletableFuture.supplyAsync(() -> call(() -> writer.send(request)));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (writer.stats().waitingForFeeCap() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(writer.stats().waitingForFeeCap()).isEqualTo(1);
        assertThat(writer.stats().feeCapWaits()).isEqualTo(1);
        assertThat(writer.stats().requiredFeeWhileWaiting()).isGreaterThan(BigInteger.valueOf(1_000));
        Thread.sleep(300);
        assertThat(result).isNotDone();
        assertThat(writer.recordOf("capped")).isEmpty();
        assertThat(anvil.nonce(address(TestKeys.DEV1), DefaultBlockParameterName.PENDING)).isZero();

        writer.setMaxFeeCap(GWEI.multiply(BigInteger.valueOf(100)));

        assertThat(result.get(10, TimeUnit.SECONDS).nonce()).isZero();
        assertThat(writer.stats().waitingForFeeCap()).isZero();
        assertThat(anvil.balance(RECEIVER)).isEqualTo(VALUE);
    }

    @Test
    void shouldBumpTheFeesOfAPooledTransactionWhenTheBaseFeeRoseAboveItsMaxFee() throws Exception {
        anvil.call("evm_setAutomine", false);
        TransactionWriter writer = writer(TestKeys.DEV0);
        TxRequest request = TxRequest.transfer("stuck", RECEIVER, VALUE);
        String first = writer.submit(request);
        anvil.call("anvil_setNextBlockBaseFeePerGas", "0x" + GWEI.multiply(BigInteger.valueOf(20)).toString(16));
        anvil.call("evm_mine"); // a block our transaction cannot pay for: it stays pooled
        assertThat(anvil.nonce(address(TestKeys.DEV0), DefaultBlockParameterName.LATEST)).isZero();
        anvil.call("evm_setAutomine", true);

        TxResult result = writer.send(request);

        assertThat(result.transactionHash()).isNotEqualTo(first);
        assertThat(result.nonce()).isZero();
        assertThat(writer.stats().feeBumps()).isEqualTo(1);
        assertThat(writer.recordOf("stuck").orElseThrow().hashes()).containsExactly(first, result.transactionHash());
        assertThat(anvil.balance(RECEIVER)).isEqualTo(VALUE);
        assertThat(anvil.nonce(address(TestKeys.DEV0), DefaultBlockParameterName.PENDING)).isEqualTo(1);
    }

    @Test
    void shouldGiveUpWithARetriableReasonWhenFeesStayAboveTheCap() throws Exception {
        TransactionWriter writer = TransactionWriter.builder()
                .web3j(anvil.web3j)
                .credentials(TestKeys.DEV1)
                .chainId(CHAIN_ID)
                .stateDir(dir.resolve("state-short-wait"))
                .feePolicy(new FeePolicy(BigInteger.valueOf(1_000), BigInteger.ONE, BigInteger.ONE, 2))
                .receiptPolling(Duration.ofMillis(100), 300)
                .resendInterval(Duration.ofSeconds(1))
                .feeCapWait(Duration.ofMillis(50), Duration.ofMillis(300))
                .retry(new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(5)))
                .revertDecoder(RevertDecoder.withProjectErrors())
                .build();
        writers.add(writer);

        assertThatThrownBy(() -> writer.send(TxRequest.transfer("never", RECEIVER, VALUE)))
                .isInstanceOfSatisfying(TxWriteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(TxWriteException.Reason.FEE_CAP_EXCEEDED);
                    assertThat(e.retriable()).isTrue();
                });
        assertThat(writer.recordOf("never")).isEmpty();
        assertThat(writer.stats().feeCapWaits()).isEqualTo(1);
        assertThat(writer.stats().lastOverCap().cap()).isEqualTo(BigInteger.valueOf(1_000));
        assertThat(anvil.nonce(address(TestKeys.DEV1), DefaultBlockParameterName.PENDING)).isZero();
    }

    @Test
    void shouldReportTheRevertReasonAtEstimationWithoutSendingAnything() throws Exception {
        TransactionWriter writer = writer(TestKeys.DEV2);
        String customError = FunctionEncoder.encode(new Function("MerkleSha256IndexOutOfRange",
                List.of(new Uint256(9), new Uint256(3)), List.of()));
        String reverter = deployReverter(writer, "deploy-custom", customError);
        long nonceBefore = anvil.nonce(address(TestKeys.DEV2), DefaultBlockParameterName.PENDING);

        assertThatThrownBy(() -> writer.send(TxRequest.call("call-custom", reverter, "0x")))
                .isInstanceOfSatisfying(TxRevertedException.class, e -> {
                    assertThat(e.receipt()).isEmpty();
                    assertThat(e.revertReason().kind()).isEqualTo(RevertReason.Kind.CUSTOM_ERROR);
                    assertThat(e.revertReason()).hasToString("MerkleSha256IndexOutOfRange(9, 3)");
                });
        assertThat(anvil.nonce(address(TestKeys.DEV2), DefaultBlockParameterName.PENDING)).isEqualTo(nonceBefore);
        assertThat(writer.recordOf("call-custom")).isEmpty();
    }

    @Test
    void shouldReportTheRevertReasonOfATransactionThatRevertedOnChainAndNotSendItAgain() throws Exception {
        TransactionWriter writer = writer(TestKeys.DEV2);
        String errorString = FunctionEncoder.encode(new Function("Error", List.of(new Utf8String("round is closed")), List.of()));
        String reverter = deployReverter(writer, "deploy-string", errorString);
        TxRequest request = new TxRequest("call-string", reverter, BigInteger.ZERO, "0x", BigInteger.valueOf(60_000));

        assertThatThrownBy(() -> writer.send(request))
                .isInstanceOfSatisfying(TxRevertedException.class, e -> {
                    assertThat(e.receipt()).isPresent();
                    assertThat(e.receipt().get().isStatusOK()).isFalse();
                    assertThat(e.revertReason()).hasToString("round is closed");
                });
        long nonceAfter = anvil.nonce(address(TestKeys.DEV2), DefaultBlockParameterName.PENDING);
        assertThatThrownBy(() -> writer.send(request))
                .isInstanceOfSatisfying(TxRevertedException.class,
                        e -> assertThat(e.revertReason()).hasToString("round is closed"));
        assertThat(anvil.nonce(address(TestKeys.DEV2), DefaultBlockParameterName.PENDING)).isEqualTo(nonceAfter);
        assertThat(writer.stats().reverted()).isEqualTo(1);
    }

    @Test
    void shouldRefuseToReuseAnIdempotencyKeyForADifferentWrite() throws Exception {
        TransactionWriter writer = writer(TestKeys.DEV0);
        writer.send(TxRequest.transfer("once", RECEIVER, VALUE));

        assertThatThrownBy(() -> writer.send(TxRequest.transfer("once", RECEIVER, VALUE.add(BigInteger.ONE))))
                .isInstanceOfSatisfying(TxWriteException.class,
                        e -> assertThat(e.reason()).isEqualTo(TxWriteException.Reason.KEY_CONFLICT));
        assertThat(anvil.balance(RECEIVER)).isEqualTo(VALUE);
    }

    @Test
    void shouldDeployAGeneratedWrapperThroughTheWritersTransactionManager() throws Exception {
        TransactionWriter writer = writer(TestKeys.DEV1);

        MerkleSha256 library = MerkleSha256.deploy(anvil.web3j, writer.transactionManager("deploy:MerkleSha256"),
                writer.gasProvider(BigInteger.valueOf(3_000_000))).send();
        MerkleSha256 again = TransactionWriter.withIdempotencyKey("deploy:MerkleSha256",
                () -> MerkleSha256.deploy(anvil.web3j, writer.transactionManager(), writer.gasProvider(BigInteger.valueOf(3_000_000))).send());

        assertThat(library.getContractAddress()).isNotNull();
        assertThat(again.getContractAddress()).isEqualTo(library.getContractAddress());
        // (isValid() cannot be used: a library's runtime code embeds its own address)
        assertThat(anvil.web3j.ethGetCode(library.getContractAddress(), DefaultBlockParameterName.LATEST).send().getCode())
                .hasSizeGreaterThan(2);
        assertThat(anvil.nonce(address(TestKeys.DEV1), DefaultBlockParameterName.LATEST)).isEqualTo(1);
        assertThat(writer.recordOf("deploy:MerkleSha256").orElseThrow().status()).isEqualTo(TxRecord.Status.MINED);
    }

    /**
     * Deploys a contract (hand-assembled) whose every call reverts with {@code revertData}: the runtime
     * copies the data from its own code into memory and reverts with it.
     */
    private static String deployReverter(TransactionWriter writer, String key, String revertData) throws Exception {
        byte[] data = Numeric.hexStringToByteArray(revertData);
        // PUSH2 len, PUSH1 14 (data offset), PUSH1 0, CODECOPY, PUSH2 len, PUSH1 0, REVERT = 14 bytes
        String runtime = "61" + hex2(data.length) + "600e" + "6000" + "39" + "61" + hex2(data.length) + "6000" + "fd";
        int runtimeLength = 14 + data.length;
        String init = "61" + hex2(runtimeLength) + "600e" + "6000" + "39" + "61" + hex2(runtimeLength) + "6000" + "f3";
        // PUSH2 rlen, PUSH1 14 (runtime offset), PUSH1 0, CODECOPY, PUSH2 rlen, PUSH1 0, RETURN = 14 bytes
        String code = "0x" + init + runtime + Numeric.toHexStringNoPrefix(data);
        TxResult deployed = writer.send(new TxRequest(key, null, BigInteger.ZERO, code, null));
        String address = deployed.receipt().getContractAddress();
        assertThat(address).isNotNull();
        return address;
    }

    private static String hex2(int n) {
        return String.format("%04x", n);
    }

    private static <T> T call(Callable<T> action) {
        try {
            return action.call();
        } catch (Exception e) {
            throw new java.util.concurrent.CompletionException(e);
        }
    }
}
