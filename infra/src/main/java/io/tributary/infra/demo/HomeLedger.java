package io.tributary.infra.demo;

import io.tributary.contracts.tx.ChainViews;
import io.tributary.contracts.generated.RewardVault;
import io.tributary.contracts.generated.TaskCoordinator;
import io.tributary.contracts.generated.TrainingToken;
import io.tributary.infra.devnet.DevnetInfo;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.TypeEncoder;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * What the demo reads from the chains about its task: the phase of each round on the home
 * TaskCoordinator, the commitRound transaction of each round and its gas, the escrow (from the
 * coordinator's events) and the token balances of the workers (TRN on home, wTRN of each
 * participant chain's RewardVault). Reads only.
 */
public final class HomeLedger implements AutoCloseable {

    private static final StaticGasProvider NO_GAS = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);
    private static final String READER = "0x0000000000000000000000000000000000000001";

    /** The coordinator's Phase enum, in its order. */
    public enum RoundPhase { OPEN, COMMITTING, REVEALING, AGGREGATING, CHALLENGING, FINALIZED, FAILED }

    /** A round's commitment as the chain recorded it. */
    public record Commit(int round, String txHash, long gasUsed, byte[] modelRoot, byte[] contributionsRoot,
                         long totalWeight, int contributors) {}

    private final DevnetInfo info;
    private final Map<Long, Web3j> clients = new HashMap<>();
    private final Web3j home;
    private final TaskCoordinator coordinator;
    private final Map<Integer, Commit> commits = new HashMap<>();

    public HomeLedger(DevnetInfo info) {
        this.info = info;
        for (DevnetInfo.Chain chain : info.chains()) {
            clients.put(chain.chainId(), Web3j.build(new HttpService(chain.rpcUrl())));
        }
        this.home = clients.get(info.home().chainId());
        this.coordinator = TaskCoordinator.load(info.home().contracts().taskCoordinator(), home,
                new ReadonlyTransactionManager(home, READER), NO_GAS);
    }

    /** The round's phase on home now. */
    public RoundPhase phase(long taskId, int round) throws IOException {
        return RoundPhase.values()[ChainViews.read("chain view", () -> coordinator.roundPhase(BigInteger.valueOf(taskId), BigInteger.valueOf(round)).send())
                .intValueExact()];
    }

    /** The round's RoundCommitted event with its transaction's gas, once committed. */
    public synchronized Optional<Commit> commit(long taskId, int round) throws IOException {
        Commit known = commits.get(round);
        if (known != null) {
            return Optional.of(known);
        }
        for (TaskCoordinator.RoundCommittedEventResponse e : events(TaskCoordinator.ROUNDCOMMITTED_EVENT, taskId,
                TaskCoordinator::getRoundCommittedEventFromLog)) {
            if (e.round.intValueExact() == round) {
                TransactionReceipt receipt = ChainViews.read("chain view", () -> home.ethGetTransactionReceipt(e.log.getTransactionHash()).send())
                        .getTransactionReceipt().orElseThrow(() -> new IOException("no receipt for " + e.log.getTransactionHash()));
                Commit c = new Commit(round, e.log.getTransactionHash(), receipt.getGasUsed().longValueExact(), e.modelRoot,
                        e.contributionsRoot, e.totalWeight.longValueExact(), e.contributors.intValueExact());
                commits.put(round, c);
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /**
     * The task's escrow from the coordinator: deposited (the bounty), paid (home claims plus the
     * shares sent to participant chains' vaults) and refunded (failed rounds, finalization dust,
     * cancellation).
     */
    public DemoReport.Escrow escrow(long taskId) throws IOException {
        BigInteger bounty = ChainViews.read("chain view", () -> coordinator.taskState(BigInteger.valueOf(taskId)).send()).component3();
        BigInteger paid = BigInteger.ZERO;
        for (TaskCoordinator.RewardClaimedEventResponse e : events(TaskCoordinator.REWARDCLAIMED_EVENT, taskId,
                TaskCoordinator::getRewardClaimedEventFromLog)) {
            paid = paid.add(e.amount);
        }
        for (TaskCoordinator.ChainShareSentEventResponse e : events(TaskCoordinator.CHAINSHARESENT_EVENT, taskId,
                TaskCoordinator::getChainShareSentEventFromLog)) {
            paid = paid.add(e.chainShare);
        }
        BigInteger refunded = BigInteger.ZERO;
        for (TaskCoordinator.RoundFailedEventResponse e : events(TaskCoordinator.ROUNDFAILED_EVENT, taskId,
                TaskCoordinator::getRoundFailedEventFromLog)) {
            refunded = refunded.add(e.refund);
        }
        for (TaskCoordinator.RoundFinalizedEventResponse e : events(TaskCoordinator.ROUNDFINALIZED_EVENT, taskId,
                TaskCoordinator::getRoundFinalizedEventFromLog)) {
            refunded = refunded.add(e.dust);
        }
        for (TaskCoordinator.TaskCancelledEventResponse e : events(TaskCoordinator.TASKCANCELLED_EVENT, taskId,
                TaskCoordinator::getTaskCancelledEventFromLog)) {
            refunded = refunded.add(e.refund);
        }
        return new DemoReport.Escrow(bounty, paid, refunded);
    }

    /** The worker's reward-token balance on its chain: TRN on home, the vault's wTRN elsewhere. */
    public BigInteger rewardBalance(long chainId, String worker) throws IOException {
        DevnetInfo.Chain chain = info.chains().stream().filter(c -> c.chainId() == chainId).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no chain " + chainId));
        Web3j web3j = clients.get(chainId);
        ReadonlyTransactionManager reader = new ReadonlyTransactionManager(web3j, READER);
        if (chain.role() == DevnetInfo.Role.HOME) {
            TrainingToken token = TrainingToken.load(chain.contracts().trainingToken(), web3j, reader, NO_GAS);
            return ChainViews.read("chain view", () -> token.balanceOf(worker).send());
        }
        RewardVault vault = RewardVault.load(chain.contracts().rewardVault(), web3j, reader, NO_GAS);
        return ChainViews.read("chain view", () -> vault.balanceOf(worker).send());
    }

    private <T> List<T> events(Event event, long taskId, Function<Log, T> decode) throws IOException {
        EthFilter filter = new EthFilter(DefaultBlockParameterName.EARLIEST, DefaultBlockParameterName.LATEST,
                info.home().contracts().taskCoordinator());
        filter.addSingleTopic(EventEncoder.encode(event));
        filter.addSingleTopic("0x" + TypeEncoder.encode(new Uint256(taskId)));
        EthLog logs = ChainViews.read("chain view", () -> home.ethGetLogs(filter).send());
        if (logs.hasError()) {
            throw new IOException("eth_getLogs on home: " + logs.getError().getMessage());
        }
        List<T> out = new ArrayList<>();
        for (EthLog.LogResult<?> r : logs.getLogs()) {
            out.add(decode.apply((Log) r.get()));
        }
        return out;
    }



    @Override
    public void close() {
        clients.values().forEach(Web3j::shutdown);
    }
}
