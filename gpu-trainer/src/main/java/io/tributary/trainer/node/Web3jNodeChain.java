package io.tributary.trainer.node;

import io.tributary.contracts.tx.ChainViews;
import io.tributary.contracts.generated.ModelRegistry;
import io.tributary.contracts.generated.RewardVault;
import io.tributary.contracts.generated.TaskCoordinator;
import io.tributary.contracts.generated.WorkerHub;
import io.tributary.contracts.tx.TransactionWriter;
import io.tributary.contracts.tx.TxRequest;
import io.tributary.contracts.tx.TxResult;
import io.tributary.contracts.tx.TxWriteException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.TypeEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.tuples.generated.Tuple4;
import org.web3j.tuples.generated.Tuple5;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * {@link NodeChain} over web3j: reads through the generated wrappers with a read-only transaction
 * manager, writes (register, commit, reveal, claim; all on the worker's own chain) through the
 * contracts module's {@link TransactionWriter} with the idempotency keys
 * {@code worker/register}, {@code task/T/round/R/commit|reveal|claim}.
 */
public final class Web3jNodeChain implements NodeChain, AutoCloseable {

    private static final StaticGasProvider NO_GAS = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);

    private final long chainId;
    private final boolean home;
    private final String worker;
    private final TransactionWriter writer;
    private final Web3j ownWeb3j;
    private final WorkerHub hub;
    private final RewardVault vault;
    private final TaskCoordinator coordinator;
    private final ModelRegistry registry;
    /** Rewards found in blocks before {@link #rewardsScannedFrom}. */
    private BigInteger rewardsSum = BigInteger.ZERO;
    private long rewardsScannedFrom;

    /** Addresses the node uses: its own chain's hub (and vault unless home), home's coordinator and registry. */
    public record Addresses(String workerHub, String rewardVault, String taskCoordinator, String modelRegistry) {
        public Addresses {
            Objects.requireNonNull(workerHub, "workerHub");
            Objects.requireNonNull(taskCoordinator, "taskCoordinator");
            Objects.requireNonNull(modelRegistry, "modelRegistry");
        }
    }

    /**
     * @param own the worker's chain
     * @param homeWeb3j the home chain (the same client as {@code own} when the worker is on home)
     * @param writer the worker's writer on its own chain (closed by the caller)
     * @param home whether the worker's chain is the home chain
     */
    public Web3jNodeChain(Web3j own, Web3j homeWeb3j, TransactionWriter writer, boolean home, Addresses addresses) {
        if (!home && addresses.rewardVault() == null) {
            throw new IllegalArgumentException("a worker on a participant chain needs its RewardVault address");
        }
        this.chainId = writer.chainId();
        this.home = home;
        this.worker = writer.address().toLowerCase(Locale.ROOT);
        this.writer = writer;
        this.ownWeb3j = own;
        ReadonlyTransactionManager ownReader = new ReadonlyTransactionManager(own, worker);
        ReadonlyTransactionManager homeReader = new ReadonlyTransactionManager(homeWeb3j, worker);
        this.hub = WorkerHub.load(addresses.workerHub(), own, ownReader, NO_GAS);
        this.vault = home ? null : RewardVault.load(addresses.rewardVault(), own, ownReader, NO_GAS);
        this.coordinator = TaskCoordinator.load(addresses.taskCoordinator(), homeWeb3j, homeReader, NO_GAS);
        this.registry = ModelRegistry.load(addresses.modelRegistry(), homeWeb3j, homeReader, NO_GAS);
    }

    /** A transaction writer for a worker on a devnet-like chain (fee cap {@code maxFeeCapWei}), state in {@code stateDir}. */
    public static TransactionWriter openWriter(Web3j web3j, Credentials key, long chainId, Path stateDir, BigInteger maxFeeCapWei)
            throws IOException, TxWriteException, InterruptedException {
        return TransactionWriter.builder()
                .web3j(web3j)
                .credentials(key)
                .chainId(chainId)
                .stateDir(stateDir)
                .serviceDefaults(maxFeeCapWei)
                .build();
    }

    @Override
    public long chainId() {
        return chainId;
    }

    @Override
    public boolean home() {
        return home;
    }

    @Override
    public String worker() {
        return worker;
    }

    @Override
    public Optional<String> ensureRegistered(BigInteger stakeWei) throws IOException, InterruptedException {
        if (ChainViews.read("chain view", () -> hub.isActiveWorker(worker).send())) {
            return writer.recordOf(registerKey()).map(r -> r.latestHash());
        }
        return Optional.of(send(new TxRequest(registerKey(), hub.getContractAddress(), stakeWei,
                hub.register(stakeWei).encodeFunctionCall(), null)));
    }

    private String registerKey() {
        return "worker/" + chainId + "/register";
    }

    @Override
    public BigInteger stake() throws IOException {
        return ChainViews.read("chain view", () -> hub.workerOf(worker).send()).stake;
    }

    /**
     * Sums the amounts of the {@code RewardClaimed} logs naming the worker on its chain's payer
     * (coordinator or vault). The first call reads from the chain's first block, later calls only
     * the blocks since the previous one (the sum is kept; a reorg that drops a claim is not undone).
     */
    @Override
    public synchronized BigInteger rewardsReceived() throws IOException {
        long head = ChainViews.read("block number", () -> ownWeb3j.ethBlockNumber().send()).getBlockNumber().longValueExact();
        if (head < rewardsScannedFrom) {
            return rewardsSum;
        }
        String payer = home ? coordinator.getContractAddress() : vault.getContractAddress();
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(rewardsScannedFrom)),
                DefaultBlockParameter.valueOf(BigInteger.valueOf(head)), payer)
                .addSingleTopic(EventEncoder.encode(home ? TaskCoordinator.REWARDCLAIMED_EVENT : RewardVault.REWARDCLAIMED_EVENT))
                .addNullTopic()
                .addNullTopic()
                .addSingleTopic("0x" + TypeEncoder.encode(new Address(worker)));
        EthLog found = ChainViews.read("RewardClaimed logs", () -> ownWeb3j.ethGetLogs(filter).send());
        if (found.hasError()) {
            throw new IOException("RewardClaimed logs failed: " + found.getError().getMessage());
        }
        BigInteger sum = rewardsSum;
        for (EthLog.LogResult<?> result : found.getLogs()) {
            Log log = (Log) result.get();
            sum = sum.add(home ? TaskCoordinator.getRewardClaimedEventFromLog(log).amount
                    : RewardVault.getRewardClaimedEventFromLog(log).amount);
        }
        rewardsSum = sum;
        rewardsScannedFrom = head + 1;
        return sum;
    }

    @Override
    public TaskSchedule task(long taskId) throws IOException {
        TaskCoordinator.TaskSpec s = ChainViews.read("chain view", () -> coordinator.taskSpec(BigInteger.valueOf(taskId)).send());
        return new TaskSchedule(taskId, s.modelId.longValueExact(), s.rounds.intValueExact(), s.maxWeight.longValueExact(),
                s.maxContributors.intValueExact(), s.startTime.longValueExact(), s.roundPeriod.longValueExact(),
                s.commitWindow.longValueExact(), s.revealWindow.longValueExact(), s.aggregateWindow.longValueExact(),
                s.challengeWindow.longValueExact(), s.clipBound.longValueExact(), s.expMin.intValueExact(),
                s.expMax.intValueExact(), s.chainIds.stream().map(BigInteger::longValueExact).toList());
    }

    @Override
    public boolean hubKnowsTask(long taskId) throws IOException {
        return ChainViews.read("chain view", () -> hub.taskWindows(BigInteger.valueOf(taskId)).send()).rounds.signum() > 0;
    }

    @Override
    public RegisteredModel model(long modelId) throws IOException {
        Tuple4<String, byte[], byte[], String> m = ChainViews.read("chain view", () -> registry.model(BigInteger.valueOf(modelId)).send());
        if (new BigInteger(1, org.web3j.utils.Numeric.hexStringToByteArray(m.component1())).signum() == 0) {
            throw new IOException("model " + modelId + " is not registered");
        }
        return new RegisteredModel(modelId, m.component3(), m.component4());
    }

    @Override
    public byte[] commitmentOf(byte[] updateRoot, long samples, byte[] dataRoot, byte[] salt) throws IOException {
        return ChainViews.read("chain view", () -> hub.commitmentOf(updateRoot, BigInteger.valueOf(samples), dataRoot, salt, worker).send());
    }

    @Override
    public String commit(long taskId, int round, byte[] commitment) throws IOException, InterruptedException {
        return send(TxRequest.call(key(taskId, round, "commit"), hub.getContractAddress(),
                hub.commitUpdate(BigInteger.valueOf(taskId), BigInteger.valueOf(round), commitment).encodeFunctionCall()));
    }

    @Override
    public String reveal(long taskId, int round, byte[] updateRoot, long samples, byte[] dataRoot, byte[] salt)
            throws IOException, InterruptedException {
        return send(TxRequest.call(key(taskId, round, "reveal"), hub.getContractAddress(),
                hub.revealUpdate(BigInteger.valueOf(taskId), BigInteger.valueOf(round), updateRoot, BigInteger.valueOf(samples),
                        dataRoot, salt).encodeFunctionCall()));
    }

    @Override
    public Entry entry(long taskId, int round) throws IOException {
        WorkerHub.Entry e = ChainViews.read("chain view", () -> hub.entryOf(BigInteger.valueOf(taskId), BigInteger.valueOf(round), worker).send());
        return new Entry(e.commitment, e.updateRoot);
    }

    @Override
    public Optional<byte[]> committedModelRoot(long taskId, int round) throws IOException {
        Tuple5<byte[], byte[], BigInteger, BigInteger, BigInteger> c =
                ChainViews.read("chain view", () -> coordinator.roundCommitment(BigInteger.valueOf(taskId), BigInteger.valueOf(round)).send());
        return c.component4().signum() == 0 ? Optional.empty() : Optional.of(c.component1());
    }

    @Override
    public Settlement settlement(long taskId, int round) throws IOException {
        BigInteger t = BigInteger.valueOf(taskId);
        BigInteger r = BigInteger.valueOf(round);
        int phase = ChainViews.read("chain view", () -> coordinator.roundPhase(t, r).send()).intValueExact();
        if (phase == 6) { // Failed
            return new Settlement(Settlement.State.FAILED, null);
        }
        if (phase != 5) { // not Finalized yet
            return new Settlement(Settlement.State.PENDING, null);
        }
        if (home) {
            if (ChainViews.read("chain view", () -> coordinator.isClaimed(t, r, worker).send())) {
                return new Settlement(Settlement.State.CLAIMED, null);
            }
            return new Settlement(Settlement.State.CLAIMABLE, ChainViews.read("chain view", () -> coordinator.roundCommitment(t, r).send()).component2());
        }
        RewardVault.Grant grant = ChainViews.read("chain view", () -> vault.grantOf(t, r).send());
        if (Entry.isZero(grant.contributionsRoot)) {
            return new Settlement(Settlement.State.PENDING, null); // ROUND_FINALIZED not relayed yet (or no share here)
        }
        if (ChainViews.read("chain view", () -> vault.isClaimed(t, r, worker).send())) {
            return new Settlement(Settlement.State.CLAIMED, null);
        }
        return new Settlement(Settlement.State.CLAIMABLE, grant.contributionsRoot);
    }

    @Override
    public String claim(long taskId, int round, byte[] updateRoot, long weight, long index, List<byte[]> proof)
            throws IOException, InterruptedException {
        BigInteger t = BigInteger.valueOf(taskId);
        BigInteger r = BigInteger.valueOf(round);
        BigInteger w = BigInteger.valueOf(weight);
        BigInteger i = BigInteger.valueOf(index);
        String to = home ? coordinator.getContractAddress() : vault.getContractAddress();
        String data = home ? coordinator.claim(t, r, worker, updateRoot, w, i, proof).encodeFunctionCall()
                : vault.claim(t, r, worker, updateRoot, w, i, proof).encodeFunctionCall();
        return send(TxRequest.call(key(taskId, round, "claim"), to, data));
    }

    private String key(long taskId, int round, String action) {
        return "task/" + taskId + "/round/" + round + "/" + action;
    }

    private String send(TxRequest request) throws IOException, InterruptedException {
        try {
            TxResult result = writer.send(request);
            return result.transactionHash();
        } catch (TxWriteException e) {
            throw new IOException(request.idempotencyKey() + " failed: " + e.getMessage(), e);
        }
    }



    @Override
    public void close() {
        // the writer and the web3j clients belong to the caller
    }
}
