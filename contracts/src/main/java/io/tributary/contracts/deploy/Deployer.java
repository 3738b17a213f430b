package io.tributary.contracts.deploy;

import io.tributary.contracts.generated.Gateway;
import io.tributary.contracts.generated.ModelRegistry;
import io.tributary.contracts.generated.RewardVault;
import io.tributary.contracts.generated.TaskCoordinator;
import io.tributary.contracts.generated.TaskIntake;
import io.tributary.contracts.generated.TrainingToken;
import io.tributary.contracts.generated.WorkerHub;
import io.tributary.contracts.tx.FeePolicy;
import io.tributary.contracts.tx.RetryPolicy;
import io.tributary.contracts.tx.RevertDecoder;
import io.tributary.contracts.tx.TransactionWriter;
import io.tributary.contracts.tx.TxRequest;
import io.tributary.contracts.tx.TxResult;
import io.tributary.contracts.tx.TxWriteException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.tuples.generated.Tuple2;
import org.web3j.utils.Numeric;

/**
 * Deploys and wires the protocol suite across a home chain and its participant chains, in
 * PROTOCOL.md's order, every write through a {@link TransactionWriter} under an idempotency key:
 *
 * <ol>
 *   <li>home: TrainingToken, ModelRegistry, Gateway; every participant chain: Gateway (guardians and
 *       threshold from the dev keys of {@link KeyRoles#guardians()});</li>
 *   <li>home: TaskCoordinator;</li>
 *   <li>home: {@code registry.setCoordinator}, TaskIntake; every chain: WorkerHub; every participant:
 *       RewardVault;</li>
 *   <li>home: {@code coordinator.setChain} for every chain, {@code coordinator.setTaskIntake}, TRN minted
 *       to the client key, the aggregator key's bond.</li>
 * </ol>
 *
 * <p>Within a step group the writes of all chains are broadcast first and awaited after, so a group
 * costs about one block of the slowest chain. After every step the {@link DeploymentJournal} in the
 * state directory records the address and transaction; a re-run skips recorded steps once it has
 * seen code at their addresses (and fails if the code is gone: the chain was reset), and a
 * half-finished deployment resumes. A write sent but not journalled is found again by its
 * idempotency key in the writer's own state. Every run ends by verifying code and wiring through
 * the contracts' views.
 */
public final class Deployer {

    private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);
    private static final BigInteger ETHER = BigInteger.TEN.pow(18);
    private static final BigInteger GWEI = BigInteger.TEN.pow(9);
    /** Steps the deployment makes, in order; {@link #deployPhases} stops after a number of them. */
    static final int PHASES = 4;

    /** A chain to deploy on: its devnet name (also its gateway's chain name), id and RPC client. */
    public record Target(String name, long chainId, boolean home, Web3j web3j) {
        public Target {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(web3j, "web3j");
        }
    }

    private record Step(Target chain, String name, Credentials key, TxRequest request, boolean creates) {}

    private final List<Target> chains;
    private final Target home;
    private final List<Credentials> keys;
    private final KeyRoles roles;
    private final Path stateDir;
    private final int threshold;
    private final BigInteger minStake;
    private final long workerUnbondingDelay;
    private final BigInteger minAggregatorBond;
    private final BigInteger aggregatorBond;
    private final long aggregatorUnbondingDelay;
    private final BigInteger clientMint;
    private final FeePolicy feePolicy;
    private final Duration pollInterval;
    private final int pollAttempts;

    private final Map<String, TransactionWriter> writers = new LinkedHashMap<>();
    private DeploymentJournal journal;
    private int sentInLastRun;

    private Deployer(Builder b) {
        List<Target> ordered = new ArrayList<>();
        b.chains.stream().filter(Target::home).forEach(ordered::add);
        b.chains.stream().filter(t -> !t.home()).forEach(ordered::add);
        this.chains = List.copyOf(ordered);
        this.home = ordered.get(0);
        this.keys = List.copyOf(b.devKeys);
        this.roles = b.roles;
        this.stateDir = b.stateDir;
        this.threshold = b.threshold;
        this.minStake = b.minStake;
        this.workerUnbondingDelay = b.workerUnbondingDelay;
        this.minAggregatorBond = b.minAggregatorBond;
        this.aggregatorBond = b.aggregatorBond;
        this.aggregatorUnbondingDelay = b.aggregatorUnbondingDelay;
        this.clientMint = b.clientMint;
        this.feePolicy = b.feePolicy;
        this.pollInterval = b.pollInterval;
        this.pollAttempts = b.pollAttempts;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Deploys what is missing, verifies everything and returns the deployment (also written to
     * {@code stateDir/deployment.json}).
     */
    public Deployment deploy() throws DeploymentException, InterruptedException {
        deployPhases(PHASES);
        Deployment deployment = assemble();
        verify(deployment);
        try {
            deployment.write(stateDir.resolve("deployment.json"));
        } catch (IOException e) {
            throw new DeploymentException("could not write " + stateDir.resolve("deployment.json"), e);
        }
        return deployment;
    }

    /** How many transactions the last {@link #deploy()} sent (0 when it found everything deployed). */
    public int sentInLastRun() {
        return sentInLastRun;
    }

    /** Runs the first {@code phases} step groups only (tests stop a deployment half-way with it). */
    void deployPhases(int phases) throws DeploymentException, InterruptedException {
        sentInLastRun = 0;
        try {
            Files.createDirectories(stateDir);
            journal = DeploymentJournal.open(stateDir);
            for (int phase = 1; phase <= Math.min(phases, PHASES); phase++) {
                run(phase, steps(phase));
            }
        } catch (IOException e) {
            throw new DeploymentException("deployment state in " + stateDir + ": " + e.getMessage(), e);
        } finally {
            closeWriters();
        }
    }

    // ------------------------------------------------------------------------------------------ steps

    private List<Step> steps(int phase) throws DeploymentException {
        Credentials owner = key(roles.deployer());
        List<Step> steps = new ArrayList<>();
        switch (phase) {
            case 1 -> {
                steps.add(create(home, "TrainingToken", TrainingToken.BINARY, new Address(owner.getAddress())));
                steps.add(create(home, "ModelRegistry", ModelRegistry.BINARY, new Address(owner.getAddress())));
                for (Target chain : chains) {
                    steps.add(create(chain, "Gateway", Gateway.BINARY, new Utf8String(chain.name()),
                            new DynamicArray<>(Address.class, guardianAddresses().stream().map(Address::new).toList()),
                            new Uint256(threshold)));
                }
            }
            case 2 -> steps.add(create(home, "TaskCoordinator", TaskCoordinator.BINARY,
                    new Address(address(home, "Gateway")), new Address(address(home, "TrainingToken")),
                    new Address(address(home, "ModelRegistry")), new Uint64(home.chainId()),
                    new Address(owner.getAddress()), new Uint256(minAggregatorBond),
                    new Uint256(aggregatorUnbondingDelay)));
            case 3 -> {
                String coordinator = address(home, "TaskCoordinator");
                steps.add(call(home, "ModelRegistry.setCoordinator", owner, address(home, "ModelRegistry"),
                        BigInteger.ZERO, "setCoordinator", new Address(coordinator)));
                steps.add(create(home, "TaskIntake", TaskIntake.BINARY, new Address(coordinator)));
                for (Target chain : chains) {
                    steps.add(create(chain, "WorkerHub", WorkerHub.BINARY, new Address(address(chain, "Gateway")),
                            new Utf8String(home.name()), new Address(coordinator), new Uint256(minStake),
                            new Uint256(workerUnbondingDelay), new Address(owner.getAddress())));
                    if (!chain.home()) {
                        steps.add(create(chain, "RewardVault", RewardVault.BINARY,
                                new Address(address(chain, "Gateway")), new Uint64(chain.chainId()),
                                new Utf8String(home.name()), new Address(coordinator)));
                    }
                }
            }
            case 4 -> {
                String coordinator = address(home, "TaskCoordinator");
                for (Target chain : chains) {
                    String vault = chain.home() ? Address.DEFAULT.getValue() : address(chain, "RewardVault");
                    steps.add(call(home, "setChain:" + chain.chainId(), owner, coordinator, BigInteger.ZERO,
                            "setChain", new Uint64(chain.chainId()), new Utf8String(chain.name()),
                            new Address(address(chain, "WorkerHub")), new Address(vault)));
                }
                steps.add(call(home, "setTaskIntake", owner, coordinator, BigInteger.ZERO, "setTaskIntake",
                        new Address(address(home, "TaskIntake"))));
                if (clientMint.signum() > 0) {
                    steps.add(call(home, "TrainingToken.mint:client", owner, address(home, "TrainingToken"),
                            BigInteger.ZERO, "mint", new Address(key(roles.client()).getAddress()),
                            new Uint256(clientMint)));
                }
                steps.add(call(home, "bondAggregator", key(roles.aggregator()), coordinator, aggregatorBond,
                        "bondAggregator"));
            }
            default -> throw new IllegalArgumentException("no phase " + phase);
        }
        return steps;
    }

    private Step create(Target chain, String contract, String binary, Type<?>... args) {
        String data = binary + FunctionEncoder.encodeConstructor(List.of(args));
        Credentials owner = key(roles.deployer());
        return new Step(chain, contract, owner,
                new TxRequest(idempotencyKey(chain, contract), null, BigInteger.ZERO, data, null), true);
    }

    private Step call(Target chain, String step, Credentials from, String to, BigInteger value, String function,
            Type<?>... args) {
        String data = FunctionEncoder.encode(new Function(function, List.of(args), List.of()));
        return new Step(chain, step, from, new TxRequest(idempotencyKey(chain, step), to, value, data, null), false);
    }

    private static String idempotencyKey(Target chain, String step) {
        return "deploy/" + chain.name() + "/" + step;
    }

    /** Skips journalled steps (after checking their code), broadcasts the rest, then awaits them. */
    private void run(int phase, List<Step> steps) throws DeploymentException, InterruptedException, IOException {
        List<Step> pending = new ArrayList<>();
        for (Step step : steps) {
            var recorded = journal.get(step.chain().name(), step.name());
            if (recorded.isEmpty()) {
                pending.add(step);
            } else if (step.creates()) {
                requireCode(step.chain(), step.name(), recorded.get().address(), recorded.get().transaction());
                LOG.debug("{} on {}: found at {}", step.name(), step.chain().name(), recorded.get().address());
            }
        }
        try {
            Set<String> fresh = new HashSet<>();
            for (Step step : pending) {
                TransactionWriter writer = writer(step.chain(), step.key());
                if (writer.recordOf(step.request().idempotencyKey()).isEmpty()) {
                    fresh.add(step.request().idempotencyKey());
                }
                writer.submit(step.request());
            }
            for (Step step : pending) {
                TxResult result = writer(step.chain(), step.key()).send(step.request());
                String address = step.creates() ? result.receipt().getContractAddress() : null;
                if (step.creates() && address == null) {
                    throw new DeploymentException(step.name() + " on " + step.chain().name()
                            + ": the receipt of " + result.transactionHash() + " names no contract address");
                }
                journal.put(step.chain().name(), step.name(),
                        new DeploymentJournal.Entry(address == null ? null : address.toLowerCase(Locale.ROOT),
                                result.transactionHash()));
                boolean sentNow = fresh.contains(step.request().idempotencyKey());
                if (sentNow) {
                    sentInLastRun++;
                }
                LOG.info("deploy phase {}: {} on {} {}{} (tx {}, gas {})", phase, step.name(), step.chain().name(),
                        address == null ? "done" : "at " + address, sentNow ? "" : " (sent by an earlier run)",
                        result.transactionHash(), result.receipt().getGasUsed());
            }
        } catch (TxWriteException e) {
            throw new DeploymentException("deployment step " + e.idempotencyKey() + " failed: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------------ result

    private Deployment assemble() throws DeploymentException {
        List<ChainContracts> out = new ArrayList<>();
        List<ChainContracts.Guardian> guardians = new ArrayList<>();
        for (int index : roles.guardians()) {
            guardians.add(new ChainContracts.Guardian(key(index).getAddress(), index));
        }
        for (Target chain : chains) {
            Map<String, String> transactions = new LinkedHashMap<>();
            journal.steps(chain.name()).forEach((step, entry) -> transactions.put(step, entry.transaction()));
            out.add(new ChainContracts(chain.name(), chain.chainId(), chain.home(), address(chain, "Gateway"),
                    chain.name(), guardians, threshold,
                    chain.home() ? address(home, "TrainingToken") : null,
                    chain.home() ? address(home, "ModelRegistry") : null,
                    chain.home() ? address(home, "TaskCoordinator") : null,
                    chain.home() ? address(home, "TaskIntake") : null,
                    address(chain, "WorkerHub"),
                    chain.home() ? null : address(chain, "RewardVault"),
                    transactions));
        }
        return new Deployment(Deployment.VERSION, home.name(), roles, out);
    }

    /**
     * Checks that every contract of {@code deployment} has code on its chain and that the wiring reads
     * back through the views: gateway names, guardians and thresholds, the registry's coordinator, the
     * coordinator's chain configs and the aggregator's bond, the trusted source of every hub and vault.
     */
    private void verify(Deployment deployment) throws DeploymentException {
        try {
            ChainContracts homeContracts = deployment.home();
            String coordinatorAddress = homeContracts.taskCoordinator();
            TaskCoordinator coordinator = TaskCoordinator.load(coordinatorAddress, home.web3j(),
                    readOnly(home), noGas());
            for (Target chain : chains) {
                ChainContracts contracts = deployment.chain(chain.name());
                for (Map.Entry<String, String> contract : contracts.addresses().entrySet()) {
                    requireCode(chain, contract.getKey(), contract.getValue(),
                            contracts.transactions().get(contract.getKey()));
                }
                Gateway gateway = Gateway.load(contracts.gateway(), chain.web3j(), readOnly(chain), noGas());
                expect(chain, "Gateway.chainName", gateway.chainName().send(), chain.name());
                expect(chain, "Gateway.threshold", gateway.threshold().send(), BigInteger.valueOf(threshold));
                List<String> onChain = new ArrayList<>();
                for (Object guardian : gateway.guardians().send()) {
                    onChain.add(guardian instanceof Address a ? a.getValue() : guardian.toString());
                }
                expect(chain, "Gateway.guardians", lower(onChain), lower(guardianAddresses()));
                WorkerHub hub = WorkerHub.load(contracts.workerHub(), chain.web3j(), readOnly(chain), noGas());
                expectSource(chain, "WorkerHub.trustedSource", hub.trustedSource().send(), coordinatorAddress);
                TaskCoordinator.ChainConfig config = coordinator.chainConfig(BigInteger.valueOf(chain.chainId())).send();
                expect(chain, "TaskCoordinator.chainConfig.name", config.name, chain.name());
                expect(chain, "TaskCoordinator.chainConfig.hub", config.hub.toLowerCase(Locale.ROOT),
                        contracts.workerHub());
                String vault = contracts.rewardVault() == null ? Address.DEFAULT.getValue() : contracts.rewardVault();
                expect(chain, "TaskCoordinator.chainConfig.vault", config.vault.toLowerCase(Locale.ROOT), vault);
                if (!chain.home()) {
                    RewardVault rewardVault = RewardVault.load(contracts.rewardVault(), chain.web3j(), readOnly(chain),
                            noGas());
                    expectSource(chain, "RewardVault.trustedSource", rewardVault.trustedSource().send(),
                            coordinatorAddress);
                    expect(chain, "RewardVault.localChainId", rewardVault.localChainId().send(),
                            BigInteger.valueOf(chain.chainId()));
                }
            }
            ModelRegistry registry = ModelRegistry.load(homeContracts.modelRegistry(), home.web3j(), readOnly(home),
                    noGas());
            expect(home, "ModelRegistry.coordinator", registry.coordinator().send().toLowerCase(Locale.ROOT),
                    coordinatorAddress);
            expect(home, "TaskCoordinator.taskIntake", coordinator.taskIntake().send().toLowerCase(Locale.ROOT),
                    homeContracts.taskIntake());
            TaskIntake intake = TaskIntake.load(homeContracts.taskIntake(), home.web3j(), readOnly(home), noGas());
            expect(home, "TaskIntake.coordinator", intake.coordinator().send().toLowerCase(Locale.ROOT),
                    coordinatorAddress);
            TaskCoordinator.Bond bond = coordinator.bondOf(key(roles.aggregator()).getAddress()).send();
            if (bond.amount.compareTo(minAggregatorBond) < 0) {
                throw new DeploymentException("the aggregator's bond on " + home.name() + " is " + bond.amount
                        + ", below the minimum " + minAggregatorBond);
            }
        } catch (DeploymentException e) {
            throw e;
        } catch (Exception e) {
            throw new DeploymentException("verifying the deployment failed: " + e, e);
        }
    }

    private void expectSource(Target chain, String what, Tuple2<String, String> source, String coordinator)
            throws DeploymentException {
        expect(chain, what + ".chain", source.component1(), home.name());
        expect(chain, what + ".address", source.component2().toLowerCase(Locale.ROOT), coordinator);
    }

    private static void expect(Target chain, String what, Object actual, Object expected) throws DeploymentException {
        if (!Objects.equals(actual, expected)) {
            throw new DeploymentException(what + " on " + chain.name() + " is " + actual + ", expected " + expected);
        }
    }

    private void requireCode(Target chain, String contract, String address, String transaction)
            throws DeploymentException {
        String code;
        try {
            code = chain.web3j().ethGetCode(address, DefaultBlockParameterName.LATEST).send().getCode();
        } catch (IOException e) {
            throw new DeploymentException("could not read the code of " + contract + " on " + chain.name(), e);
        }
        if (code == null || Numeric.hexStringToByteArray(code).length == 0) {
            throw new DeploymentException("the deployment record says " + contract + " on " + chain.name() + " is at "
                    + address + " (tx " + transaction + "), but there is no code there: the chain was reset or is"
                    + " another one; remove " + stateDir + " to deploy afresh");
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private String address(Target chain, String step) throws DeploymentException {
        return journal.get(chain.name(), step).map(DeploymentJournal.Entry::address)
                .orElseThrow(() -> new DeploymentException(step + " on " + chain.name() + " is not deployed yet"));
    }

    private Credentials key(int index) {
        return keys.get(index);
    }

    private List<String> guardianAddresses() {
        return roles.guardians().stream().map(i -> key(i).getAddress()).toList();
    }

    private static List<String> lower(List<String> addresses) {
        return addresses.stream().map(a -> a.toLowerCase(Locale.ROOT)).toList();
    }

    private static ReadonlyTransactionManager readOnly(Target chain) {
        return new ReadonlyTransactionManager(chain.web3j(), Address.DEFAULT.getValue());
    }

    private static StaticGasProvider noGas() {
        return new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);
    }

    private TransactionWriter writer(Target chain, Credentials key) throws DeploymentException, InterruptedException {
        String id = chain.name() + "-" + key.getAddress().toLowerCase(Locale.ROOT);
        TransactionWriter writer = writers.get(id);
        if (writer != null) {
            return writer;
        }
        try {
            writer = TransactionWriter.builder()
                    .web3j(chain.web3j())
                    .credentials(key)
                    .chainId(chain.chainId())
                    .stateDir(stateDir.resolve("writers").resolve(id))
                    .feePolicy(feePolicy)
                    .receiptPolling(pollInterval, pollAttempts)
                    .resendInterval(Duration.ofSeconds(5))
                    .feeCapWait(Duration.ofMillis(500), Duration.ofMinutes(1))
                    .retry(new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(30)))
                    .revertDecoder(RevertDecoder.withProjectErrors())
                    .build();
        } catch (IOException | TxWriteException e) {
            throw new DeploymentException("could not open the transaction writer for " + id + ": " + e.getMessage(), e);
        }
        writers.put(id, writer);
        return writer;
    }

    private void closeWriters() {
        for (TransactionWriter writer : writers.values()) {
            try {
                writer.close();
            } catch (IOException e) {
                LOG.warn("closing the writer of {} on chain {} failed: {}", writer.address(), writer.chainId(), e.toString());
            }
        }
        writers.clear();
    }

    // ------------------------------------------------------------------------------------------ builder

    /** Collects the chains, keys and parameters; {@link #build()} says everything that is wrong at once. */
    public static final class Builder {
        private final List<Target> chains = new ArrayList<>();
        private List<Credentials> devKeys;
        private KeyRoles roles = KeyRoles.defaults();
        private Path stateDir;
        private int threshold = 2;
        private BigInteger minStake = ETHER;
        private long workerUnbondingDelay = 86_400;
        private BigInteger minAggregatorBond = ETHER.multiply(BigInteger.TEN);
        private BigInteger aggregatorBond;
        private long aggregatorUnbondingDelay = 7 * 86_400;
        private BigInteger clientMint = ETHER.multiply(BigInteger.valueOf(1_000_000));
        private FeePolicy feePolicy = new FeePolicy(GWEI.multiply(BigInteger.valueOf(100)), BigInteger.ONE, GWEI, 2);
        private Duration pollInterval = Duration.ofMillis(100);
        private int pollAttempts = 600;

        private Builder() {}

        /** The home chain (exactly one): TrainingToken, ModelRegistry, TaskCoordinator, Gateway, WorkerHub. */
        public Builder home(String name, long chainId, Web3j web3j) {
            chains.add(new Target(name, chainId, true, web3j));
            return this;
        }

        /** A participant chain: Gateway, WorkerHub, RewardVault. */
        public Builder participant(String name, long chainId, Web3j web3j) {
            chains.add(new Target(name, chainId, false, web3j));
            return this;
        }

        /** The funded dev keys, in the chains' order (the same on every chain); {@link KeyRoles} indexes them. */
        public Builder devKeys(List<Credentials> devKeys) {
            this.devKeys = devKeys;
            return this;
        }

        /** Which dev key plays which role (default {@link KeyRoles#defaults()}). */
        public Builder roles(KeyRoles roles) {
            this.roles = roles;
            return this;
        }

        /** Where the journal, deployment.json and the writers' state live. */
        public Builder stateDir(Path stateDir) {
            this.stateDir = stateDir;
            return this;
        }

        /** Guardian signatures an approval needs (default 2). */
        public Builder threshold(int threshold) {
            this.threshold = threshold;
            return this;
        }

        /** WorkerHub: least stake (wei, default 1 ether) and unbonding delay (seconds, default 1 day). */
        public Builder workerStake(BigInteger minStake, long unbondingDelaySeconds) {
            this.minStake = minStake;
            this.workerUnbondingDelay = unbondingDelaySeconds;
            return this;
        }

        /**
         * TaskCoordinator: least aggregator bond (wei, default 10 ether), the aggregator key's bond
         * (default: the least) and its unbonding delay (seconds, default 7 days).
         */
        public Builder aggregatorBond(BigInteger minBond, BigInteger bond, long unbondingDelaySeconds) {
            this.minAggregatorBond = minBond;
            this.aggregatorBond = bond;
            this.aggregatorUnbondingDelay = unbondingDelaySeconds;
            return this;
        }

        /** TRN (smallest unit) minted to the client key (default 1,000,000 TRN; 0: none). */
        public Builder clientMint(BigInteger amount) {
            this.clientMint = amount;
            return this;
        }

        public Builder feePolicy(FeePolicy feePolicy) {
            this.feePolicy = feePolicy;
            return this;
        }

        /** Receipt polling of the writers (default every 100 ms, 600 times). */
        public Builder receiptPolling(Duration interval, int attempts) {
            this.pollInterval = interval;
            this.pollAttempts = attempts;
            return this;
        }

        public Deployer build() {
            List<String> problems = new ArrayList<>();
            long homes = chains.stream().filter(Target::home).count();
            if (homes != 1) {
                problems.add("exactly one home chain is needed, got " + homes);
            }
            Set<String> names = new HashSet<>();
            Set<Long> ids = new HashSet<>();
            for (Target chain : chains) {
                if (chain.name().isBlank() || !chain.name().equals(chain.name().strip())) {
                    problems.add("chain name '" + chain.name() + "' is blank or padded");
                }
                if (!names.add(chain.name())) {
                    problems.add("chain name " + chain.name() + " appears twice");
                }
                if (chain.chainId() <= 0) {
                    problems.add("chain " + chain.name() + ": chain id must be positive, was " + chain.chainId());
                } else if (!ids.add(chain.chainId())) {
                    problems.add("chain id " + chain.chainId() + " appears twice");
                }
            }
            if (roles == null) {
                problems.add("roles are required");
            }
            if (devKeys == null || devKeys.stream().anyMatch(Objects::isNull)) {
                problems.add("devKeys are required");
            } else if (roles != null && devKeys.size() < roles.keysNeeded()) {
                problems.add("the roles need " + roles.keysNeeded() + " dev keys, got " + devKeys.size());
            }
            if (stateDir == null) {
                problems.add("stateDir is required");
            }
            if (roles != null && (threshold < 1 || threshold > roles.guardians().size())) {
                problems.add("threshold must be in 1.." + roles.guardians().size() + " (the guardians), was " + threshold);
            }
            if (minStake == null || minStake.signum() <= 0) {
                problems.add("the least worker stake must be positive, was " + minStake);
            }
            if (workerUnbondingDelay < 0 || aggregatorUnbondingDelay < 0) {
                problems.add("unbonding delays must not be negative");
            }
            if (aggregatorBond == null) {
                aggregatorBond = minAggregatorBond;
            }
            if (minAggregatorBond == null || minAggregatorBond.signum() <= 0) {
                problems.add("the least aggregator bond must be positive, was " + minAggregatorBond);
            } else if (aggregatorBond.compareTo(minAggregatorBond) < 0) {
                problems.add("the aggregator's bond " + aggregatorBond + " is below the least bond " + minAggregatorBond);
            }
            if (clientMint == null || clientMint.signum() < 0) {
                problems.add("clientMint must not be negative, was " + clientMint);
            }
            if (feePolicy == null) {
                problems.add("feePolicy is required");
            }
            if (pollInterval == null || pollInterval.toMillis() < 1 || pollAttempts < 1) {
                problems.add("receipt polling needs an interval >= 1 ms and attempts >= 1");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Deployer: " + String.join("; ", problems));
            }
            return new Deployer(this);
        }
    }
}
