package io.tributary.contracts.tx;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionDecoder;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.crypto.transaction.type.Transaction1559;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthFeeHistory;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.exceptions.ClientConnectionException;
import org.web3j.tx.TransactionManager;
import org.web3j.utils.Numeric;

/**
 * Every on-chain write of one key on one chain goes through one of these.
 *
 * <p>{@link #send(TxRequest)} prices the write under the fee cap (waiting, and saying so, while the
 * fees it needs are above it), takes the next nonce, signs, records (key, nonce, hash, signed
 * transaction) in the state file, broadcasts, and polls for the receipt. Calling it again with the same
 * idempotency key — in this process or after a restart — never signs a second transaction for the
 * key: it returns the recorded outcome, or re-broadcasts the recorded transaction and waits for it.
 * A transaction is only re-signed for the same nonce (fee bumps: at most one of them can be mined), or
 * for a new nonce once the chain shows the recorded nonce used by a transaction that is not one of the
 * key's. On start the writer reconciles its state with {@code eth_getTransactionCount} (latest and
 * pending) and re-broadcasts what it had recorded but not seen mined.
 *
 * <p>Thread-safe; concurrent writes get consecutive nonces. One writer per state directory (a file
 * lock guards it).
 */
public final class TransactionWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionWriter.class);
    private static final int MAX_REPAIRS = 10;

    private final Web3j web3j;
    private final Credentials credentials;
    private final long chainId;
    private final String address;
    private final StateFile stateFile;
    private final FileChannel lockChannel;
    private final FileLock fileLock;
    private volatile FeePolicy feePolicy;
    private final double tipPercentile;
    private final Duration pollInterval;
    private final int pollAttempts;
    private final Duration resendInterval;
    private final Duration feeRecheckInterval;
    private final Duration maxFeeWait;
    private final RetryPolicy retry;
    private final int gasMarginPercent;
    private final int retainFinished;
    private final RevertDecoder revertDecoder;
    private final WriterStats stats = new WriterStats();

    private final Object lock = new Object();
    private final Object capChanged = new Object();
    private final WriterState state;
    private NonceAllocator nonces;
    private volatile boolean closed;

    private TransactionWriter(Builder b, FileChannel lockChannel, FileLock fileLock, WriterState state) {
        this.web3j = b.web3j;
        this.credentials = b.credentials;
        this.chainId = b.chainId;
        this.address = b.credentials.getAddress().toLowerCase();
        this.stateFile = new StateFile(b.stateDir);
        this.lockChannel = lockChannel;
        this.fileLock = fileLock;
        this.feePolicy = b.feePolicy;
        this.tipPercentile = b.tipPercentile;
        this.pollInterval = b.pollInterval;
        this.pollAttempts = b.pollAttempts;
        this.resendInterval = b.resendInterval;
        this.feeRecheckInterval = b.feeRecheckInterval;
        this.maxFeeWait = b.maxFeeWait;
        this.retry = b.retry;
        this.gasMarginPercent = b.gasMarginPercent;
        this.retainFinished = b.retainFinished;
        this.revertDecoder = b.revertDecoder;
        this.state = state;
    }

    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------------------------------------
    // Public API

    /**
     * Writes {@code request} once: returns when it is mined successfully.
     *
     * @throws TxRevertedException if it reverted (at estimation: nothing sent; or on chain)
     * @throws TxWriteException for any other failure; if {@link TxWriteException#retriable()}, call again
     *     with the same key to resume the very same transaction
     */
    public TxResult send(TxRequest request) throws TxWriteException, InterruptedException {
        Recorded recorded = record(request);
        TxRecord rec = recorded.record;
        if (rec.status() == TxRecord.Status.MINED) {
            return finished(rec);
        }
        if (rec.status() == TxRecord.Status.FAILED) {
            throw new TxWriteException(TxWriteException.Reason.REJECTED, rec.key(),
                    "recorded as refused earlier: " + rec.detail(), null);
        }
        rec = broadcast(rec);
        return awaitReceipt(rec, recorded.existing);
    }

    /**
     * Records and broadcasts {@code request} without waiting for its receipt; returns the transaction
     * hash. {@link #send(TxRequest)} with the same key later waits for it.
     */
    public String submit(TxRequest request) throws TxWriteException, InterruptedException {
        Recorded recorded = record(request);
        TxRecord rec = recorded.record;
        if (rec.status() == TxRecord.Status.MINED) {
            return rec.minedHash();
        }
        if (rec.status() == TxRecord.Status.FAILED) {
            throw new TxWriteException(TxWriteException.Reason.REJECTED, rec.key(),
                    "recorded as refused earlier: " + rec.detail(), null);
        }
        return broadcast(rec).latestHash();
    }

    /** What the writer remembers of {@code idempotencyKey}, if anything. */
    public Optional<TxRecord> recordOf(String idempotencyKey) {
        synchronized (lock) {
            return state.get(idempotencyKey);
        }
    }

    /** Raises (or lowers) the fee cap; writes waiting for the cap re-check at once. */
    public void setMaxFeeCap(BigInteger cap) {
        FeePolicy updated = feePolicy.withMaxFeeCap(cap);
        LOG.info("chain {} key {}: max fee cap {} -> {} wei/gas", chainId, address, feePolicy.maxFeeCap(), cap);
        feePolicy = updated;
        synchronized (capChanged) {
            capChanged.notifyAll();
        }
    }

    public FeePolicy feePolicy() {
        return feePolicy;
    }

    /** Counters: signed, mined, reverted, fee-cap waits (and how many wait now), repairs, retries. */
    public WriterStats stats() {
        return stats;
    }

    public String address() {
        return address;
    }

    public long chainId() {
        return chainId;
    }

    /** The gas estimate for a call (plus the writer's margin), as the writer would use it. */
    public BigInteger estimateGas(String to, BigInteger value, String data) throws TxWriteException, InterruptedException {
        return estimate(new TxRequest("estimate", to, value, data, null));
    }

    /**
     * A web3j {@link TransactionManager} that sends through this writer, for generated wrappers. Each
     * transaction takes its idempotency key from the innermost {@link #withIdempotencyKey} scope of the
     * calling thread (so use {@code RemoteCall.send()}, not {@code sendAsync()}).
     */
    public TransactionManager transactionManager() {
        return new WriterTransactionManager(this, WriterTransactionManager.scopedKeys());
    }

    /**
     * A web3j {@link TransactionManager} whose transactions use {@code idempotencyKey}, then
     * {@code idempotencyKey#2}, {@code #3}, ... for further transactions through the same manager.
     */
    public TransactionManager transactionManager(String idempotencyKey) {
        return new WriterTransactionManager(this, WriterTransactionManager.fixedKey(idempotencyKey));
    }

    /**
     * Runs {@code action} with {@code idempotencyKey} for the transactions it sends through
     * {@link #transactionManager()} on this thread (the first gets the key, later ones {@code key#2}, ...).
     */
    public static <T> T withIdempotencyKey(String idempotencyKey, java.util.concurrent.Callable<T> action) throws Exception {
        return WriterTransactionManager.withKey(idempotencyKey, action);
    }

    /** A gas provider for wrappers: {@code eth_estimateGas} plus this writer's margin. */
    public EstimatingGasProvider gasProvider(BigInteger fallbackGasLimit) {
        return new EstimatingGasProvider(this, fallbackGasLimit);
    }

    Web3j web3j() {
        return web3j;
    }

    RevertDecoder revertDecoder() {
        return revertDecoder;
    }

    Duration pollInterval() {
        return pollInterval;
    }

    int pollAttempts() {
        return pollAttempts;
    }

    /** Releases the state directory. Every record is already on disk; nothing is flushed here. */
    @Override
    public void close() throws IOException {
        closed = true;
        synchronized (capChanged) {
            capChanged.notifyAll();
        }
        try {
            fileLock.release();
        } finally {
            lockChannel.close();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Recording

    record Recorded(TxRecord record, boolean existing) {}

    /** Prices, signs and records {@code request} (or finds its earlier record); sends nothing. */
    Recorded record(TxRequest request) throws TxWriteException, InterruptedException {
        ensureOpen(request.idempotencyKey());
        Optional<TxRecord> existing = existing(request);
        if (existing.isPresent()) {
            return new Recorded(existing.get(), true);
        }
        BigInteger gasLimit = request.gasLimit() != null ? request.gasLimit() : estimate(request);
        FeeQuote.Fees fees = awaitFees(request.idempotencyKey(), UnaryOperator.identity());
        synchronized (lock) {
            existing = existing(request);
            if (existing.isPresent()) {
                return new Recorded(existing.get(), true);
            }
            long nonce = nonces.allocate();
            Signed signed = sign(nonce, gasLimit, fees, request.to(), request.value(), request.data());
            TxRecord rec = TxRecord.signed(request.idempotencyKey(), nonce, signed.hash, signed.raw);
            state.put(rec);
            state.nextNonce(nonces.next());
            try {
                stateFile.save(state);
            } catch (IOException e) {
                state.remove(rec.key());
                nonces.release(nonce);
                state.nextNonce(nonces.next());
                throw new TxWriteException(TxWriteException.Reason.STATE_UNWRITABLE, rec.key(),
                        "cannot record the signed transaction in " + stateFile.path() + "; nothing was sent", e);
            }
            stats.signed.incrementAndGet();
            LOG.debug("chain {}: recorded {} as nonce {} tx {} (max fee {}, tip {}, gas {})", chainId,
                    rec.key(), nonce, signed.hash, fees.maxFee(), fees.priorityFee(), gasLimit);
            return new Recorded(rec, false);
        }
    }

    private Optional<TxRecord> existing(TxRequest request) throws TxWriteException {
        Optional<TxRecord> found;
        synchronized (lock) {
            found = state.get(request.idempotencyKey());
        }
        if (found.isPresent()) {
            RawTransaction raw = TransactionDecoder.decode(found.get().rawTx());
            String to = normalizeTo(raw.getTo());
            boolean same = Objects.equals(to, request.to()) && raw.getValue().equals(request.value())
                    && Numeric.prependHexPrefix(raw.getData()).equalsIgnoreCase(request.data());
            if (!same) {
                throw new TxWriteException(TxWriteException.Reason.KEY_CONFLICT, request.idempotencyKey(),
                        "the key was used for a different write (to " + to + ", value " + raw.getValue() + ")", null);
            }
            stats.replayed.incrementAndGet();
        }
        return found;
    }

    private record Signed(String raw, String hash) {}

    private Signed sign(long nonce, BigInteger gasLimit, FeeQuote.Fees fees, String to, BigInteger value, String data) {
        RawTransaction tx = RawTransaction.createTransaction(chainId, BigInteger.valueOf(nonce), gasLimit,
                to == null ? "" : to, value, data, fees.priorityFee(), fees.maxFee());
        byte[] signed = TransactionEncoder.signMessage(tx, credentials);
        return new Signed(Numeric.toHexString(signed), Numeric.toHexString(Hash.sha3(signed)));
    }

    /** Re-signs the write of {@code rec} with another nonce and/or fees, records it, returns the new record. */
    private TxRecord resign(TxRecord rec, Long newNonce, FeeQuote.Fees fees, String why) throws TxWriteException {
        RawTransaction old = TransactionDecoder.decode(rec.rawTx());
        synchronized (lock) {
            TxRecord current = state.get(rec.key()).orElse(rec);
            if (!current.latestHash().equals(rec.latestHash())) {
                if (newNonce != null && newNonce != current.nonce()) {
                    nonces.release(newNonce); // not needed after all: leave no gap
                }
                return current; // another thread repaired it already
            }
            long nonce = newNonce != null ? newNonce : rec.nonce();
            Signed signed = sign(nonce, old.getGasLimit(), fees, normalizeTo(old.getTo()), old.getValue(),
                    Numeric.prependHexPrefix(old.getData()));
            TxRecord updated = rec.resigned(nonce, signed.hash, signed.raw);
            state.put(updated);
            state.nextNonce(nonces.next());
            try {
                stateFile.save(state);
            } catch (IOException e) {
                state.put(rec);
                throw new TxWriteException(TxWriteException.Reason.STATE_UNWRITABLE, rec.key(),
                        "cannot record the re-signed transaction in " + stateFile.path(), e);
            }
            stats.signed.incrementAndGet();
            LOG.info("chain {}: {} re-signed ({}): nonce {} -> {}, tx {} -> {}, max fee {}, tip {}", chainId,
                    rec.key(), why, rec.nonce(), nonce, rec.latestHash(), signed.hash, fees.maxFee(), fees.priorityFee());
            return updated;
        }
    }

    private static String normalizeTo(String to) {
        return to == null || to.isEmpty() || to.equals("0x") ? null : Numeric.prependHexPrefix(to).toLowerCase();
    }

    // ------------------------------------------------------------------------------------------------
    // Fees and gas

    BigInteger estimate(TxRequest request) throws TxWriteException, InterruptedException {
        Transaction call = new Transaction(address, null, null, null, request.to(), request.value(), request.data());
        try {
            BigInteger gas = rpc(request.idempotencyKey(), "eth_estimateGas", () -> web3j.ethEstimateGas(call).send())
                    .getAmountUsed();
            return gas.multiply(BigInteger.valueOf(100L + gasMarginPercent)).divide(BigInteger.valueOf(100));
        } catch (RpcErrorException e) {
            throw refusal(request.idempotencyKey(), "eth_estimateGas", e);
        }
    }

    private TxWriteException refusal(String key, String what, RpcErrorException e) {
        RpcErrorKind kind = RpcErrors.classify(e);
        if (kind == RpcErrorKind.REVERTED) {
            stats.reverted.incrementAndGet();
            RevertReason reason = revertDecoder.decode(e.data());
            LOG.warn("chain {}: {} reverts at {}: {}", chainId, key, what, reason);
            return new TxRevertedException(key, reason, null);
        }
        return new TxWriteException(TxWriteException.Reason.REJECTED, key, what + " refused (" + kind + "): "
                + e.rpcMessage(), e);
    }

    /** The current price for the next block, adjusted by {@code adjust} (e.g. into a replacement). */
    FeeQuote quote(String key, UnaryOperator<FeeQuote> adjust) throws TxWriteException, InterruptedException {
        EthFeeHistory.FeeHistory history;
        try {
            history = rpc(key, "eth_feeHistory", () -> web3j.ethFeeHistory(1, DefaultBlockParameterName.LATEST,
                    List.of(tipPercentile)).send()).getFeeHistory();
        } catch (RpcErrorException e) {
            throw refusal(key, "eth_feeHistory", e);
        }
        List<BigInteger> baseFees = history.getBaseFeePerGas();
        BigInteger baseFee = baseFees == null || baseFees.isEmpty() ? BigInteger.ZERO : baseFees.get(baseFees.size() - 1);
        BigInteger tip = BigInteger.ZERO;
        List<List<BigInteger>> rewards = history.getReward();
        if (rewards != null && !rewards.isEmpty() && !rewards.get(0).isEmpty()) {
            tip = rewards.get(0).get(0);
        }
        return adjust.apply(feePolicy.quote(baseFee, tip));
    }

    /** Waits until the (adjusted) quote fits under the cap; the wait is logged and counted. */
    private FeeQuote.Fees awaitFees(String key, UnaryOperator<FeeQuote> adjust) throws TxWriteException, InterruptedException {
        long start = System.nanoTime();
        boolean waiting = false;
        try {
            while (true) {
                ensureOpen(key);
                FeeQuote quote = quote(key, adjust);
                if (quote instanceof FeeQuote.Fees fees) {
                    if (waiting) {
                        LOG.info("chain {}: {} proceeds after waiting {} ms for fees under the cap ({} wei/gas)",
                                chainId, key, (System.nanoTime() - start) / 1_000_000, fees.maxFee());
                    }
                    return fees;
                }
                FeeQuote.OverCap over = (FeeQuote.OverCap) quote;
                stats.lastOverCap.set(over);
                if (!waiting) {
                    waiting = true;
                    stats.feeCapWaits.incrementAndGet();
                    stats.waitingForFeeCap.incrementAndGet();
                    LOG.warn("chain {}: {} waits, not sent: it needs {} wei/gas (base fee {} + tip {}), the cap is {}",
                            chainId, key, over.required(), over.baseFee(), over.priorityFee(), over.cap());
                }
                if (System.nanoTime() - start > maxFeeWait.toNanos()) {
                    throw new TxWriteException(TxWriteException.Reason.FEE_CAP_EXCEEDED, key, "fees stayed above the cap ("
                            + over.required() + " > " + over.cap() + " wei/gas) for " + maxFeeWait, null);
                }
                synchronized (capChanged) {
                    capChanged.wait(Math.max(1, feeRecheckInterval.toMillis()));
                }
            }
        } finally {
            if (waiting) {
                stats.waitingForFeeCap.decrementAndGet();
            }
        }
    }

    private static FeeQuote.Fees feesOf(TxRecord rec) {
        RawTransaction raw = TransactionDecoder.decode(rec.rawTx());
        Transaction1559 tx = (Transaction1559) raw.getTransaction();
        return new FeeQuote.Fees(BigInteger.ZERO, tx.getMaxPriorityFeePerGas(), tx.getMaxFeePerGas());
    }

    // ------------------------------------------------------------------------------------------------
    // Broadcasting

    /** Broadcasts the recorded transaction, repairing nonce and fee refusals; returns the record sent. */
    TxRecord broadcast(TxRecord rec) throws TxWriteException, InterruptedException {
        int repairs = 0;
        while (true) {
            ensureOpen(rec.key());
            RpcErrorException refused;
            try {
                String raw = rec.rawTx();
                rpc(rec.key(), "eth_sendRawTransaction", () -> web3j.ethSendRawTransaction(raw).send());
                return markSent(rec);
            } catch (RpcErrorException e) {
                refused = e;
            }
            RpcErrorKind kind = RpcErrors.classify(refused);
            switch (kind) {
                case ALREADY_KNOWN:
                    return markSent(rec);
                case NONCE_TOO_LOW:
                    if (findReceipt(rec).isPresent()) {
                        return markSent(rec); // it was mined already: the receipt wait finds it
                    }
                    rec = repairNonce(rec, "nonce " + rec.nonce() + " already used by another transaction");
                    break;
                case NONCE_TOO_HIGH:
                    rebroadcastBelow(rec.nonce());
                    if (repairs >= 2) {
                        rec = repairNonce(rec, "nonce " + rec.nonce() + " too high for the node");
                    } else {
                        Thread.sleep(retry.backoff(repairs + 1).toMillis());
                    }
                    break;
                case REPLACEMENT_UNDERPRICED:
                    // Every re-signature of this write outbids its previous version by 12.5 %, so the
                    // pooled transaction holding this nonce is not ours: the key is used elsewhere too.
                    // Outbidding it would cancel someone else's write; take a fresh nonce instead.
                    if (findReceipt(rec).isPresent()) {
                        return markSent(rec);
                    }
                    LOG.warn("chain {}: nonce {} of {} is held by a pooled transaction that is not this write's"
                            + " (is the key used by another sender?); moving {} to a fresh nonce", chainId,
                            rec.nonce(), address, rec.key());
                    rec = repairNonce(rec, "nonce " + rec.nonce() + " held by another pooled transaction");
                    break;
                case FEE_TOO_LOW: {
                    FeeQuote.Fees previous = feesOf(rec);
                    FeeQuote.Fees bumped = awaitFees(rec.key(), q -> feePolicy.replacement(previous, q));
                    rec = resign(rec, null, bumped, "max fee below the base fee");
                    stats.feeBumps.incrementAndGet();
                    break;
                }
                default:
                    throw fail(rec, refused);
            }
            if (++repairs > MAX_REPAIRS) {
                throw new TxWriteException(TxWriteException.Reason.REJECTED, rec.key(),
                        "gave up after " + MAX_REPAIRS + " repairs; last refusal: " + refused.rpcMessage(), refused);
            }
        }
    }

    private TxRecord markSent(TxRecord rec) {
        synchronized (lock) {
            TxRecord current = state.get(rec.key()).orElse(rec);
            if (current.status() == TxRecord.Status.SIGNED && current.latestHash().equals(rec.latestHash())) {
                TxRecord sent = current.sent();
                state.put(sent);
                try {
                    stateFile.save(state);
                } catch (IOException e) {
                    LOG.warn("chain {}: could not mark {} as sent in {} (harmless: it is re-broadcast on restart)",
                            chainId, rec.key(), stateFile.path(), e);
                }
                return sent;
            }
            return current;
        }
    }

    /** Gives the nonce back and records the refusal; returns the exception to throw. */
    private TxWriteException fail(TxRecord rec, RpcErrorException refused) {
        synchronized (lock) {
            state.put(rec.failed(refused.rpcMessage()));
            try {
                nonces.release(rec.nonce());
            } catch (IllegalArgumentException alreadyBelowFloor) {
                // the chain moved past it; nothing to give back
            }
            state.nextNonce(nonces.next());
            try {
                stateFile.save(state);
            } catch (IOException e) {
                LOG.warn("chain {}: could not record the refusal of {} in {}", chainId, rec.key(), stateFile.path(), e);
            }
        }
        return refusal(rec.key(), "eth_sendRawTransaction", refused);
    }

    /** The chain used the recorded nonce for something else: sign the same write with a fresh nonce. */
    private TxRecord repairNonce(TxRecord rec, String why) throws TxWriteException, InterruptedException {
        long pending = transactionCount(rec.key(), DefaultBlockParameterName.PENDING);
        FeeQuote.Fees fees = awaitFees(rec.key(), UnaryOperator.identity());
        long nonce;
        synchronized (lock) {
            nonces.raiseFloor(pending);
            nonce = nonces.allocate();
        }
        stats.nonceRepairs.incrementAndGet();
        return resign(rec, nonce, fees, why);
    }

    /** Re-broadcasts the unfinished records below {@code nonce} (a node lost them: nonce too high). */
    private void rebroadcastBelow(long nonce) throws InterruptedException {
        List<TxRecord> lower = new ArrayList<>();
        synchronized (lock) {
            for (TxRecord r : state.unfinished()) {
                if (r.nonce() < nonce) {
                    lower.add(r);
                }
            }
        }
        for (TxRecord r : lower) {
            broadcastOnce(r);
        }
    }

    /** Sends the recorded transaction once, without repairs; failures are logged, not thrown. */
    private void broadcastOnce(TxRecord rec) throws InterruptedException {
        try {
            String raw = rec.rawTx();
            rpc(rec.key(), "eth_sendRawTransaction", () -> web3j.ethSendRawTransaction(raw).send());
            stats.rebroadcasts.incrementAndGet();
            markSent(rec);
        } catch (RpcErrorException e) {
            if (RpcErrors.classify(e) == RpcErrorKind.ALREADY_KNOWN) {
                markSent(rec);
            } else {
                LOG.info("chain {}: re-broadcast of {} (nonce {}) refused: {}; it is repaired when the key is sent again",
                        chainId, rec.key(), rec.nonce(), e.rpcMessage());
            }
        } catch (TxWriteException e) {
            LOG.warn("chain {}: re-broadcast of {} failed: {}", chainId, rec.key(), e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Receipts

    private record Mined(String hash, TransactionReceipt receipt) {}

    private Optional<Mined> findReceipt(TxRecord rec) throws TxWriteException, InterruptedException {
        List<String> hashes = new ArrayList<>(rec.hashes());
        java.util.Collections.reverse(hashes);
        for (String hash : hashes) {
            try {
                Optional<TransactionReceipt> receipt = rpc(rec.key(), "eth_getTransactionReceipt",
                        () -> web3j.ethGetTransactionReceipt(hash).send()).getTransactionReceipt();
                if (receipt.isPresent()) {
                    return Optional.of(new Mined(hash, receipt.get()));
                }
            } catch (RpcErrorException e) {
                throw refusal(rec.key(), "eth_getTransactionReceipt", e);
            }
        }
        return Optional.empty();
    }

    private TxResult awaitReceipt(TxRecord sent, boolean replayed) throws TxWriteException, InterruptedException {
        TxRecord rec = sent;
        long deadline = System.nanoTime() + pollInterval.toNanos() * pollAttempts;
        long nextCheck = System.nanoTime() + resendInterval.toNanos();
        while (true) {
            synchronized (lock) {
                rec = state.get(rec.key()).orElse(rec);
            }
            if (rec.status() == TxRecord.Status.MINED) {
                return finished(rec);
            }
            Optional<Mined> mined = findReceipt(rec);
            if (mined.isPresent()) {
                return complete(rec, mined.get(), replayed);
            }
            long now = System.nanoTime();
            if (now > deadline) {
                throw new TxWriteException(TxWriteException.Reason.RECEIPT_TIMEOUT, rec.key(), "no receipt for "
                        + rec.hashes() + " (nonce " + rec.nonce() + ") after " + pollAttempts + " polls of "
                        + pollInterval.toMillis() + " ms; send the key again to keep waiting", null);
            }
            if (now >= nextCheck) {
                rec = unstick(rec);
                nextCheck = System.nanoTime() + resendInterval.toNanos();
            }
            ensureOpen(rec.key());
            Thread.sleep(pollInterval.toMillis());
        }
    }

    /**
     * A transaction that is taking long: if the chain used its nonce otherwise, re-sign with a fresh one;
     * if its max fee fell below the base fee, bump it when the cap allows; else send it again in case
     * the pool dropped it.
     */
    private TxRecord unstick(TxRecord rec) throws TxWriteException, InterruptedException {
        long latest = transactionCount(rec.key(), DefaultBlockParameterName.LATEST);
        if (latest > rec.nonce()) {
            if (findReceipt(rec).isPresent()) {
                return rec;
            }
            return broadcast(repairNonce(rec, "nonce " + rec.nonce() + " mined with another transaction"));
        }
        FeeQuote.Fees previous = feesOf(rec);
        FeeQuote now = quote(rec.key(), UnaryOperator.identity());
        if (now.baseFee().add(previous.priorityFee()).compareTo(previous.maxFee()) > 0) {
            FeeQuote replacement = feePolicy.replacement(previous, now);
            if (replacement instanceof FeeQuote.Fees bumped) {
                stats.feeBumps.incrementAndGet();
                return broadcast(resign(rec, null, bumped, "max fee below the base fee"));
            }
            stats.lastOverCap.set((FeeQuote.OverCap) replacement);
            LOG.warn("chain {}: {} (nonce {}) is stuck: base fee {} is above its max fee {} and a bump would exceed"
                    + " the cap {}", chainId, rec.key(), rec.nonce(), now.baseFee(), previous.maxFee(), feePolicy.maxFeeCap());
        }
        broadcastOnce(rec);
        return rec;
    }

    private TxResult complete(TxRecord rec, Mined mined, boolean replayed) throws TxWriteException, InterruptedException {
        TransactionReceipt receipt = mined.receipt;
        boolean ok = receipt.isStatusOK();
        String revertData = ok ? "" : revertData(rec, mined);
        TxRecord done = rec.mined(receipt.getBlockNumber(), mined.hash, ok, revertData);
        synchronized (lock) {
            state.put(done);
            state.prune(retainFinished);
            try {
                stateFile.save(state);
            } catch (IOException e) {
                LOG.warn("chain {}: could not record the receipt of {} in {} (harmless: found again on the next send)",
                        chainId, rec.key(), stateFile.path(), e);
            }
        }
        stats.mined.incrementAndGet();
        return outcome(done, receipt, replayed);
    }

    private TxResult finished(TxRecord rec) throws TxWriteException, InterruptedException {
        TransactionReceipt receipt;
        try {
            String hash = rec.minedHash();
            receipt = rpc(rec.key(), "eth_getTransactionReceipt", () -> web3j.ethGetTransactionReceipt(hash).send())
                    .getTransactionReceipt().orElse(null);
        } catch (RpcErrorException e) {
            throw refusal(rec.key(), "eth_getTransactionReceipt", e);
        }
        if (receipt == null) {
            throw new TxWriteException(TxWriteException.Reason.REJECTED, rec.key(), "recorded as mined in block "
                    + rec.blockNumber() + " as " + rec.minedHash() + " but the node has no receipt (reorg or another chain?)", null);
        }
        return outcome(rec, receipt, true);
    }

    private TxResult outcome(TxRecord rec, TransactionReceipt receipt, boolean replayed) throws TxRevertedException {
        if (!rec.success()) {
            RevertReason reason = revertDecoder.decode(rec.detail());
            receipt.setRevertReason(reason.toString());
            if (!replayed) {
                stats.reverted.incrementAndGet();
                LOG.warn("chain {}: {} reverted on chain in {}: {}", chainId, rec.key(), rec.minedHash(), reason);
            }
            throw new TxRevertedException(rec.key(), reason, receipt);
        }
        return new TxResult(rec.key(), rec.nonce(), rec.minedHash(), rec.blockNumber(), receipt, replayed);
    }

    /** Replays a reverted transaction with eth_call on the state before its block to get the revert data. */
    private String revertData(TxRecord rec, Mined mined) throws InterruptedException {
        RawTransaction raw = TransactionDecoder.decode(rec.rawTx());
        Transaction call = new Transaction(address, null, null, raw.getGasLimit(), normalizeTo(raw.getTo()),
                raw.getValue(), Numeric.prependHexPrefix(raw.getData()));
        BigInteger block = mined.receipt.getBlockNumber().subtract(BigInteger.ONE).max(BigInteger.ZERO);
        try {
            rpc(rec.key(), "eth_call", () -> web3j.ethCall(call, DefaultBlockParameter.valueOf(block)).send());
            return "0x"; // the replay did not revert (state differs): no reason to report
        } catch (RpcErrorException e) {
            return e.data() == null ? "0x" : e.data();
        } catch (TxWriteException e) {
            LOG.warn("chain {}: could not replay {} for its revert reason: {}", chainId, rec.key(), e.getMessage());
            return "0x";
        }
    }

    // ------------------------------------------------------------------------------------------------
    // RPC

    @FunctionalInterface
    private interface RpcCall<T> {
        T send() throws IOException;
    }

    /**
     * Runs one RPC call; transport failures and overload answers are retried with backoff until the
     * retry policy gives up. A JSON-RPC error answer of any other kind is thrown as {@link RpcErrorException}.
     */
    private <T extends Response<?>> T rpc(String key, String method, RpcCall<T> call)
            throws RpcErrorException, TxWriteException, InterruptedException {
        long start = System.nanoTime();
        int attempt = 0;
        while (true) {
            Exception failure;
            try {
                T response = call.send();
                if (response.hasError()) {
                    throw RpcErrorException.of(method, response.getError());
                }
                return response;
            } catch (IOException | ClientConnectionException e) {
                failure = e;
            }
            RpcErrorKind kind = RpcErrors.classify(failure);
            if (kind != RpcErrorKind.UNAVAILABLE) {
                if (failure instanceof RpcErrorException rpcError) {
                    throw rpcError;
                }
                throw new TxWriteException(TxWriteException.Reason.REJECTED, key, method + " failed for good: " + failure, failure);
            }
            attempt++;
            Duration backoff = retry.backoff(attempt);
            if (Duration.ofNanos(System.nanoTime() - start).plus(backoff).compareTo(retry.giveUpAfter()) > 0) {
                throw new TxWriteException(TxWriteException.Reason.RPC_UNAVAILABLE, key, method + " failed " + attempt
                        + " times over " + retry.giveUpAfter() + ": " + failure, failure);
            }
            stats.rpcRetries.incrementAndGet();
            LOG.warn("chain {}: {} failed ({}), retry {} in {} ms", chainId, method, failure.toString(), attempt, backoff.toMillis());
            ensureOpen(key);
            Thread.sleep(backoff.toMillis());
        }
    }

    private long transactionCount(String key, DefaultBlockParameterName block) throws TxWriteException, InterruptedException {
        try {
            return rpc(key, "eth_getTransactionCount", () -> web3j.ethGetTransactionCount(address, block).send())
                    .getTransactionCount().longValueExact();
        } catch (RpcErrorException e) {
            throw refusal(key, "eth_getTransactionCount", e);
        }
    }

    private void ensureOpen(String key) throws TxWriteException {
        if (closed) {
            throw new TxWriteException(TxWriteException.Reason.CLOSED, key, "the writer is closed", null);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Start-up

    /** Reconciles the loaded state with the chain and re-broadcasts what was recorded but not mined. */
    private void reconcile() throws TxWriteException, InterruptedException {
        String key = "(start-up)";
        long latest = transactionCount(key, DefaultBlockParameterName.LATEST);
        long pending = transactionCount(key, DefaultBlockParameterName.PENDING);
        List<TxRecord> unfinished;
        synchronized (lock) {
            unfinished = state.unfinished();
        }
        List<TxRecord> open = new ArrayList<>();
        for (TxRecord rec : unfinished) {
            Optional<Mined> mined = findReceipt(rec);
            if (mined.isPresent()) {
                try {
                    complete(rec, mined.get(), true);
                } catch (TxRevertedException reverted) {
                    // recorded as reverted; the caller hears of it when it sends the key again
                }
            } else {
                open.add(rec);
            }
        }
        Set<Long> held = new HashSet<>();
        long maxHeld = -1;
        for (TxRecord rec : open) {
            held.add(rec.nonce());
            maxHeld = Math.max(maxHeld, rec.nonce());
        }
        long next = Math.max(pending, maxHeld + 1);
        NonceAllocator allocator = new NonceAllocator(next);
        for (long n = next - 1; n >= pending; n--) {
            if (!held.contains(n)) {
                allocator.release(n); // a gap a refused transaction left: hand it out first
            }
        }
        synchronized (lock) {
            long recorded = state.nextNonce();
            nonces = allocator;
            state.nextNonce(allocator.next());
            try {
                stateFile.save(state);
            } catch (IOException e) {
                throw new TxWriteException(TxWriteException.Reason.STATE_UNWRITABLE, key,
                        "cannot write " + stateFile.path(), e);
            }
            LOG.info("chain {} key {}: nonces latest {}, pending {}, recorded next {} -> next {}; {} unfinished"
                    + " write(s) to re-broadcast{}", chainId, address, latest, pending, recorded, allocator.next(),
                    open.size(), allocator.released().isEmpty() ? "" : ", gaps " + allocator.released());
        }
        for (TxRecord rec : open) {
            broadcastOnce(rec);
        }
    }

    // ------------------------------------------------------------------------------------------------

    /**
     * Builds a writer. Every strategy is given explicitly (nothing falls back to web3j's defaults,
     * whose receipt polling waits 15 s); {@link #build()} checks the inputs, takes the state
     * directory's lock, loads and reconciles the state, and re-broadcasts unfinished writes.
     */
    public static final class Builder {
        private Web3j web3j;
        private Credentials credentials;
        private Long chainId;
        private Path stateDir;
        private FeePolicy feePolicy;
        private double tipPercentile = 50;
        private Duration pollInterval;
        private Integer pollAttempts;
        private Duration resendInterval;
        private Duration feeRecheckInterval;
        private Duration maxFeeWait;
        private RetryPolicy retry;
        private int gasMarginPercent = 20;
        private int retainFinished = 10_000;
        private RevertDecoder revertDecoder;

        private Builder() {}

        /** The chain's RPC client. */
        public Builder web3j(Web3j web3j) {
            this.web3j = web3j;
            return this;
        }

        /** The key that signs. */
        public Builder credentials(Credentials credentials) {
            this.credentials = credentials;
            return this;
        }

        /** The chain id; checked against {@code eth_chainId} at build. */
        public Builder chainId(long chainId) {
            this.chainId = chainId;
            return this;
        }

        /** Where the state file lives (one directory per chain and key). */
        public Builder stateDir(Path stateDir) {
            this.stateDir = stateDir;
            return this;
        }

        public Builder feePolicy(FeePolicy feePolicy) {
            this.feePolicy = feePolicy;
            return this;
        }

        /** The reward percentile of the last block taken as the suggested tip (default 50). */
        public Builder tipPercentile(double percentile) {
            this.tipPercentile = percentile;
            return this;
        }

        /** Receipt polling: every {@code interval}, at most {@code attempts} times per send (devnet: 100 ms, 300). */
        public Builder receiptPolling(Duration interval, int attempts) {
            this.pollInterval = interval;
            this.pollAttempts = attempts;
            return this;
        }

        /** How often a transaction still unmined is checked (nonce used elsewhere? fee too low?) and re-sent. */
        public Builder resendInterval(Duration interval) {
            this.resendInterval = interval;
            return this;
        }

        /** While fees are over the cap: re-check every {@code recheck}, give up after {@code maxWait}. */
        public Builder feeCapWait(Duration recheck, Duration maxWait) {
            this.feeRecheckInterval = recheck;
            this.maxFeeWait = maxWait;
            return this;
        }

        public Builder retry(RetryPolicy retry) {
            this.retry = retry;
            return this;
        }

        /** Gas limit = estimate * (100 + percent) / 100 (default 20). */
        public Builder gasMarginPercent(int percent) {
            this.gasMarginPercent = percent;
            return this;
        }

        /** How many finished writes stay in the state file for replay (default 10,000; oldest dropped first). */
        public Builder retainFinished(int count) {
            this.retainFinished = count;
            return this;
        }

        public Builder revertDecoder(RevertDecoder decoder) {
            this.revertDecoder = decoder;
            return this;
        }

        /**
         * The settings every long-running Tributary service writes with (relayer, intake, keeper,
         * workers): fee cap {@code maxFeeCapWei} (tip at most 1 gwei, fee-cap factor 2), receipts polled
         * every 100 ms up to 300 times, unmined transactions re-checked every 2 s, fees over the cap
         * re-checked every second for up to 30 s, RPC retries from 100 ms to 2 s within 20 s, and the
         * project's custom errors decoded. Call the individual setters after it to change one.
         */
        public Builder serviceDefaults(BigInteger maxFeeCapWei) {
            return feePolicy(new FeePolicy(maxFeeCapWei, BigInteger.ONE, maxFeeCapWei.min(BigInteger.TEN.pow(9)), 2))
                    .receiptPolling(Duration.ofMillis(100), 300)
                    .resendInterval(Duration.ofSeconds(2))
                    .feeCapWait(Duration.ofSeconds(1), Duration.ofSeconds(30))
                    .retry(new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(20)))
                    .revertDecoder(RevertDecoder.withProjectErrors());
        }

        public TransactionWriter build() throws IOException, TxWriteException, InterruptedException {
            List<String> problems = new ArrayList<>();
            if (web3j == null) {
                problems.add("web3j is required");
            }
            if (credentials == null) {
                problems.add("credentials are required");
            }
            if (chainId == null || chainId <= 0) {
                problems.add("chainId must be set and positive, was " + chainId);
            }
            if (stateDir == null) {
                problems.add("stateDir is required");
            }
            if (feePolicy == null) {
                problems.add("feePolicy is required (it carries the max fee cap)");
            }
            if (!(tipPercentile >= 0 && tipPercentile <= 100)) {
                problems.add("tipPercentile must be in 0..100, was " + tipPercentile);
            }
            if (pollInterval == null || pollAttempts == null) {
                problems.add("receiptPolling(interval, attempts) is required (devnet: 100 ms, 300)");
            } else if (pollInterval.toMillis() < 1 || pollAttempts < 1) {
                problems.add("receipt polling needs interval >= 1 ms and attempts >= 1, was " + pollInterval + ", " + pollAttempts);
            }
            if (resendInterval == null || resendInterval.toMillis() < 1) {
                problems.add("resendInterval must be set and at least 1 ms, was " + resendInterval);
            }
            if (feeRecheckInterval == null || maxFeeWait == null) {
                problems.add("feeCapWait(recheck, maxWait) is required");
            } else if (feeRecheckInterval.toMillis() < 1 || maxFeeWait.isNegative()) {
                problems.add("feeCapWait needs recheck >= 1 ms and maxWait >= 0, was " + feeRecheckInterval + ", " + maxFeeWait);
            }
            if (retry == null) {
                problems.add("retry policy is required");
            }
            if (gasMarginPercent < 0 || gasMarginPercent > 200) {
                problems.add("gasMarginPercent must be in 0..200, was " + gasMarginPercent);
            }
            if (retainFinished < 0) {
                problems.add("retainFinished must not be negative, was " + retainFinished);
            }
            if (revertDecoder == null) {
                problems.add("revertDecoder is required (RevertDecoder.withProjectErrors() knows the project's errors)");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("TransactionWriter: " + String.join("; ", problems));
            }
            Files.createDirectories(stateDir);
            Path lockFile = stateDir.resolve("txwriter.lock");
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new StateFileException(StateFileException.Reason.LOCKED, lockFile,
                        "another transaction writer uses this state directory", null);
            }
            try {
                return open(channel, lock);
            } catch (IOException | TxWriteException | InterruptedException | RuntimeException e) {
                lock.release();
                channel.close();
                throw e;
            }
        }

        private TransactionWriter open(FileChannel channel, FileLock lock)
                throws IOException, TxWriteException, InterruptedException {
            String address = credentials.getAddress().toLowerCase();
            StateFile file = new StateFile(stateDir);
            WriterState state = file.load().orElseGet(() -> new WriterState(chainId, address, 0));
            if (state.chainId() != chainId || !state.address().equalsIgnoreCase(address)) {
                throw new StateFileException(StateFileException.Reason.WRONG_IDENTITY, file.path(), "it belongs to chain "
                        + state.chainId() + " key " + state.address() + ", not chain " + chainId + " key " + address, null);
            }
            TransactionWriter writer = new TransactionWriter(this, channel, lock, state);
            long remoteChainId;
            try {
                remoteChainId = writer.rpc("(start-up)", "eth_chainId", () -> web3j.ethChainId().send())
                        .getChainId().longValueExact();
            } catch (RpcErrorException e) {
                throw writer.refusal("(start-up)", "eth_chainId", e);
            }
            if (remoteChainId != chainId) {
                throw new IllegalArgumentException("the RPC endpoint serves chain " + remoteChainId + ", the writer was built for "
                        + chainId);
            }
            writer.reconcile();
            return writer;
        }
    }
}
