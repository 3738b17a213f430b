package io.tributary.ingest.keeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.contracts.deploy.ChainContracts;
import io.tributary.contracts.deploy.Deployer;
import io.tributary.contracts.deploy.Deployment;
import io.tributary.contracts.deploy.DevKeys;
import io.tributary.contracts.deploy.KeyRoles;
import io.tributary.contracts.generated.Gateway;
import io.tributary.contracts.generated.ModelRegistry;
import io.tributary.contracts.generated.TaskCoordinator;
import io.tributary.contracts.generated.TrainingToken;
import io.tributary.ingest.testing.AnvilTestChain;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.ingest.testing.ConnectorHarness;
import io.tributary.ingest.testing.MetricsScrape;
import io.tributary.schemas.metrics.MetricsEndpoint;
import io.tributary.ingest.testing.KafkaTestBroker;
import io.tributary.schemas.Keys;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import io.tributary.schemas.avro.LogSource;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.utils.Numeric;

/**
 * The keeper on a real anvil home chain and participant chain with the deployed suite, and a real
 * Kafka broker whose {@code chain.events} the test fills the way the log source connector would (the
 * home TaskCoordinator's TaskPosted and RoundCommitted). Home time is moved with
 * {@code evm_setNextBlockTimestamp} + {@code evm_mine}, so the windows are minutes long on chain and
 * the test takes seconds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RoundKeeperIT {

    private static final Logger LOG = LoggerFactory.getLogger(RoundKeeperIT.class);
    private static final long HOME_ID = 31337;
    private static final long PARTICIPANT_ID = 412346;
    private static final List<Credentials> KEYS = DevKeys.anvil(12);
    private static final KeyRoles ROLES = KeyRoles.defaults();
    private static final Credentials CLIENT = KEYS.get(ROLES.client());
    private static final Credentials AGGREGATOR = KEYS.get(ROLES.aggregator());
    private static final Credentials OPERATOR = KEYS.get(ROLES.operator());
    private static final BigInteger BOUNTY = BigInteger.TEN.pow(18).multiply(BigInteger.valueOf(100));
    private static final long COMMIT = 60;
    private static final long REVEAL = 60;
    private static final long AGGREGATE = 120;
    private static final long CHALLENGE = 100;
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final StaticGasProvider NO_GAS = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);

    private Path dir;
    private AnvilTestChain home;
    private AnvilTestChain participant;
    private Web3j homeWeb3j;
    private Web3j participantWeb3j;
    private KafkaTestBroker kafka;
    private KafkaProducer<byte[], byte[]> producer;
    private ChainContracts homeContracts;
    private ChainContracts participantContracts;
    private TaskCoordinator coordinator;
    private BigInteger modelId;

    @BeforeAll
    void startChainsKafkaAndDeploy() throws Exception {
        dir = Path.of(System.getProperty("tributary.test.dir", "target/it")).resolve("keeper-" + System.nanoTime());
        home = AnvilTestChain.start(HOME_ID, dir);
        participant = AnvilTestChain.start(PARTICIPANT_ID, dir);
        homeWeb3j = Web3j.build(new HttpService(home.rpcUrl()));
        participantWeb3j = Web3j.build(new HttpService(participant.rpcUrl()));
        kafka = KafkaTestBroker.start(dir.resolve("kafka"));
        kafka.createTopics(Topics.CHAIN_EVENTS.name());
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), "acks", "all"),
                new ByteArraySerializer(), new ByteArraySerializer());
        Deployment deployment = Deployer.builder().devKeys(KEYS).roles(ROLES).stateDir(dir.resolve("deployment"))
                .home("home", HOME_ID, homeWeb3j).participant("arbitrum-local", PARTICIPANT_ID, participantWeb3j)
                .build().deploy();
        homeContracts = deployment.home();
        participantContracts = deployment.chain("arbitrum-local");
        ReadonlyTransactionManager reader = new ReadonlyTransactionManager(homeWeb3j, CLIENT.getAddress());
        coordinator = TaskCoordinator.load(homeContracts.taskCoordinator(), homeWeb3j, reader, NO_GAS);
        ModelRegistry registry = ModelRegistry.load(homeContracts.modelRegistry(), homeWeb3j, reader, NO_GAS);
        home.send(homeContracts.modelRegistry(), registry.registerModel(Hash.sha3("mlp".getBytes()),
                Hash.sha3("initial".getBytes()), "test://mlp").encodeFunctionCall());
        modelId = registry.modelCount().send();
        TrainingToken token = TrainingToken.load(homeContracts.trainingToken(), homeWeb3j, reader, NO_GAS);
        sendAs(CLIENT, homeContracts.trainingToken(),
                token.approve(homeContracts.taskCoordinator(), BOUNTY.multiply(BigInteger.TEN)).encodeFunctionCall());
    }

    @AfterAll
    void stopAll() {
        if (producer != null) {
            producer.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        for (Web3j w : new Web3j[] {homeWeb3j, participantWeb3j}) {
            if (w != null) {
                w.shutdown();
            }
        }
        for (AnvilTestChain chain : new AnvilTestChain[] {home, participant}) {
            if (chain != null) {
                try {
                    chain.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Test
    void shouldFinalizeAfterTheChallengeWindowFailWithoutCommitmentAndNotSendAgainAfterARestart() throws Exception {
        long start = homeTime() + 10;
        TransactionReceipt posted = sendAs(CLIENT, homeContracts.taskCoordinator(), coordinator.postTask(spec(start, 2),
                BOUNTY).encodeFunctionCall());
        long taskId = TaskCoordinator.getTaskPostedEvents(posted).get(0).taskId.longValueExact();
        publish(posted, TaskCoordinator.TASKPOSTED_EVENT, "TaskPosted", Map.of("taskId", Long.toString(taskId),
                "client", CLIENT.getAddress().toLowerCase(), "bounty", BOUNTY.toString()));

        // round 0 is committed by the aggregator right after its reveal deadline
        long revealDeadline0 = start + COMMIT + REVEAL;
        mineAt(revealDeadline0);
        TransactionReceipt committed = sendAs(AGGREGATOR, homeContracts.taskCoordinator(),
                coordinator.commitRound(BigInteger.valueOf(taskId), BigInteger.ZERO, Hash.sha3("model".getBytes()),
                        Hash.sha3("contributions".getBytes()), BigInteger.valueOf(30), BigInteger.TWO,
                        List.of(BigInteger.TEN, BigInteger.valueOf(20))).encodeFunctionCall());
        long committedAt = blockTime(committed);
        publish(committed, TaskCoordinator.ROUNDCOMMITTED_EVENT, "RoundCommitted",
                Map.of("taskId", Long.toString(taskId), "round", "0"));

        KeeperConfig config = KeeperConfig.builder()
                .kafkaBootstrap(kafka.bootstrapServers())
                .homeChain(home.rpcUrl(), HOME_ID, homeContracts.taskCoordinator())
                .operatorKey(Numeric.toHexStringNoPrefixZeroPadded(OPERATOR.getEcKeyPair().getPrivateKey(), 64))
                .stateDir(dir.resolve("keeper"))
                .tickInterval(Duration.ofMillis(200))
                .stuckAfter(Duration.ofSeconds(60))
                .build();
        long t0 = System.nanoTime();
        PrometheusRegistry registry = new PrometheusRegistry();
        try (MetricsEndpoint metrics = MetricsEndpoint.start("127.0.0.1", 0, registry);
                RoundKeeper keeper = RoundKeeper.start(config, registry)) {
            assertThat(keeper.awaitReady(WAIT)).as("keeper caught up").isTrue();
            String before = MetricsScrape.http(metrics.url());
            assertThat(MetricsScrape.value(before, "tributary_keeper_rounds_finalized_total")).isZero();
            assertThat(MetricsScrape.value(before, "tributary_keeper_gas_used_total{call=\"fail_round\"}")).isZero();
            assertThat(keeper.operator()).isEqualToIgnoringCase(OPERATOR.getAddress());

            // one second before the window closes: nothing happens
            mineAt(committedAt + CHALLENGE - 1);
            awaitHomeTimeSeen(keeper, committedAt + CHALLENGE - 1);
            Thread.sleep(600);
            assertThat(phase(taskId, 0)).as("still challenging").isEqualTo(4);
            assertThat(operatorNonce()).isZero();

            // the window closes: the keeper finalizes round 0, which sends ROUND_FINALIZED to the participant vault
            mineAt(committedAt + CHALLENGE);
            await(() -> phase(taskId, 0) == HomeCoordinator.PHASE_FINALIZED, "round 0 finalized");
            long t1 = System.nanoTime();
            TransactionReceipt finalized = receiptOf(TaskCoordinator.ROUNDFINALIZED_EVENT, taskId);
            assertThat(finalized.getFrom()).isEqualToIgnoringCase(OPERATOR.getAddress());
            List<Gateway.ContractCallEventResponse> calls = Gateway.getContractCallEvents(finalized);
            assertThat(calls).hasSize(1);
            assertThat(calls.get(0).destinationChain).isEqualTo(participantContracts.gatewayChainName());
            assertThat(calls.get(0).destinationContractAddress).isEqualToIgnoringCase(participantContracts.rewardVault());
            assertThat(new BigInteger(1, calls.get(0).payload, 0, 32)).as("message kind").isEqualTo(BigInteger.valueOf(4));
            assertThat(phase(taskId, 1)).as("round 1 untouched").isNotEqualTo(HomeCoordinator.PHASE_FAILED);

            // round 1 gets no commitment: at its aggregation deadline the keeper fails it
            long aggregationDeadline1 = start + (COMMIT + REVEAL) + COMMIT + REVEAL + AGGREGATE;
            mineAt(aggregationDeadline1 - 1);
            awaitHomeTimeSeen(keeper, aggregationDeadline1 - 1);
            Thread.sleep(600);
            assertThat(operatorNonce()).as("only the finalize so far").isEqualTo(1);
            mineAt(aggregationDeadline1);
            await(() -> operatorNonce() == 2 && keeper.stats().failed() == 1, "round 1 failed");
            TransactionReceipt failedTx = receiptOf(TaskCoordinator.ROUNDFAILED_EVENT, taskId);
            assertThat(failedTx.getFrom()).isEqualToIgnoringCase(OPERATOR.getAddress());
            assertThat(coordinator.taskState(BigInteger.valueOf(taskId)).send().component5())
                    .as("settled rounds").isEqualTo(BigInteger.TWO);
            assertThat(keeper.stats().finalized()).isEqualTo(1);
            assertThat(keeper.stuckRounds()).isEmpty();
            String text = MetricsScrape.http(metrics.url());
            assertThat(MetricsScrape.value(text, "tributary_keeper_rounds_finalized_total")).isEqualTo(1);
            assertThat(MetricsScrape.value(text, "tributary_keeper_rounds_failed_total")).isEqualTo(1);
            assertThat(MetricsScrape.value(text, "tributary_keeper_gas_used_total{call=\"finalize_round\"}"))
                    .isEqualTo(finalized.getGasUsed().doubleValue());
            assertThat(MetricsScrape.value(text, "tributary_keeper_gas_used_total{call=\"fail_round\"}"))
                    .isEqualTo(failedTx.getGasUsed().doubleValue());
            LOG.info("timing: keeper start to round 0 finalized {} ms, whole run {} ms",
                    (t1 - t0) / 1_000_000, (System.nanoTime() - t0) / 1_000_000);
        }

        // a restart reads chain.events from the start again (no RoundFinalized/RoundFailed there yet:
        // the connector lags) and sends nothing: the coordinator says both rounds are settled
        try (RoundKeeper again = RoundKeeper.start(config)) {
            assertThat(again.awaitReady(WAIT)).isTrue();
            mineAt(homeTime() + 5);
            awaitHomeTimeSeen(again, homeTime());
            Thread.sleep(600);
            assertThat(operatorNonce()).as("no second transaction").isEqualTo(2);
            assertThat(again.stats().finalized() + again.stats().failed() + again.stats().errors()).isZero();
        }
    }

    @Test
    void shouldReportAStuckRoundWhileTheOperatorCannotPayAndFinalizeItOnceFunded() throws Exception {
        long start = homeTime() + 10;
        TransactionReceipt posted = sendAs(CLIENT, homeContracts.taskCoordinator(), coordinator.postTask(spec(start, 1),
                BOUNTY).encodeFunctionCall());
        long taskId = TaskCoordinator.getTaskPostedEvents(posted).get(0).taskId.longValueExact();
        publish(posted, TaskCoordinator.TASKPOSTED_EVENT, "TaskPosted", Map.of("taskId", Long.toString(taskId)));
        mineAt(start + COMMIT + REVEAL);
        TransactionReceipt committed = sendAs(AGGREGATOR, homeContracts.taskCoordinator(),
                coordinator.commitRound(BigInteger.valueOf(taskId), BigInteger.ZERO, Hash.sha3("m".getBytes()),
                        Hash.sha3("c".getBytes()), BigInteger.TEN, BigInteger.ONE, List.of(BigInteger.TEN, BigInteger.ZERO))
                        .encodeFunctionCall());
        long committedAt = blockTime(committed);
        publish(committed, TaskCoordinator.ROUNDCOMMITTED_EVENT, "RoundCommitted",
                Map.of("taskId", Long.toString(taskId), "round", "0"));

        Credentials broke = Credentials.create(org.web3j.crypto.Keys.createEcKeyPair());
        KeeperConfig config = KeeperConfig.builder()
                .kafkaBootstrap(kafka.bootstrapServers())
                .homeChain(home.rpcUrl(), HOME_ID, homeContracts.taskCoordinator())
                .operatorKey(Numeric.toHexStringNoPrefixZeroPadded(broke.getEcKeyPair().getPrivateKey(), 64))
                .stateDir(dir.resolve("keeper-broke"))
                .tickInterval(Duration.ofMillis(200))
                .stuckAfter(Duration.ofSeconds(5))
                .build();
        try (RoundKeeper keeper = RoundKeeper.start(config)) {
            assertThat(keeper.awaitReady(WAIT)).isTrue();
            mineAt(committedAt + CHALLENGE + 10); // due for 10 s of home time, the operator has no ether
            ConnectorHarness.await("stuck round reported", WAIT, () -> !keeper.stuckRounds().isEmpty());
            RoundKeeper.StuckRound stuck = keeper.stuckRounds().get(0);
            assertThat(stuck.taskId()).isEqualTo(taskId);
            assertThat(stuck.round()).isZero();
            assertThat(stuck.action()).isEqualTo(RoundFacts.Action.FINALIZE);
            assertThat(stuck.dueSince()).isEqualTo(committedAt + CHALLENGE);
            assertThat(stuck.lastError()).containsIgnoringCase("funds");
            assertThat(phase(taskId, 0)).isEqualTo(4);

            home.call("anvil_setBalance", broke.getAddress(), "0xde0b6b3a7640000"); // 1 ether
            await(() -> phase(taskId, 0) == HomeCoordinator.PHASE_FINALIZED, "finalized once funded");
            ConnectorHarness.await("stuck round cleared", WAIT, () -> keeper.stuckRounds().isEmpty());
            assertThat(receiptOf(TaskCoordinator.ROUNDFINALIZED_EVENT, taskId).getFrom())
                    .isEqualToIgnoringCase(broke.getAddress());
            assertThat(keeper.stats().finalized()).isEqualTo(1);
            assertThat(keeper.stats().errors()).isPositive();
        }
    }

    private TaskCoordinator.TaskSpec spec(long start, int rounds) {
        return new TaskCoordinator.TaskSpec(modelId, Hash.sha3("data".getBytes()), BigInteger.valueOf(rounds),
                BigInteger.ONE, BigInteger.valueOf(16), BigInteger.valueOf(10_000), BigInteger.valueOf(start),
                BigInteger.valueOf(COMMIT + REVEAL), BigInteger.valueOf(COMMIT), BigInteger.valueOf(REVEAL),
                BigInteger.valueOf(AGGREGATE), BigInteger.valueOf(CHALLENGE), BigInteger.valueOf(4L << 32),
                BigInteger.valueOf(-24), BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO,
                List.of(BigInteger.valueOf(HOME_ID), BigInteger.valueOf(PARTICIPANT_ID)));
    }

    /** Sends from an unlocked anvil account and returns the successful receipt. */
    private TransactionReceipt sendAs(Credentials from, String to, String data) throws Exception {
        String tx = (String) home.call("eth_sendTransaction",
                Map.of("from", from.getAddress(), "to", to, "data", data, "gas", "0x2dc6c0"));
        home.receipt(tx);
        TransactionReceipt receipt = homeWeb3j.ethGetTransactionReceipt(tx).send().getTransactionReceipt().orElseThrow();
        assertThat(receipt.isStatusOK()).as("tx %s", tx).isTrue();
        return receipt;
    }

    /** Writes the log of {@code receipt} with {@code event}'s signature to chain.events as the connector would. */
    private void publish(TransactionReceipt receipt, org.web3j.abi.datatypes.Event event, String name,
            Map<String, String> fields) throws Exception {
        String topic0 = EventEncoder.encode(event);
        var log = receipt.getLogs().stream().filter(l -> l.getTopics().get(0).equals(topic0)).findFirst().orElseThrow();
        String contract = log.getAddress().toLowerCase();
        ChainEvent value = ChainEvent.newBuilder()
                .setOp(ChangeOp.c)
                .setSource(LogSource.newBuilder().setChainId(HOME_ID).setBlockNumber(log.getBlockNumber().longValueExact())
                        .setBlockHash(log.getBlockHash()).setBlockTimestamp(blockTime(receipt))
                        .setTxHash(log.getTransactionHash()).setLogIndex(log.getLogIndex().intValueExact())
                        .setContract(contract).build())
                .setContractName("TaskCoordinator")
                .setEventName(name)
                .setFields(fields)
                .setTopics(log.getTopics().stream().map(t -> ByteBuffer.wrap(Numeric.hexStringToByteArray(t))).toList())
                .setData(ByteBuffer.wrap(Numeric.hexStringToByteArray(log.getData())))
                .setEmittedAt(System.currentTimeMillis())
                .build();
        String key = Keys.chainEvent(HOME_ID, contract, log.getTransactionHash(), log.getLogIndex().intValueExact());
        producer.send(new ProducerRecord<>(Topics.CHAIN_EVENTS.name(), Topics.CHAIN_EVENTS.serializeKey(key),
                Topics.CHAIN_EVENTS.serializeValue(value))).get();
    }

    /** The receipt of the transaction that emitted {@code event} for {@code taskId} on the coordinator. */
    private TransactionReceipt receiptOf(org.web3j.abi.datatypes.Event event, long taskId) throws Exception {
        org.web3j.protocol.core.methods.request.EthFilter filter = new org.web3j.protocol.core.methods.request.EthFilter(
                DefaultBlockParameterName.EARLIEST, DefaultBlockParameterName.LATEST, homeContracts.taskCoordinator());
        filter.addSingleTopic(EventEncoder.encode(event));
        filter.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(taskId), 64));
        List<org.web3j.protocol.core.methods.response.EthLog.LogResult> logs = homeWeb3j.ethGetLogs(filter).send().getLogs();
        assertThat(logs).as("%s logs of task %d", event.getName(), taskId).hasSize(1);
        String tx = ((org.web3j.protocol.core.methods.response.Log) logs.get(0).get()).getTransactionHash();
        return homeWeb3j.ethGetTransactionReceipt(tx).send().getTransactionReceipt().orElseThrow();
    }

    private long blockTime(TransactionReceipt receipt) throws Exception {
        return homeWeb3j.ethGetBlockByHash(receipt.getBlockHash(), false).send().getBlock().getTimestamp().longValueExact();
    }

    private long homeTime() throws Exception {
        return homeWeb3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock().getTimestamp()
                .longValueExact();
    }

    /** Mines one block on home at exactly {@code time}. */
    private void mineAt(long time) throws Exception {
        home.call("evm_setNextBlockTimestamp", time);
        home.call("evm_mine");
    }

    private int phase(long taskId, int round) throws Exception {
        return coordinator.roundPhase(BigInteger.valueOf(taskId), BigInteger.valueOf(round)).send().intValueExact();
    }

    private long operatorNonce() throws Exception {
        return homeWeb3j.ethGetTransactionCount(OPERATOR.getAddress(), DefaultBlockParameterName.LATEST).send()
                .getTransactionCount().longValueExact();
    }

    private void awaitHomeTimeSeen(RoundKeeper keeper, long time) throws InterruptedException {
        ConnectorHarness.await("keeper sees home time " + time, WAIT, () -> keeper.stats().homeTime() >= time);
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(Check check, String what) throws InterruptedException {
        ConnectorHarness.await(what, WAIT, () -> {
            try {
                return check.holds();
            } catch (Exception e) {
                return false;
            }
        });
    }
}
