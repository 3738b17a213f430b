package io.tributary.ingest.keeper;

import io.tributary.contracts.tx.ChainViews;
import io.tributary.contracts.generated.TaskCoordinator;
import io.tributary.contracts.tx.RevertReason;
import io.tributary.contracts.tx.TransactionWriter;
import io.tributary.contracts.tx.TxRecord;
import io.tributary.contracts.tx.TxRequest;
import io.tributary.contracts.tx.TxResult;
import io.tributary.contracts.tx.TxRevertedException;
import io.tributary.contracts.tx.TxWriteException;
import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import org.web3j.abi.datatypes.Address;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.http.HttpService;
import org.web3j.tuples.generated.Tuple3;
import org.web3j.tuples.generated.Tuple5;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * The home TaskCoordinator as the keeper uses it: the home clock (the latest block's timestamp, what
 * the contract compares with), the schedule and state of rounds from its views, and the two writes
 * open to anyone, {@code finalizeRound} and {@code failRound}, through the operator's
 * {@link TransactionWriter} under the idempotency keys {@code keeper/finalize/T/R} and
 * {@code keeper/fail/T/R} (then {@code .../attempt-2}, ... if the node refused the earlier one, which
 * therefore had no effect). A write that reverts because the round is already settled is an
 * {@link Outcome.Kind#ALREADY_SETTLED} outcome, not an error.
 */
final class HomeCoordinator implements AutoCloseable {

    /** {@code ITaskCoordinator.Phase}: Finalized and Failed. */
    static final int PHASE_FINALIZED = 5;
    static final int PHASE_FAILED = 6;
    /** {@code TaskCoordinator.Status.Active}. */
    static final int STATUS_ACTIVE = 1;
    static final String WRONG_PHASE = "TaskCoordinatorWrongPhase";
    static final String TASK_NOT_ACTIVE = "TaskCoordinatorTaskNotActive";

    private static final StaticGasProvider NO_GAS = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);

    private final Web3j web3j;
    private final String address;
    private final TaskCoordinator views;
    private final TransactionWriter writer;

    private HomeCoordinator(Web3j web3j, String address, TransactionWriter writer) {
        this.web3j = web3j;
        this.address = address;
        this.views = TaskCoordinator.load(address, web3j, new ReadonlyTransactionManager(web3j, Address.DEFAULT.getValue()),
                NO_GAS);
        this.writer = writer;
    }

    /** Connects to the home chain and opens the operator's writer (it locks {@link KeeperConfig#stateDir()}). */
    static HomeCoordinator connect(KeeperConfig config) throws IOException, InterruptedException {
        Web3j web3j = Web3j.build(new HttpService(config.rpcUrl()));
        try {
            BigInteger cap = config.maxFeeCapWei();
            TransactionWriter writer = TransactionWriter.builder()
                    .web3j(web3j)
                    .credentials(Credentials.create(config.operatorKey()))
                    .chainId(config.chainId())
                    .stateDir(config.stateDir())
                    .serviceDefaults(cap)
                    .build();
            return new HomeCoordinator(web3j, config.coordinator(), writer);
        } catch (TxWriteException e) {
            web3j.shutdown();
            throw new IOException("cannot open the keeper's transaction writer: " + e.getMessage(), e);
        } catch (IOException | InterruptedException | RuntimeException e) {
            web3j.shutdown();
            throw e;
        }
    }

    /** The operator's address. */
    String operator() {
        return writer.address();
    }

    /** Home time: the timestamp of the latest block (unix seconds). */
    long now() throws IOException {
        return web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock().getTimestamp()
                .longValueExact();
    }

    /** A task's rounds, challenge window and each round's aggregation deadline, as the coordinator has them. */
    Terms terms(long taskId) throws IOException {
        BigInteger id = BigInteger.valueOf(taskId);
        TaskCoordinator.TaskSpec spec = ChainViews.read("TaskCoordinator view", () -> views.taskSpec(id).send());
        int rounds = spec.rounds.intValueExact();
        long[] deadlines = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            BigInteger round = BigInteger.valueOf(r);
            Tuple3<BigInteger, BigInteger, BigInteger> d = ChainViews.read("TaskCoordinator view", () -> views.roundDeadlines(id, round).send());
            deadlines[r] = d.component3().longValueExact();
        }
        return new Terms(rounds, spec.challengeWindow.longValueExact(), deadlines);
    }

    /**
     * The round as the coordinator has it now. An uncommitted round of an active task past its
     * deadline reads Failed whether or not {@code failRound} ran; such a round is reported unsettled
     * (sending {@code failRound} tells, see {@link #send}).
     */
    RoundFacts facts(long taskId, int round, Terms terms) throws IOException {
        BigInteger id = BigInteger.valueOf(taskId);
        BigInteger r = BigInteger.valueOf(round);
        int phase = ChainViews.read("TaskCoordinator view", () -> views.roundPhase(id, r).send()).intValueExact();
        Tuple5<byte[], byte[], BigInteger, BigInteger, BigInteger> c = ChainViews.read("TaskCoordinator view", () -> views.roundCommitment(id, r).send());
        int status = ChainViews.read("TaskCoordinator view", () -> views.taskState(id).send()).component2().intValueExact();
        long committedAt = c.component4().longValueExact();
        boolean settled = phase == PHASE_FINALIZED || (phase == PHASE_FAILED && committedAt != 0);
        return new RoundFacts(taskId, round, terms.aggregationDeadline(round), terms.challengeWindow(), committedAt,
                settled, status == STATUS_ACTIVE);
    }

    /** Sends {@code finalizeRound} or {@code failRound} for the round, once per (action, task, round). */
    Outcome send(RoundFacts.Action action, long taskId, int round) throws TxWriteException, InterruptedException {
        BigInteger id = BigInteger.valueOf(taskId);
        BigInteger r = BigInteger.valueOf(round);
        String base;
        String data;
        switch (action) {
            case FINALIZE -> {
                base = "keeper/finalize/" + taskId + "/" + round;
                data = views.finalizeRound(id, r).encodeFunctionCall();
            }
            case FAIL -> {
                base = "keeper/fail/" + taskId + "/" + round;
                data = views.failRound(id, r).encodeFunctionCall();
            }
            default -> throw new IllegalArgumentException("nothing to send for " + action);
        }
        String key = base;
        for (int attempt = 2; refused(key); attempt++) {
            key = base + "/attempt-" + attempt; // the node refused the earlier one: it had no effect
        }
        try {
            TxResult result = writer.send(TxRequest.call(key, address, data));
            return new Outcome(Outcome.Kind.SENT, key, result.transactionHash(), result.blockNumber().longValueExact(),
                    result.receipt().getGasUsed(), result.replayed(), "");
        } catch (TxRevertedException e) {
            if (alreadySettled(e.revertReason())) {
                return new Outcome(Outcome.Kind.ALREADY_SETTLED, key,
                        e.receipt().map(t -> t.getTransactionHash()).orElse(""), 0, BigInteger.ZERO, false,
                        e.revertReason().toString());
            }
            throw e;
        }
    }

    /**
     * Whether the writer recorded {@code key} as refused by the node (e.g. the operator could not pay
     * for gas): such a write never reached the chain, so the keeper may try again under a new key
     * once the operator is funded. Mined and pending writes are never sent again.
     */
    private boolean refused(String key) {
        return writer.recordOf(key).map(rec -> rec.status() == TxRecord.Status.FAILED).orElse(false);
    }

    /** A revert that says the round needs nothing more: already Finalized or Failed, or the task is over. */
    static boolean alreadySettled(RevertReason reason) {
        if (reason.kind() != RevertReason.Kind.CUSTOM_ERROR) {
            return false;
        }
        if (TASK_NOT_ACTIVE.equals(reason.name())) {
            return true;
        }
        List<String> args = reason.arguments();
        if (WRONG_PHASE.equals(reason.name()) && args.size() == 3) {
            String phase = args.get(2);
            return phase.equals(Integer.toString(PHASE_FINALIZED)) || phase.equals(Integer.toString(PHASE_FAILED));
        }
        return false;
    }


    @Override
    public void close() throws IOException {
        try {
            writer.close();
        } finally {
            web3j.shutdown();
        }
    }

    /** A task's schedule as far as the keeper needs it. */
    record Terms(int rounds, long challengeWindow, long[] aggregationDeadlines) {
        long aggregationDeadline(int round) {
            return aggregationDeadlines[round];
        }
    }

    /**
     * What a keeper write came to.
     *
     * @param kind sent (mined successfully, or found mined under its key) or already settled by someone
     * @param key the idempotency key
     * @param txHash the transaction, if one was mined
     * @param block its block, or 0
     * @param gasUsed its gas, or 0
     * @param replayed the key had been written before (a restart): nothing new was sent
     * @param detail the revert reason of an already settled round
     */
    record Outcome(Kind kind, String key, String txHash, long block, BigInteger gasUsed, boolean replayed,
            String detail) {
        enum Kind { SENT, ALREADY_SETTLED }
    }
}
