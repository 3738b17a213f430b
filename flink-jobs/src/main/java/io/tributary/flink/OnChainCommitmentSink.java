package io.tributary.flink;

import io.tributary.contracts.deploy.DevKeys;
import io.tributary.contracts.deploy.KeyRoles;
import io.tributary.contracts.generated.TaskCoordinator;
import io.tributary.contracts.tx.FeePolicy;
import io.tributary.contracts.tx.RetryPolicy;
import io.tributary.contracts.tx.RevertDecoder;
import io.tributary.contracts.tx.TransactionWriter;
import io.tributary.contracts.tx.TxRequest;
import io.tributary.contracts.tx.TxResult;
import io.tributary.contracts.tx.TxWriteException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * Commits rounds on the home chain: {@code TaskCoordinator.commitRound(taskId, round, modelRoot,
 * contributionsRoot, totalWeight, contributors, chainWeights)} through contracts'
 * {@link TransactionWriter}, signed by the aggregator key, under the idempotency key
 * {@code commitRound/<taskId>/<round>}.
 *
 * <p>Effectively once (DESIGN decision 8): a call replayed after a failover finds the writer's record
 * of the key and returns its outcome without signing again; with the writer's state lost, the contract
 * treats a repeated commit with the same roots as success. A different commitment fails with
 * {@link CommitConflictException}: the writer already sent other arguments under the round's key, or
 * the transaction's receipt carries {@code RoundCommitmentConflicted} (the chain holds other roots).
 *
 * <p>The key is named, never carried: {@code dev:<index>} (an anvil account; {@code dev:aggregator}
 * is {@link KeyRoles#defaults()}'s aggregator, index 1) or the path of a file holding the private key
 * in hex; it is resolved in {@link #open()} and never logged. One instance at a time per state
 * directory (the writer locks it): the job runs this sink with parallelism 1.
 */
public final class OnChainCommitmentSink implements CommitmentSink {

    private static final Logger LOG = LoggerFactory.getLogger(OnChainCommitmentSink.class);
    private static final long serialVersionUID = 1L;

    private final String rpcUrl;
    private final long chainId;
    private final String coordinator;
    private final String keyRef;
    private final String stateDir;
    private final BigInteger maxFeeCapWei;
    private final Duration receiptPollInterval;
    private final int receiptPollAttempts;

    private transient Web3j web3j;
    private transient TransactionWriter writer;
    private transient TaskCoordinator encoder;

    private OnChainCommitmentSink(Builder b) {
        this.rpcUrl = b.rpcUrl;
        this.chainId = b.chainId;
        this.coordinator = b.coordinator.toLowerCase(Locale.ROOT);
        this.keyRef = b.keyRef;
        this.stateDir = b.stateDir.toString();
        this.maxFeeCapWei = b.maxFeeCapWei;
        this.receiptPollInterval = b.receiptPollInterval;
        this.receiptPollAttempts = b.receiptPollAttempts;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void open() throws Exception {
        Credentials key = resolveKey(keyRef);
        web3j = Web3j.build(new HttpService(rpcUrl));
        try {
            writer = TransactionWriter.builder()
                    .web3j(web3j)
                    .credentials(key)
                    .chainId(chainId)
                    .stateDir(Path.of(stateDir).resolve("commit-" + key.getAddress().toLowerCase(Locale.ROOT))
                            .resolve("chain-" + chainId))
                    .feePolicy(new FeePolicy(maxFeeCapWei, BigInteger.ONE, maxFeeCapWei.min(BigInteger.TEN.pow(9)), 2))
                    .receiptPolling(receiptPollInterval, receiptPollAttempts)
                    .resendInterval(Duration.ofSeconds(2))
                    .feeCapWait(Duration.ofSeconds(1), Duration.ofMinutes(1))
                    .retry(new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(30)))
                    .revertDecoder(RevertDecoder.withProjectErrors())
                    .build();
        } catch (Exception e) {
            web3j.shutdown();
            throw e;
        }
        encoder = TaskCoordinator.load(coordinator, web3j, new ReadonlyTransactionManager(web3j, writer.address()),
                new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
        LOG.info("committing rounds to TaskCoordinator {} on chain {} ({}) as {}", coordinator, chainId, rpcUrl,
                writer.address());
    }

    @Override
    public OptionalLong commitRound(CommitRoundCall call) throws Exception {
        String key = idempotencyKey(call.taskId, call.round);
        List<BigInteger> chainWeights = new ArrayList<>();
        for (long w : call.chainWeights) {
            chainWeights.add(BigInteger.valueOf(w));
        }
        String data = encoder.commitRound(BigInteger.valueOf(call.taskId), BigInteger.valueOf(call.round),
                call.modelRoot, call.contributionsRoot, BigInteger.valueOf(call.totalWeight),
                BigInteger.valueOf(call.contributors), chainWeights).encodeFunctionCall();
        TxResult result;
        try {
            result = writer.send(TxRequest.call(key, coordinator, data));
        } catch (TxWriteException e) {
            if (e.reason() == TxWriteException.Reason.KEY_CONFLICT) {
                throw new CommitConflictException("round " + call.round + " of task " + call.taskId
                        + " was already sent with other arguments under " + key + "; now computed " + call, e);
            }
            throw new IOException("commitRound for round " + call.round + " of task " + call.taskId + " failed ("
                    + e.reason() + "): " + e.getMessage(), e);
        }
        if (!TaskCoordinator.getRoundCommitmentConflictedEvents(result.receipt()).isEmpty()) {
            throw new CommitConflictException("the home chain holds other roots for round " + call.round + " of task "
                    + call.taskId + " than the job computed (modelRoot 0x" + HexFormat.of().formatHex(call.modelRoot)
                    + ", contributionsRoot 0x" + HexFormat.of().formatHex(call.contributionsRoot) + "): "
                    + "RoundCommitmentConflicted in tx " + result.transactionHash(), null);
        }
        LOG.info("commitRound for round {} of task {} mined in block {} (tx {}{})", call.round, call.taskId,
                result.blockNumber(), result.transactionHash(), result.replayed() ? ", replayed" : "");
        return result.replayed() ? OptionalLong.empty() : OptionalLong.of(result.receipt().getGasUsed().longValueExact());
    }

    /** The writer's idempotency key of a round's commitment: one per (task, round). */
    static String idempotencyKey(long taskId, int round) {
        return "commitRound/" + taskId + "/" + round;
    }

    @Override
    public void close() throws Exception {
        try {
            if (writer != null) {
                writer.close();
            }
        } finally {
            if (web3j != null) {
                web3j.shutdown();
            }
            writer = null;
            web3j = null;
        }
    }

    /** {@code dev:aggregator}, {@code dev:<index>} or the path of a file holding the private key in hex. */
    static Credentials resolveKey(String keyRef) throws IOException {
        if (keyRef.startsWith("dev:")) {
            String which = keyRef.substring(4);
            int index = "aggregator".equals(which) ? KeyRoles.defaults().aggregator() : Integer.parseInt(which);
            return DevKeys.anvil(index + 1).get(index);
        }
        String hex = Files.readString(Path.of(keyRef), StandardCharsets.US_ASCII).trim();
        try {
            return Credentials.create(hex);
        } catch (RuntimeException e) {
            // The message may quote the key: say only where it came from.
            throw new IOException("the key file " + keyRef + " does not hold a hex private key");
        }
    }

    @Override
    public String toString() {
        return "OnChainCommitmentSink{" + rpcUrl + ", chain " + chainId + ", TaskCoordinator " + coordinator + '}';
    }

    /** Collects the sink's settings; {@link #build()} names every one that is missing or wrong. */
    public static final class Builder {
        private String rpcUrl;
        private long chainId;
        private String coordinator;
        private String keyRef;
        private Path stateDir;
        private BigInteger maxFeeCapWei = BigInteger.TEN.pow(11);
        private Duration receiptPollInterval = Duration.ofMillis(100);
        private int receiptPollAttempts = 300;

        private Builder() {}

        /** The home chain's JSON-RPC URL. */
        public Builder rpcUrl(String url) {
            this.rpcUrl = url;
            return this;
        }

        public Builder chainId(long id) {
            this.chainId = id;
            return this;
        }

        /** The TaskCoordinator's address. */
        public Builder coordinator(String address) {
            this.coordinator = address;
            return this;
        }

        /** {@code dev:aggregator}, {@code dev:<index>} or the path of a file holding the private key in hex. */
        public Builder key(String keyRef) {
            this.keyRef = keyRef;
            return this;
        }

        /** Where the transaction writer keeps its state (must survive restarts of the job). */
        public Builder stateDir(Path dir) {
            this.stateDir = dir;
            return this;
        }

        public Builder maxFeeCapWei(BigInteger cap) {
            this.maxFeeCapWei = cap;
            return this;
        }

        public Builder receiptPolling(Duration interval, int attempts) {
            this.receiptPollInterval = interval;
            this.receiptPollAttempts = attempts;
            return this;
        }

        public OnChainCommitmentSink build() {
            List<String> problems = new ArrayList<>();
            if (rpcUrl == null || !(rpcUrl.startsWith("http://") || rpcUrl.startsWith("https://"))) {
                problems.add("rpcUrl must be an http(s) URL, was " + rpcUrl);
            }
            if (chainId <= 0) {
                problems.add("chainId must be positive, was " + chainId);
            }
            if (coordinator == null || !coordinator.matches("0x[0-9a-fA-F]{40}")) {
                problems.add("coordinator must be a 0x address, was " + coordinator);
            }
            if (keyRef == null || keyRef.isBlank()) {
                problems.add("key is required (dev:aggregator, dev:<index> or a key file)");
            } else if (keyRef.startsWith("dev:") && !keyRef.equals("dev:aggregator")
                    && !keyRef.substring(4).matches("[0-9]")) {
                problems.add("a dev key is dev:aggregator or dev:<0..9>");
            } else if (!keyRef.startsWith("dev:") && !Files.isReadable(Path.of(keyRef))) {
                problems.add("key file " + keyRef + " is not readable");
            }
            if (stateDir == null) {
                problems.add("stateDir is required");
            }
            if (maxFeeCapWei == null || maxFeeCapWei.signum() <= 0) {
                problems.add("maxFeeCapWei must be positive, was " + maxFeeCapWei);
            }
            if (receiptPollInterval == null || receiptPollInterval.toMillis() < 1 || receiptPollAttempts < 1) {
                problems.add("receipt polling needs an interval >= 1 ms and attempts >= 1");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("on-chain commitment sink: " + String.join("; ", problems));
            }
            return new OnChainCommitmentSink(this);
        }
    }
}
