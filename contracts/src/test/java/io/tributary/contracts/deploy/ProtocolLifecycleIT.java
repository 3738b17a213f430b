package io.tributary.contracts.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.contracts.gateway.GatewayApprovals;
import io.tributary.contracts.generated.Gateway;
import io.tributary.contracts.generated.ModelRegistry;
import io.tributary.contracts.generated.RewardVault;
import io.tributary.contracts.generated.TaskCoordinator;
import io.tributary.contracts.generated.TrainingToken;
import io.tributary.contracts.generated.WorkerHub;
import io.tributary.contracts.tx.FeePolicy;
import io.tributary.contracts.tx.RetryPolicy;
import io.tributary.contracts.tx.RevertDecoder;
import io.tributary.contracts.tx.TransactionWriter;
import io.tributary.contracts.tx.TxRequest;
import io.tributary.contracts.tx.TxResult;
import io.tributary.schemas.merkle.Contribution;
import io.tributary.schemas.merkle.MerkleTree;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.TypeEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.utils.Numeric;

/**
 * A two-round task on three real anvil chains, deployed by the {@link Deployer}: the client posts a
 * task on all three chains, workers on every chain stake, commit and reveal, the aggregator commits
 * each round with a contributions root built by {@link Contribution#tree}, rounds finalize, and every
 * worker claims on its own chain. Every cross-chain message is relayed by this test: the source
 * gateway's {@code ContractCall} logs, command ids and approval digests from {@link GatewayApprovals},
 * two of the three guardian keys sign in Java, the relayer approves on the destination gateway and
 * executes the receiver. Time moves on all chains together with {@code evm_setNextBlockTimestamp}.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ProtocolLifecycleIT {

    private static final Logger LOG = LoggerFactory.getLogger(ProtocolLifecycleIT.class);
    private static final List<Credentials> KEYS = DevKeys.anvil(TestChain.ACCOUNTS);
    private static final KeyRoles ROLES = KeyRoles.defaults();
    private static final BigInteger ETHER = BigInteger.TEN.pow(18);
    private static final StaticGasProvider NO_GAS = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);
    private static final String CONTRACT_CALL_TOPIC = EventEncoder.encode(Gateway.CONTRACTCALL_EVENT);

    // schedule (seconds)
    private static final long COMMIT_WINDOW = 600;
    private static final long REVEAL_WINDOW = 600;
    private static final long AGGREGATE_WINDOW = 600;
    private static final long CHALLENGE_WINDOW = 300;
    private static final long ROUND_PERIOD = COMMIT_WINDOW + REVEAL_WINDOW;
    private static final int ROUNDS = 2;
    private static final BigInteger BOUNTY = ETHER.multiply(BigInteger.valueOf(999)).add(BigInteger.valueOf(7));

    /** A worker: its key, the chain it works on, and its weight (samples) in each round. */
    private record Worker(int keyIndex, TestChain chain, long[] samples) {
        Credentials key() {
            return KEYS.get(keyIndex);
        }

        String address() {
            return key().getAddress();
        }
    }

    private Path dir;
    private List<TestChain> chains;
    private Deployment deployment;
    private final Map<String, TransactionWriter> writers = new HashMap<>();
    private final Map<String, TestChain> byName = new HashMap<>();
    private final List<TransactionReceipt> commitReceipts = new ArrayList<>();
    private final Map<String, TransactionReceipt> claimReceipts = new LinkedHashMap<>();
    private int relayed;
    private long writes;

    @BeforeEach
    void startChainsAndDeploy() throws Exception {
        Path base = Path.of(System.getProperty("tributary.testDir", "target/it"));
        dir = base.resolve("lifecycle-" + System.nanoTime());
        long t0 = System.nanoTime();
        chains = TestChain.devnetChains(dir);
        chains.forEach(c -> byName.put(c.name, c));
        long t1 = System.nanoTime();
        Deployer.Builder builder = Deployer.builder().devKeys(KEYS.subList(0, ROLES.keysNeeded())).stateDir(dir.resolve("deployment"));
        for (TestChain chain : chains) {
            if (chain.home) {
                builder.home(chain.name, chain.chainId, chain.web3j);
            } else {
                builder.participant(chain.name, chain.chainId, chain.web3j);
            }
        }
        deployment = builder.build().deploy();
        LOG.info("timing: 3 anvils up in {} ms, deployment in {} ms", (t1 - t0) / 1_000_000,
                (System.nanoTime() - t1) / 1_000_000);
    }

    @AfterEach
    void stop() throws Exception {
        for (TransactionWriter writer : writers.values()) {
            writer.close();
        }
        if (chains != null) {
            TestChain.closeAll(chains);
        }
    }

    @Test
    void shouldRunATwoRoundTaskWithWorkersOnThreeChainsAndPayEveryWorkerOnItsOwnChain() throws Exception {
        long started = System.nanoTime();
        TestChain home = byName.get("home");
        TestChain arbitrum = byName.get("arbitrum-local");
        TestChain avalanche = byName.get("avalanche-local");
        Credentials client = KEYS.get(ROLES.client());
        Credentials aggregator = KEYS.get(ROLES.aggregator());
        List<Worker> workers = List.of(
                new Worker(ROLES.workers().get(0), home, new long[] {300, 500}),
                new Worker(ROLES.workers().get(1), arbitrum, new long[] {200, 250}),
                new Worker(12, arbitrum, new long[] {100, 333}),
                new Worker(ROLES.workers().get(2), avalanche, new long[] {400, 17}));
        List<TestChain> taskChains = List.of(home, arbitrum, avalanche);

        ChainContracts homeContracts = deployment.home();
        TaskCoordinator coordinator = view(home, homeContracts.taskCoordinator(), TaskCoordinator::load);
        TrainingToken token = view(home, homeContracts.trainingToken(), TrainingToken::load);
        ModelRegistry registry = view(home, homeContracts.modelRegistry(), ModelRegistry::load);

        // all chains on one clock
        long t0 = chains.stream().mapToLong(c -> {
            try {
                return c.timestamp();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).max().orElseThrow() + 10;
        advanceAllTo(t0);

        // the model, the bounty, the task
        byte[] initialRoot = sha256("initial model");
        send(home, client, "registerModel", homeContracts.modelRegistry(), BigInteger.ZERO,
                registry.registerModel(sha256("mlp 784-128-10"), initialRoot, "devnet://mnist-mlp").encodeFunctionCall());
        BigInteger modelId = registry.modelCount().send();
        BigInteger clientBefore = token.balanceOf(client.getAddress()).send();
        send(home, client, "approve", homeContracts.trainingToken(), BigInteger.ZERO,
                token.approve(homeContracts.taskCoordinator(), BOUNTY).encodeFunctionCall());
        long startTime = t0 + 100;
        TaskCoordinator.TaskSpec spec = new TaskCoordinator.TaskSpec(modelId, sha256("mnist train split"),
                BigInteger.valueOf(ROUNDS), BigInteger.valueOf(3), BigInteger.valueOf(100), BigInteger.valueOf(10_000),
                BigInteger.valueOf(startTime), BigInteger.valueOf(ROUND_PERIOD), BigInteger.valueOf(COMMIT_WINDOW),
                BigInteger.valueOf(REVEAL_WINDOW), BigInteger.valueOf(AGGREGATE_WINDOW),
                BigInteger.valueOf(CHALLENGE_WINDOW), BigInteger.valueOf(4L << 32), BigInteger.valueOf(-8),
                BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO,
                taskChains.stream().map(c -> BigInteger.valueOf(c.chainId)).toList());
        TransactionReceipt posted = send(home, client, "postTask", homeContracts.taskCoordinator(), BigInteger.ZERO,
                coordinator.postTask(spec, BOUNTY).encodeFunctionCall());
        List<TaskCoordinator.TaskPostedEventResponse> postedEvents = TaskCoordinator.getTaskPostedEvents(posted);
        assertThat(postedEvents).hasSize(1);
        BigInteger taskId = postedEvents.get(0).taskId;
        assertThat(postedEvents.get(0).bounty).isEqualTo(BOUNTY);
        assertThat(token.balanceOf(homeContracts.taskCoordinator()).send()).isEqualTo(BOUNTY);

        // TASK_POSTED to the hub of every chain of the task (home included, through its own gateway)
        List<TransactionReceipt> announced = relay(home, posted);
        assertThat(announced).hasSize(3);
        for (TestChain chain : taskChains) {
            WorkerHub hub = view(chain, deployment.chain(chain.name).workerHub(), WorkerHub::load);
            assertThat(hub.taskWindows(taskId).send().rounds).as(chain.name).isEqualTo(BigInteger.valueOf(ROUNDS));
        }
        assertThat(announced).allSatisfy(r -> assertThat(WorkerHub.getTaskAnnouncedEvents(r)).hasSize(1));

        // workers stake on their own chains
        for (Worker worker : workers) {
            WorkerHub hub = view(worker.chain(), hubOf(worker), WorkerHub::load);
            send(worker.chain(), worker.key(), "register", hubOf(worker), ETHER, hub.register(ETHER).encodeFunctionCall());
            assertThat(hub.isActiveWorker(worker.address()).send()).isTrue();
        }

        Map<String, BigInteger> homePaid = new LinkedHashMap<>();
        Map<String, BigInteger> expectedReward = new LinkedHashMap<>();
        byte[] parentRoot = initialRoot;
        List<byte[]> modelRoots = new ArrayList<>();
        BigInteger refundedDust = BigInteger.ZERO;
        for (int round = 0; round < ROUNDS; round++) {
            final int current = round;
            BigInteger r = BigInteger.valueOf(round);
            long open = startTime + round * ROUND_PERIOD;
            long commitDeadline = open + COMMIT_WINDOW;
            long revealDeadline = commitDeadline + REVEAL_WINDOW;

            // commit (each worker on its own chain), then reveal after the commit window
            advanceAllTo(open);
            Map<Worker, byte[][]> secrets = new HashMap<>();
            for (Worker worker : workers) {
                byte[] updateRoot = sha256("update " + worker.address() + " round " + round);
                byte[] dataRoot = sha256("data " + worker.address() + " round " + round);
                byte[] salt = sha256("salt " + worker.address() + " round " + round + " " + System.nanoTime());
                long samples = worker.samples()[round];
                byte[] commitment = commitment(updateRoot, samples, dataRoot, salt, worker.address());
                WorkerHub hub = view(worker.chain(), hubOf(worker), WorkerHub::load);
                assertThat(hub.commitmentOf(updateRoot, BigInteger.valueOf(samples), dataRoot, salt, worker.address()).send())
                        .isEqualTo(commitment);
                send(worker.chain(), worker.key(), "commit-" + round, hubOf(worker), BigInteger.ZERO,
                        hub.commitUpdate(taskId, r, commitment).encodeFunctionCall());
                secrets.put(worker, new byte[][] {updateRoot, dataRoot, salt});
            }
            advanceAllTo(commitDeadline);
            for (Worker worker : workers) {
                byte[][] s = secrets.get(worker);
                WorkerHub hub = view(worker.chain(), hubOf(worker), WorkerHub::load);
                TransactionReceipt revealed = send(worker.chain(), worker.key(), "reveal-" + round, hubOf(worker),
                        BigInteger.ZERO, hub.revealUpdate(taskId, r, s[0], BigInteger.valueOf(worker.samples()[round]),
                                s[1], s[2]).encodeFunctionCall());
                assertThat(WorkerHub.getUpdateRevealedEvents(revealed)).hasSize(1);
            }

            // the aggregator's commitment: one model root and one contributions root for the round
            advanceAllTo(revealDeadline);
            List<Contribution> contributions = new ArrayList<>();
            for (Worker worker : workers) {
                contributions.add(new Contribution(worker.chain().chainId, Numeric.hexStringToByteArray(worker.address()),
                        secrets.get(worker)[0], worker.samples()[round]));
            }
            MerkleTree tree = Contribution.tree(contributions);
            byte[] modelRoot = sha256("global model round " + round);
            modelRoots.add(modelRoot);
            List<BigInteger> chainWeights = new ArrayList<>();
            long total = 0;
            for (TestChain chain : taskChains) {
                long w = workers.stream().filter(x -> x.chain() == chain).mapToLong(x -> x.samples()[current]).sum();
                chainWeights.add(BigInteger.valueOf(w));
                total += w;
            }
            TransactionReceipt committed = send(home, aggregator, "commitRound-" + round, homeContracts.taskCoordinator(),
                    BigInteger.ZERO, coordinator.commitRound(taskId, r, modelRoot, tree.root(), BigInteger.valueOf(total),
                            BigInteger.valueOf(workers.size()), chainWeights).encodeFunctionCall());
            commitReceipts.add(committed);
            assertThat(TaskCoordinator.getRoundCommittedEvents(committed)).singleElement()
                    .satisfies(e -> assertThat(e.contributionsRoot).isEqualTo(tree.root()));
            long committedAt = home.web3j.ethGetBlockByHash(committed.getBlockHash(), false).send().getBlock()
                    .getTimestamp().longValueExact();

            // challenge window over: finalize; ROUND_FINALIZED to the vaults of the two participant chains
            advanceAllTo(committedAt + CHALLENGE_WINDOW);
            TransactionReceipt finalized = send(home, KEYS.get(ROLES.relayer()), "finalize-" + round,
                    homeContracts.taskCoordinator(), BigInteger.ZERO, coordinator.finalizeRound(taskId, r).encodeFunctionCall());
            TaskCoordinator.RoundFinalizedEventResponse fin = TaskCoordinator.getRoundFinalizedEvents(finalized).get(0);
            refundedDust = refundedDust.add(fin.dust);
            assertThat(TaskCoordinator.getChainShareSentEvents(finalized)).hasSize(2);
            List<TransactionReceipt> funded = relay(home, finalized);
            assertThat(funded).hasSize(2).allSatisfy(f -> assertThat(RewardVault.getRoundFundedEvents(f)).hasSize(1));

            // every worker claims on its own chain with its proof
            BigInteger roundReward = coordinator.roundReward(taskId, r).send();
            for (int i = 0; i < workers.size(); i++) {
                Worker worker = workers.get(i);
                long weight = worker.samples()[round];
                List<byte[]> proof = Arrays.asList(tree.proof(i));
                String claimOn = worker.chain().home ? homeContracts.taskCoordinator() : deployment.chain(worker.chain().name).rewardVault();
                String data = worker.chain().home
                        ? coordinator.claim(taskId, r, worker.address(), secrets.get(worker)[0], BigInteger.valueOf(weight),
                                BigInteger.valueOf(i), proof).encodeFunctionCall()
                        : view(worker.chain(), claimOn, RewardVault::load).claim(taskId, r, worker.address(),
                                secrets.get(worker)[0], BigInteger.valueOf(weight), BigInteger.valueOf(i), proof)
                                .encodeFunctionCall();
                TransactionReceipt claimed = send(worker.chain(), worker.key(), "claim-" + round, claimOn, BigInteger.ZERO, data);
                claimReceipts.put("round " + round + " " + (worker.chain().home ? "TaskCoordinator.claim" : "RewardVault.claim")
                        + " on " + worker.chain().name + " by " + worker.address(), claimed);
                BigInteger expected;
                long chainWeight = chainWeights.get(taskChains.indexOf(worker.chain())).longValueExact();
                if (worker.chain().home) {
                    expected = roundReward.multiply(BigInteger.valueOf(weight)).divide(BigInteger.valueOf(total));
                    BigInteger paid = TaskCoordinator.getRewardClaimedEvents(claimed).get(0).amount;
                    assertThat(paid).isEqualTo(expected);
                    homePaid.merge(worker.address(), paid, BigInteger::add);
                } else {
                    BigInteger share = roundReward.multiply(BigInteger.valueOf(chainWeight)).divide(BigInteger.valueOf(total));
                    expected = share.multiply(BigInteger.valueOf(weight)).divide(BigInteger.valueOf(chainWeight));
                    assertThat(RewardVault.getRewardClaimedEvents(claimed).get(0).amount).isEqualTo(expected);
                }
                expectedReward.merge(worker.chain().name + "/" + worker.address(), expected, BigInteger::add);
            }

            // lineage
            ModelRegistry.Checkpoint checkpoint = registry.checkpoint(modelId, r).send();
            assertThat(checkpoint.taskId).isEqualTo(taskId);
            assertThat(checkpoint.round).isEqualTo(r);
            assertThat(checkpoint.modelRoot).isEqualTo(modelRoot);
            assertThat(checkpoint.parentRoot).isEqualTo(parentRoot);
            parentRoot = modelRoot;
        }

        // balances: TRN on home, wTRN on each participant chain's vault
        for (Worker worker : workers) {
            BigInteger expected = expectedReward.get(worker.chain().name + "/" + worker.address());
            if (worker.chain().home) {
                assertThat(token.balanceOf(worker.address()).send()).as("TRN of %s", worker.address()).isEqualTo(expected);
            } else {
                RewardVault vault = view(worker.chain(), deployment.chain(worker.chain().name).rewardVault(), RewardVault::load);
                assertThat(vault.balanceOf(worker.address()).send()).as("wTRN of %s on %s", worker.address(), worker.chain().name)
                        .isEqualTo(expected);
                assertThat(expected).isPositive();
            }
        }

        // escrow: deposited = paid on home + refunded + held; held = locked for the chains + what is left in home pools
        BigInteger paidHome = homePaid.values().stream().reduce(BigInteger.ZERO, BigInteger::add);
        BigInteger refunded = token.balanceOf(client.getAddress()).send().subtract(clientBefore.subtract(BOUNTY));
        BigInteger held = token.balanceOf(homeContracts.taskCoordinator()).send();
        assertThat(refunded).isEqualTo(refundedDust);
        assertThat(paidHome.add(refunded).add(held)).isEqualTo(BOUNTY);
        BigInteger locked = BigInteger.ZERO;
        for (TestChain chain : List.of(arbitrum, avalanche)) {
            RewardVault vault = view(chain, deployment.chain(chain.name).rewardVault(), RewardVault::load);
            BigInteger lockedForChain = coordinator.lockedForChain(BigInteger.valueOf(chain.chainId)).send();
            assertThat(vault.totalGranted().send()).as(chain.name).isEqualTo(lockedForChain);
            BigInteger minted = vault.totalSupply().send();
            // what was granted but not minted is the floor rounding of the claims: under one unit per worker
            assertThat(lockedForChain.subtract(minted)).as(chain.name).isBetween(BigInteger.ZERO, BigInteger.valueOf(workers.size()));
            locked = locked.add(lockedForChain);
        }
        assertThat(held.subtract(locked)).as("left in the home pools (floor rounding of home claims)")
                .isBetween(BigInteger.ZERO, BigInteger.valueOf(ROUNDS));

        // lineage: two checkpoints, the head is the last round's model
        assertThat(registry.checkpointCount(modelId).send()).isEqualTo(BigInteger.valueOf(ROUNDS));
        assertThat(registry.headRoot(modelId).send()).isEqualTo(modelRoots.get(ROUNDS - 1));
        assertThat(registry.checkpoint(modelId, BigInteger.ONE).send().parentRoot).isEqualTo(modelRoots.get(0));
        assertThat(coordinator.roundPhase(taskId, BigInteger.ZERO).send()).isEqualTo(BigInteger.valueOf(5)); // Finalized
        assertThat(coordinator.roundPhase(taskId, BigInteger.ONE).send()).isEqualTo(BigInteger.valueOf(5));
        assertThat(relayed).isEqualTo(3 + 2 * ROUNDS);

        long elapsed = (System.nanoTime() - started) / 1_000_000;
        LOG.info("timing: the two-round life cycle took {} ms: {} writes, {} messages relayed", elapsed, writes, relayed);
        for (TransactionReceipt receipt : commitReceipts) {
            LOG.info("gas: commitRound {} (receipt gasUsed, with the 21,000 base and calldata)", receipt.getGasUsed());
            assertThat(receipt.getGasUsed()).isLessThan(BigInteger.valueOf(100_000 + 21_000 + 16 * 600));
        }
        for (Map.Entry<String, TransactionReceipt> claim : claimReceipts.entrySet()) {
            LOG.info("gas: {}: {} (receipt gasUsed)", claim.getKey(), claim.getValue().getGasUsed());
            assertThat(claim.getValue().getGasUsed()).as(claim.getKey())
                    .isLessThan(BigInteger.valueOf(120_000 + 21_000 + 16 * 600));
        }
    }

    // ---------------------------------------------------------------------------------------- relaying

    /**
     * Relays every ContractCall that {@code receipt} emitted on {@code source}'s gateway: command id
     * and digest per GATEWAY.md, signatures of guardians 1 and 3 (two of three, sorted by address),
     * approveContractCall on the destination gateway, then execute on the receiver. Returns the
     * execute receipts.
     */
    private List<TransactionReceipt> relay(TestChain source, TransactionReceipt receipt) throws Exception {
        String sourceGateway = deployment.chain(source.name).gateway();
        Credentials relayer = KEYS.get(ROLES.relayer());
        List<Credentials> signers = List.of(KEYS.get(ROLES.guardians().get(0)), KEYS.get(ROLES.guardians().get(2)));
        List<TransactionReceipt> executed = new ArrayList<>();
        for (Log log : receipt.getLogs()) {
            if (!log.getAddress().equalsIgnoreCase(sourceGateway) || !log.getTopics().get(0).equals(CONTRACT_CALL_TOPIC)) {
                continue;
            }
            Gateway.ContractCallEventResponse call = Gateway.getContractCallEventFromLog(log);
            TestChain destination = byName.get(call.destinationChain);
            String destinationGateway = deployment.chain(destination.name).gateway();
            String sourceAddress = call.sender.toLowerCase();
            byte[] commandId = GatewayApprovals.commandId(source.name, receipt.getTransactionHash(),
                    log.getLogIndex().intValueExact());
            GatewayApprovals.Approval approval = new GatewayApprovals.Approval(commandId, source.name, sourceAddress,
                    destination.name, call.destinationContractAddress, call.payloadHash);
            byte[] digest = GatewayApprovals.approvalDigest(
                    new GatewayApprovals.Domain(destination.chainId, destinationGateway), approval);
            Gateway gateway = view(destination, destinationGateway, Gateway::load);
            assertThat(gateway.contractCallDigest(commandId, source.name, sourceAddress, call.destinationContractAddress,
                    call.payloadHash).send()).as("digest computed in Java = the gateway's").isEqualTo(digest);
            List<GatewayApprovals.Signed> signatures = new ArrayList<>();
            for (Credentials guardian : signers) {
                byte[] signature = GatewayApprovals.sign(digest, guardian);
                assertThat(GatewayApprovals.signer(digest, signature)).isEqualToIgnoringCase(guardian.getAddress());
                signatures.add(new GatewayApprovals.Signed(guardian.getAddress(), signature));
            }
            String key = "relay-" + Numeric.toHexString(commandId);
            TransactionReceipt approved = send(destination, relayer, key + "-approve", destinationGateway, BigInteger.ZERO,
                    gateway.approveContractCall(commandId, source.name, sourceAddress, call.destinationContractAddress,
                            call.payloadHash, GatewayApprovals.ordered(signatures)).encodeFunctionCall());
            assertThat(Gateway.getContractCallApprovedEvents(approved)).hasSize(1);
            // every receiver (hub, vault, coordinator) is an AxelarExecutable with the same execute
            WorkerHub receiver = view(destination, call.destinationContractAddress, WorkerHub::load);
            TransactionReceipt done = send(destination, relayer, key + "-execute", call.destinationContractAddress,
                    BigInteger.ZERO, receiver.execute(commandId, source.name, sourceAddress, call.payload).encodeFunctionCall());
            assertThat(Gateway.getContractCallExecutedEvents(done)).hasSize(1);
            assertThat(gateway.isContractCallExecuted(commandId).send()).isTrue();
            executed.add(done);
            relayed++;
        }
        return executed;
    }

    // ---------------------------------------------------------------------------------------- helpers

    private String hubOf(Worker worker) {
        return deployment.chain(worker.chain().name).workerHub();
    }

    /** keccak256(abi.encode(updateRoot, samples, dataRoot, salt, worker)), as PROTOCOL.md defines it. */
    private static byte[] commitment(byte[] updateRoot, long samples, byte[] dataRoot, byte[] salt, String worker) {
        String encoded = TypeEncoder.encode(new Bytes32(updateRoot)) + TypeEncoder.encode(new Uint64(BigInteger.valueOf(samples)))
                + TypeEncoder.encode(new Bytes32(dataRoot)) + TypeEncoder.encode(new Bytes32(salt))
                + TypeEncoder.encode(new Address(worker));
        return Hash.sha3(Numeric.hexStringToByteArray(encoded));
    }

    private void advanceAllTo(long time) throws Exception {
        for (TestChain chain : chains) {
            if (chain.timestamp() < time) {
                chain.mineAt(time);
            }
        }
    }

    private interface Loader<T> {
        T load(String address, org.web3j.protocol.Web3j web3j, org.web3j.tx.TransactionManager tm,
                org.web3j.tx.gas.ContractGasProvider gas);
    }

    /** A wrapper for reads and for encoding calls; writes go through the writers. */
    private static <T> T view(TestChain chain, String address, Loader<T> loader) {
        return loader.load(address, chain.web3j, new ReadonlyTransactionManager(chain.web3j, Address.DEFAULT.getValue()),
                NO_GAS);
    }

    private TransactionReceipt send(TestChain chain, Credentials key, String what, String to, BigInteger value, String data)
            throws Exception {
        TxResult result = writer(chain, key).send(new TxRequest("it/" + what, to, value, data, null));
        writes++;
        assertThat(result.receipt().isStatusOK()).as(what).isTrue();
        return result.receipt();
    }

    private TransactionWriter writer(TestChain chain, Credentials key) throws Exception {
        String id = chain.name + "-" + key.getAddress();
        TransactionWriter writer = writers.get(id);
        if (writer == null) {
            BigInteger cap = BigInteger.TEN.pow(11);
            writer = TransactionWriter.builder()
                    .web3j(chain.web3j)
                    .credentials(key)
                    .chainId(chain.chainId)
                    .stateDir(dir.resolve("writers").resolve(id))
                    .feePolicy(new FeePolicy(cap, BigInteger.ONE, BigInteger.TEN.pow(9), 2))
                    .receiptPolling(Duration.ofMillis(20), 1000)
                    .resendInterval(Duration.ofSeconds(2))
                    .feeCapWait(Duration.ofMillis(100), Duration.ofSeconds(10))
                    .retry(new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(5)))
                    .revertDecoder(RevertDecoder.withProjectErrors())
                    .build();
            writers.put(id, writer);
        }
        return writer;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
