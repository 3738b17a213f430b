package io.tributary.infra;

import io.tributary.contracts.deploy.KeyRoles;
import io.tributary.contracts.generated.ModelRegistry;
import io.tributary.contracts.tx.TransactionWriter;
import io.tributary.contracts.tx.TxRequest;
import io.tributary.infra.demo.ChunkCounts;
import io.tributary.infra.demo.DemoReport;
import io.tributary.infra.demo.DemoWorkers;
import io.tributary.infra.demo.HomeLedger;
import io.tributary.infra.demo.ProgressBoard;
import io.tributary.infra.devnet.ChainSpec;
import io.tributary.infra.devnet.Devnet;
import io.tributary.infra.devnet.DevnetConfig;
import io.tributary.infra.devnet.DevnetInfo;
import io.tributary.ingest.client.TaskClient;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.ReceiptStatus;
import io.tributary.schemas.avro.TaskReceipt;
import io.tributary.schemas.avro.TaskSpec;
import io.tributary.schemas.tensor.ModelFile;
import io.tributary.schemas.tensor.WireParams;
import io.tributary.trainer.Evaluation;
import io.tributary.trainer.LocalTrainer;
import io.tributary.trainer.MlpModel;
import io.tributary.trainer.MlpSpec;
import io.tributary.trainer.Nd4jRuntime;
import io.tributary.trainer.data.MnistLoader;
import io.tributary.trainer.data.Sample;
import io.tributary.trainer.data.TrainingData;
import io.tributary.trainer.node.Behaviour;
import io.tributary.trainer.node.GlobalModels;
import io.tributary.trainer.node.NodeData;
import io.tributary.trainer.node.TaskSchedule;
import io.tributary.trainer.node.Web3jNodeChain;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.utils.Numeric;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tributary demo}: the whole network in this JVM. Starts the devnet, registers the initial
 * MLP 784-128-10 with the client's key, starts the worker nodes (one of them reads a Postgres table
 * fed while it runs), posts a task through the Kafka-native client, shows each round's progress and
 * the global model's test accuracy, waits for every round to be final and claimed, prints the
 * rewards and the escrow, writes the report and stops everything (also on Ctrl-C).
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {"Train MNIST across three local chains: devnet, workers, a task, its rounds, rewards and a report.",
            "Exit status 0 only if every round was committed and finalized, the escrow balances and the final "
                    + "accuracy reaches --min-accuracy."})
public final class DemoCommand implements Callable<Integer> {

    private static final BigInteger TRN = BigInteger.TEN.pow(18);
    private static final BigInteger FEE_CAP = BigInteger.TEN.pow(11);
    private static final StaticGasProvider NO_GAS = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the demo's devnet keeps its files (default: target/demo).")
    Path dir;

    @Option(names = "--report-dir", paramLabel = "DIR", description = "Where the report goes (default: target/demo-report).")
    Path reportDir;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "5", description = "Rounds of the task (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--workers-per-chain", paramLabel = "N", defaultValue = "2",
            description = "Worker nodes on each chain (default: ${DEFAULT-VALUE}).")
    int workersPerChain;

    @Option(names = "--rule", paramLabel = "RULE", defaultValue = "fedavg",
            description = "fedavg, median, trimmed or krum (default: ${DEFAULT-VALUE}).")
    String rule;

    @Option(names = "--byzantine", paramLabel = "K", defaultValue = "0", description = "Workers that misbehave (default: ${DEFAULT-VALUE}).")
    int byzantine;

    @Option(names = "--attack", paramLabel = "A", defaultValue = "signflip",
            description = "What the byzantine workers do: signflip or noise (default: ${DEFAULT-VALUE}).")
    String attack;

    @Option(names = "--non-iid", paramLabel = "ALPHA", description = "Split MNIST non-IID, Dirichlet(ALPHA) (default: IID).")
    Double nonIid;

    @Option(names = "--min-accuracy", paramLabel = "A", defaultValue = "0.90",
            description = "Final test accuracy needed to exit 0 (default: ${DEFAULT-VALUE}).")
    double minAccuracy;

    @Option(names = "--commit-seconds", paramLabel = "S", defaultValue = "24",
            description = "Commit window of each round (default: ${DEFAULT-VALUE}).")
    int commitSeconds;

    @Option(names = "--reveal-seconds", paramLabel = "S", defaultValue = "12",
            description = "Reveal window of each round (default: ${DEFAULT-VALUE}).")
    int revealSeconds;

    @Option(names = "--challenge-seconds", paramLabel = "S", defaultValue = "6",
            description = "Challenge window after each commitment (default: ${DEFAULT-VALUE}).")
    int challengeSeconds;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "3", description = "Local epochs per round (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--chunk-leaves-log2", paramLabel = "K", defaultValue = "" + WireParams.DEFAULT_CHUNK_LEAVES_LOG2,
            description = "Update chunk size, log2 of leaves, as the devnet's aggregation job expects (default: ${DEFAULT-VALUE}).")
    int chunkLeavesLog2;

    @Option(names = "--bounty", paramLabel = "TRN", defaultValue = "1000", description = "Bounty in whole TRN (default: ${DEFAULT-VALUE}).")
    long bountyTrn;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        validate();
        Environment env = Environment.current();
        Path devnetDir = (dir != null ? dir : env.home().resolve("target").resolve("demo")).toAbsolutePath().normalize();
        Path reports = (reportDir != null ? reportDir : env.home().resolve("target").resolve("demo-report")).toAbsolutePath().normalize();
        DevnetConfig config = new DevnetConfig(devnetDir, env.anvil(), env.cacheDir(), ChainSpec.defaults(),
                Topics.all().stream().map(Topics.Topic::name).toList(), 3);
        long t0 = System.nanoTime();
        Run run = new Run();
        Thread hook = new Thread(run::close, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run.execute(config, env, reports, t0);
        } finally {
            run.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
            say("stopped everything after %.0f s", seconds(t0));
        }
    }

    private void validate() {
        if (rounds < 1 || rounds > 100) {
            throw new IllegalArgumentException("--rounds must be 1..100, was " + rounds);
        }
        if (commitSeconds < 4 || revealSeconds < 4 || challengeSeconds < 1) {
            throw new IllegalArgumentException("--commit-seconds and --reveal-seconds must be at least 4, --challenge-seconds 1");
        }
        if (nonIid != null && !(nonIid > 0)) {
            throw new IllegalArgumentException("--non-iid ALPHA must be positive, was " + nonIid);
        }
        if (bountyTrn < rounds) {
            throw new IllegalArgumentException("--bounty must be at least the number of rounds");
        }
        Behaviour a = Behaviour.parse(attack);
        if (a != Behaviour.SIGNFLIP && a != Behaviour.NOISE) {
            throw new IllegalArgumentException("--attack must be signflip or noise, was " + attack);
        }
        aggregationRule();
    }

    private AggregationRule aggregationRule() {
        return switch (rule.toLowerCase(Locale.ROOT)) {
            case "fedavg" -> AggregationRule.FEDAVG;
            case "median" -> AggregationRule.MEDIAN;
            case "trimmed" -> AggregationRule.TRIMMED_MEAN;
            case "krum" -> AggregationRule.MULTI_KRUM;
            default -> throw new IllegalArgumentException("--rule must be fedavg, median, trimmed or krum, was " + rule);
        };
    }

    /** Everything one demo run holds; closed once, from the command or the shutdown hook. */
    private final class Run {
        private Devnet devnet;
        private DemoWorkers workers;
        private HomeLedger ledger;
        private ChunkCounts counts;
        private TransactionWriter clientWriter;
        private Web3j homeWeb3j;
        private boolean closed;

        int execute(DevnetConfig config, Environment env, Path reports, long t0) throws Exception {
            say("[1/6] starting the devnet in %s", config.dir());
            Devnet prepared = Devnet.prepare(config);
            synchronized (this) {
                if (closed) {
                    return 130;
                }
                devnet = prepared; // from now on close() (the shutdown hook) stops it, even while it starts
            }
            try {
                prepared.open(line -> say("      %s", line));
            } catch (InterruptedException e) {
                return 130;
            }
            DevnetInfo info = devnet.info();
            DevnetInfo.Chain home = info.home();
            Path state = config.dir().resolve("demo-state");
            Devnet.deleteRecursively(state);
            KeyRoles roles = info.deployment().roles();
            say("      devnet ready after %.0f s", seconds(t0));

            // 2. the initial model, registered by the client
            Nd4jRuntime.limitThreads(1);
            MlpSpec mlp = MlpSpec.mnist();
            float[] initial = new MlpModel(mlp).initialParams();
            Path modelFile = state.resolve("initial.model");
            Files.createDirectories(state);
            ModelFile.write(modelFile, initial);
            Credentials client = Credentials.create(home.devKeys().get(roles.client()).privateKey());
            homeWeb3j = Web3j.build(new HttpService(home.rpcUrl()));
            clientWriter = Web3jNodeChain.openWriter(homeWeb3j, client, home.chainId(), state.resolve("client-tx"), FEE_CAP);
            ModelRegistry registry = ModelRegistry.load(home.contracts().modelRegistry(), homeWeb3j,
                    new ReadonlyTransactionManager(homeWeb3j, client.getAddress()), NO_GAS);
            TransactionReceipt registered = clientWriter.send(TxRequest.call("demo/registerModel", home.contracts().modelRegistry(),
                    registry.registerModel(sha256("mlp " + mlp), ModelFile.root(initial), modelFile.toUri().toString())
                            .encodeFunctionCall())).receipt();
            long modelId = ModelRegistry.getModelRegisteredEvents(registered).get(0).modelId.longValueExact();
            say("[2/6] registered model %d (MLP 784-128-10, %d parameters, root %s) as client %s", modelId, initial.length,
                    Numeric.toHexString(ModelFile.root(initial)).substring(0, 18) + "..", client.getAddress());

            // 3. the workers
            Path mnistDir = env.home().resolve(MnistLoader.DEFAULT_DIR);
            if (System.getProperty(MnistLoader.DIR_PROPERTY) != null) {
                mnistDir = MnistLoader.defaultDir();
            }
            List<Sample> digits = MnistLoader.load(mnistDir);
            String split = nonIid == null ? "mnist:iid" : "mnist:dirichlet=" + nonIid;
            DemoWorkers.Plan plan = new DemoWorkers.Plan(workersPerChain, roles.workers(), split, byzantine,
                    Behaviour.parse(attack), chunkLeavesLog2, epochs);
            DemoWorkers started2 = DemoWorkers.start(info, plan, digits, state.resolve("workers"));
            synchronized (this) {
                workers = started2;
                if (closed) {
                    return 130;
                }
            }
            for (DemoWorkers.Worker w : workers.workers()) {
                say("      worker %s on %-16s %-8s %s, metrics %s", w.address(), w.chain(),
                        w.behaviour().name().toLowerCase(Locale.ROOT), w.data(), w.metricsUrl());
            }
            say("      Prometheus: prometheus --config.file=%s (Grafana dashboards: infra/grafana/)",
                    io.tributary.infra.devnet.PrometheusTargets.config(config.dir()));
            awaitCondition(workers::registered, Duration.ofSeconds(60), "every worker registered and staked");
            say("[3/6] %d workers registered and staked on their hubs", workers.workers().size());

            // 4. the task, through the Kafka-native client and the task intake
            int total = workers.workers().size();
            long taskId;
            TaskSchedule schedule;
            try (TaskClient taskClient = TaskClient.builder()
                    .kafkaBootstrap(info.kafka().bootstrapServers())
                    .homeChain(home.rpcUrl(), home.chainId())
                    .contracts(home.contracts().taskIntake(), home.contracts().taskCoordinator(),
                            home.contracts().trainingToken(), home.contracts().modelRegistry())
                    .build()) {
                TaskSpec taskSpec = taskSpec(modelId, initial.length, total, taskClient.homeChainTime() + 10, info);
                TaskReceipt receipt = taskClient.post(taskSpec, TRN.multiply(BigInteger.valueOf(bountyTrn)), client,
                        Duration.ofSeconds(60));
                if (receipt.getStatus() != ReceiptStatus.ACCEPTED) {
                    say("the task was REJECTED: %s %s", receipt.getReason(), receipt.getDetail());
                    return 1;
                }
                taskId = receipt.getTaskId();
                say("[4/6] task %d ACCEPTED (tx %s): %d rounds, rule %s, commit %d s + reveal %d s per round, challenge %d s, "
                                + "bounty %d TRN", taskId, receipt.getTxHash(), rounds, taskSpec.getRule(), commitSeconds,
                        revealSeconds, challengeSeconds, bountyTrn);
            }
            Web3jNodeChain reader = new Web3jNodeChain(homeWeb3j, homeWeb3j, clientWriter, true, new Web3jNodeChain.Addresses(
                    home.contracts().workerHub(), home.contracts().rewardVault(), home.contracts().taskCoordinator(),
                    home.contracts().modelRegistry()));
            schedule = reader.task(taskId);
            Map<String, BigInteger> balancesBefore = new HashMap<>();
            synchronized (this) {
                if (closed) {
                    return 130;
                }
                ledger = new HomeLedger(info);
                counts = new ChunkCounts(info.kafka().bootstrapServers(), taskId).start();
            }
            for (DemoWorkers.Worker w : workers.workers()) {
                balancesBefore.put(w.chainId() + "/" + w.address(), ledger.rewardBalance(w.chainId(), w.address()));
            }

            // 5. the rounds
            long tasksStart = System.nanoTime();
            say("[5/6] rounds (phase from the home TaskCoordinator, chunks from updates.chunks and deadletter)");
            TrainingData test = NodeData.mnistHeldOut(mnistDir).orElseThrow();
            LocalTrainer evaluator = LocalTrainer.builder().spec(mlp).build();
            Evaluation before = evaluator.evaluate(initial, test);
            say("      initial model: test accuracy %.3f, loss %.3f (%d held-out digits)", before.accuracy(), before.loss(),
                    before.count());
            GlobalModels models = new GlobalModels(info.kafka().bootstrapServers(), reader, state.resolve("models"),
                    initial.length);
            List<DemoReport.Round> reportRounds = watchRounds(taskId, schedule, models, evaluator, test);
            double roundsSeconds = seconds(tasksStart);

            // 6. claims, rewards, escrow, report
            say("[6/6] waiting for the workers' claims");
            boolean claimed = awaitQuietly(() -> workers.claimsSettled(taskId, rounds), Duration.ofSeconds(90));
            List<DemoReport.Reward> rewards = new ArrayList<>();
            for (DemoWorkers.Worker w : workers.workers()) {
                BigInteger received = ledger.rewardBalance(w.chainId(), w.address())
                        .subtract(balancesBefore.get(w.chainId() + "/" + w.address()));
                rewards.add(new DemoReport.Reward(w.chainId(), w.address(), received));
                say("      %-16s %s %-8s received %s %s", w.chain(), w.address(), w.behaviour().name().toLowerCase(Locale.ROOT),
                        trn(received), w.chainId() == home.chainId() ? "TRN" : "wTRN");
            }
            DemoReport.Escrow escrow = ledger.escrow(taskId);
            BigInteger dust = BigInteger.valueOf((long) rounds * total);
            say("      escrow: deposited %s TRN, paid %s, refunded %s, held %s base units", trn(escrow.deposited()),
                    trn(escrow.paid()), trn(escrow.refunded()), escrow.deposited().subtract(escrow.paid()).subtract(escrow.refunded()));
            double finalAccuracy = before.accuracy(); // the last committed round's model, else the initial one
            for (DemoReport.Round r : reportRounds) {
                if (!r.commitTx().isEmpty()) {
                    finalAccuracy = r.accuracy();
                }
            }
            DemoReport report = new DemoReport(reportRounds, finalAccuracy, rewards, escrow);
            report.write(reports);
            say("      report: %s (and %s, %s)", reports.resolve(DemoReport.JSON), DemoReport.ACCURACY_PNG, DemoReport.GAS_PNG);

            List<String> problems = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                HomeLedger.RoundPhase p = ledger.phase(taskId, r);
                if (p != HomeLedger.RoundPhase.FINALIZED) {
                    problems.add("round " + r + " is " + p.name().toLowerCase(Locale.ROOT) + ", not finalized");
                }
            }
            if (!escrow.balances(dust)) {
                problems.add("the escrow does not balance: deposited " + escrow.deposited() + ", paid " + escrow.paid()
                        + ", refunded " + escrow.refunded());
            }
            if (finalAccuracy < minAccuracy) {
                problems.add(String.format(Locale.ROOT, "final accuracy %.3f is below %.3f", finalAccuracy, minAccuracy));
            }
            if (!claimed) {
                problems.add("not every worker had claimed its rounds 90 s after the last one (see the rewards above)");
            }
            workers.failure().ifPresent(problems::add);
            long gas = reportRounds.stream().mapToLong(DemoReport.Round::commitGas).sum();
            long committedRounds = reportRounds.stream().filter(x -> x.commitGas() > 0).count();
            say("final accuracy %.3f after %d rounds; %.1f s per round (round period %d s); commitRound gas %d on average; "
                            + "%.0f s in all", finalAccuracy, rounds, roundsSeconds / rounds, commitSeconds + revealSeconds,
                    committedRounds == 0 ? 0 : gas / committedRounds, seconds(t0));
            if (!problems.isEmpty()) {
                say("demo FAILED: %s", String.join("; ", problems));
                return 1;
            }
            say("demo OK: every round committed and finalized, escrow balanced, accuracy %.3f >= %.2f", finalAccuracy,
                    minAccuracy);
            return 0;
        }

        /** Follows every round to final (or failed) and evaluates each committed global model. */
        private List<DemoReport.Round> watchRounds(long taskId, TaskSchedule schedule, GlobalModels models,
                                                   LocalTrainer evaluator, TrainingData test) throws Exception {
            ProgressBoard board = new ProgressBoard(out, ProgressBoard.interactive());
            Map<Integer, DemoReport.Round> done = new HashMap<>();
            Map<Integer, Evaluation> evaluations = new HashMap<>();
            long lastDeadline = schedule.aggregationDeadline(rounds - 1) + challengeSeconds + 60L;
            int feedPerSecond = workers.feeder()
                    .map(f -> (int) Math.ceil((f.total() - f.inserted()) / (double) (rounds * (commitSeconds + revealSeconds))))
                    .orElse(0);
            while (done.size() < rounds) {
                Optional<String> failure = workers.failure();
                if (failure.isPresent()) {
                    throw new IOException(failure.get());
                }
                long now = System.currentTimeMillis() / 1000;
                if (now > lastDeadline) {
                    say("      gave up waiting: rounds %s not final %d s after the last aggregation deadline",
                            missing(done), challengeSeconds + 60);
                    break;
                }
                workers.feeder().ifPresent(f -> {
                    try {
                        f.feed(feedPerSecond); // the rows not inserted at the start arrive over the task's rounds
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException("feeding the Postgres table: " + e.getMessage(), e);
                    }
                });
                for (int r = 0; r < rounds; r++) {
                    if (done.containsKey(r)) {
                        continue;
                    }
                    HomeLedger.RoundPhase phase = ledger.phase(taskId, r);
                    Optional<HomeLedger.Commit> commit = ledger.commit(taskId, r);
                    if (commit.isPresent() && !evaluations.containsKey(r)) {
                        Optional<float[]> model = models.startOf(schedule, r + 1);
                        if (model.isPresent()) {
                            evaluations.put(r, evaluator.evaluate(model.get(), test));
                        }
                    }
                    int contributors = commit.map(HomeLedger.Commit::contributors).orElse(0);
                    board.update(r, new ProgressBoard.RoundState(boardPhase(phase), contributors, counts.admitted(r),
                            counts.rejected(r)));
                    boolean settled = phase == HomeLedger.RoundPhase.FAILED
                            || (phase == HomeLedger.RoundPhase.FINALIZED && evaluations.containsKey(r));
                    if (settled) {
                        done.put(r, finish(r, phase, commit, evaluations.get(r), schedule, contributors));
                    }
                }
                Thread.sleep(1_000);
            }
            List<DemoReport.Round> list = new ArrayList<>(done.values());
            list.sort(Comparator.comparingInt(DemoReport.Round::round));
            return list;
        }

        private DemoReport.Round finish(int r, HomeLedger.RoundPhase phase, Optional<HomeLedger.Commit> commit, Evaluation e,
                                        TaskSchedule schedule, int contributors) {
            double secs = System.currentTimeMillis() / 1000.0 - schedule.open(r);
            if (commit.isEmpty() || e == null) {
                say("      round %d FAILED (no commitment) after %.0f s", r, secs);
                return new DemoReport.Round(r, 0, 0, 0, counts.rejected(r), "", "", "", 0, secs);
            }
            HomeLedger.Commit c = commit.get();
            say("      round %d %s: test accuracy %.3f loss %.3f, %d contributors, commitRound %s gas %d, %.0f s", r,
                    phase.name().toLowerCase(Locale.ROOT), e.accuracy(), e.loss(), contributors, c.txHash(), c.gasUsed(), secs);
            return new DemoReport.Round(r, e.accuracy(), e.loss(), contributors, counts.rejected(r),
                    Numeric.toHexString(c.modelRoot()), Numeric.toHexString(c.contributionsRoot()), c.txHash(), c.gasUsed(), secs);
        }

        synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            closeQuietly(counts);
            closeQuietly(workers);
            closeQuietly(ledger);
            closeQuietly(clientWriter);
            if (homeWeb3j != null) {
                homeWeb3j.shutdown();
            }
            if (devnet != null) {
                devnet.close();
            }
        }
    }

    private TaskSpec taskSpec(long modelId, int parameters, int workerCount, long startTime, DevnetInfo info) throws Exception {
        AggregationRule r = aggregationRule();
        int ruleParam = switch (r) {
            case TRIMMED_MEAN -> 200; // per mille trimmed at each end
            case MULTI_KRUM -> Math.max(1, byzantine);
            default -> 0;
        };
        int minContributors = r == AggregationRule.MULTI_KRUM ? 2 * ruleParam + 3 : 1;
        return TaskSpec.newBuilder()
                .setModelId(String.format("0x%064x", modelId))
                .setDatasetRoot(Numeric.toHexString(sha256("mnist 1.1.0 digits")))
                .setParameters(parameters)
                .setRounds(rounds)
                .setMinContributors(Math.min(minContributors, workerCount))
                .setMaxContributors(Math.max(workerCount, 8))
                .setStartTime(startTime)
                .setCommitSeconds(commitSeconds)
                .setRevealSeconds(revealSeconds)
                .setChallengeSeconds(challengeSeconds)
                .setClipL2Micros(5_000_000L)
                .setExpMin(-24)
                .setExpMax(-4)
                .setMaxWeight(10_000L)
                .setRule(r)
                .setRuleParam(ruleParam)
                .setChains(info.chains().stream().map(DevnetInfo.Chain::chainId).toList())
                .build();
    }

    private static ProgressBoard.Phase boardPhase(HomeLedger.RoundPhase p) {
        return switch (p) {
            case OPEN -> ProgressBoard.Phase.WAITING;
            case COMMITTING -> ProgressBoard.Phase.COMMITTING;
            case REVEALING -> ProgressBoard.Phase.REVEALING;
            case AGGREGATING -> ProgressBoard.Phase.AGGREGATING;
            case CHALLENGING -> ProgressBoard.Phase.CHALLENGING;
            case FINALIZED -> ProgressBoard.Phase.FINAL;
            case FAILED -> ProgressBoard.Phase.FAILED;
        };
    }

    private String missing(Map<Integer, ?> done) {
        List<Integer> left = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            if (!done.containsKey(r)) {
                left.add(r);
            }
        }
        return left.toString();
    }

    private void say(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }

    private static String trn(BigInteger baseUnits) {
        return new java.math.BigDecimal(baseUnits).movePointLeft(18).stripTrailingZeros().toPlainString();
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitCondition(Condition c, Duration timeout, String what) throws Exception {
        if (!awaitQuietly(c, timeout)) {
            throw new IOException("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
        }
    }

    private static boolean awaitQuietly(Condition c, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(250);
        }
        return true;
    }

    private static byte[] sha256(String text) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(DemoCommand.class).warn("stopping {} failed: {}", c, e.toString());
        }
    }

}
