package io.tributary.ingest.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.contracts.deploy.ChainContracts;
import io.tributary.contracts.deploy.Deployer;
import io.tributary.contracts.deploy.DevKeys;
import io.tributary.contracts.deploy.KeyRoles;
import io.tributary.contracts.generated.ModelRegistry;
import io.tributary.contracts.generated.TaskCoordinator;
import io.tributary.contracts.generated.TaskIntake;
import io.tributary.contracts.generated.TrainingToken;
import io.tributary.contracts.tx.TransactionWriter;
import io.tributary.contracts.tx.TxRequest;
import io.tributary.contracts.tx.TxResult;
import io.tributary.ingest.client.TaskClient;
import io.tributary.ingest.testing.AnvilTestChain;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.ingest.testing.KafkaTestBroker;
import io.tributary.ingest.testing.MetricsScrape;
import io.tributary.schemas.metrics.MetricsEndpoint;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.DeadLetter;
import io.tributary.schemas.avro.ReceiptStatus;
import io.tributary.schemas.avro.RejectionReason;
import io.tributary.schemas.avro.TaskReceipt;
import io.tributary.schemas.avro.TaskRequest;
import io.tributary.schemas.avro.TaskSpec;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.utils.Numeric;

/**
 * Task intake on a real anvil home chain with the deployed protocol suite and a real Kafka broker:
 * the {@link TaskClient} signs and produces, the {@link TaskIntakeService} checks, posts and answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TaskIntakeIT {

    private static final long CHAIN_ID = 31337;
    private static final List<Credentials> KEYS = DevKeys.anvil(12);
    private static final KeyRoles ROLES = KeyRoles.defaults();
    private static final Credentials CLIENT = KEYS.get(ROLES.client());
    private static final Credentials STRANGER = KEYS.get(ROLES.workers().get(0));
    private static final BigInteger BOUNTY = BigInteger.TEN.pow(18).multiply(BigInteger.valueOf(5));
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Logger LOG = LoggerFactory.getLogger(TaskIntakeIT.class);

    private Path dir;
    private AnvilTestChain anvil;
    private Web3j web3j;
    private KafkaTestBroker kafka;
    private ChainContracts home;
    private IntakeConfig config;
    private TaskIntakeService service;
    private MetricsEndpoint metrics;
    private TaskClient client;
    private TaskCoordinator coordinator;
    private TaskIntake intake;
    private TrainingToken token;

    @BeforeAll
    void startChainKafkaAndIntake() throws Exception {
        dir = Path.of(System.getProperty("tributary.test.dir", "target/it")).resolve("intake-" + System.nanoTime());
        anvil = AnvilTestChain.start(CHAIN_ID, dir);
        web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
        home = Deployer.builder().devKeys(KEYS).roles(ROLES).stateDir(dir.resolve("deployment"))
                .home("home", CHAIN_ID, web3j).build().deploy().home();
        StaticGasProvider noGas = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);
        ReadonlyTransactionManager reader = new ReadonlyTransactionManager(web3j, CLIENT.getAddress());
        coordinator = TaskCoordinator.load(home.taskCoordinator(), web3j, reader, noGas);
        intake = TaskIntake.load(home.taskIntake(), web3j, reader, noGas);
        token = TrainingToken.load(home.trainingToken(), web3j, reader, noGas);
        ModelRegistry registry = ModelRegistry.load(home.modelRegistry(), web3j, reader, noGas);
        String registered = anvil.send(home.modelRegistry(), registry.registerModel(Eip712.keccak("mlp"),
                Eip712.keccak("initial model"), "test://mlp").encodeFunctionCall());
        assertThat(anvil.receipt(registered).get("status")).isEqualTo("0x1");
        assertThat(registry.modelExists(BigInteger.ONE).send()).isTrue();

        kafka = KafkaTestBroker.start(dir.resolve("kafka"));
        kafka.createTopics(Topics.TASK_REQUESTS.name(), Topics.TASK_RECEIPTS.name(), Topics.DEADLETTER.name());
        config = IntakeConfig.builder()
                .kafkaBootstrap(kafka.bootstrapServers())
                .homeChain(anvil.rpcUrl(), CHAIN_ID)
                .contracts(home.taskIntake(), home.taskCoordinator(), home.trainingToken(), home.modelRegistry())
                .submitterKey(Numeric.toHexStringNoPrefixZeroPadded(KEYS.get(ROLES.relayer()).getEcKeyPair().getPrivateKey(), 64))
                .stateDir(dir.resolve("intake"))
                .retryBackoff(Duration.ofMillis(200))
                .build();
        startService();
        client = TaskClient.builder()
                .kafkaBootstrap(kafka.bootstrapServers())
                .homeChain(anvil.rpcUrl(), CHAIN_ID)
                .contracts(home.taskIntake(), home.taskCoordinator(), home.trainingToken(), home.modelRegistry())
                .build();
    }

    private void startService() throws Exception {
        if (metrics != null) {
            metrics.close();
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        metrics = MetricsEndpoint.start("127.0.0.1", 0, registry);
        service = TaskIntakeService.start(config, registry);
        assertThat(service.awaitReady(WAIT)).as("intake ready").isTrue();
    }

    /** A series of the intake's metrics endpoint, scraped over HTTP. */
    private double metric(String series) throws Exception {
        return MetricsScrape.value(MetricsScrape.http(metrics.url()), series);
    }

    private static final String ACCEPTED = "tributary_intake_requests_accepted_total";
    private static final String DEADLETTERS = "tributary_intake_deadletters_total";

    private static String rejected(RejectionReason reason) {
        return "tributary_intake_requests_rejected_total{reason=\"" + reason.name().toLowerCase(java.util.Locale.ROOT)
                + "\"}";
    }

    /**
     * Waits until {@code series} reads {@code expected} (the counter moves just after the receipt is
     * acknowledged, so a client may see the receipt a moment earlier), then checks it stays there.
     */
    private void awaitMetric(String series, double expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (metric(series) != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(metric(series)).as(series).isEqualTo(expected);
    }

    @AfterAll
    void stopAll() throws Exception {
        if (client != null) {
            client.close();
        }
        if (service != null) {
            service.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (web3j != null) {
            web3j.shutdown();
        }
        if (anvil != null) {
            anvil.close();
        }
    }

    private TaskSpec spec() throws Exception {
        return Specs.sane(chainTime() + 3600, CHAIN_ID).build();
    }

    private long chainTime() throws Exception {
        return web3j.ethGetBlockByNumber(org.web3j.protocol.core.DefaultBlockParameterName.LATEST, false).send()
                .getBlock().getTimestamp().longValueExact();
    }

    private long taskCount() throws Exception {
        return coordinator.taskCount().send().longValueExact();
    }

    private TaskReceipt produceAndAwait(TaskRequest request) throws Exception {
        try (TaskClient.ReceiptWatch watch = client.watchReceipts()) {
            client.produce(request);
            return watch.await(request.getRequestId(), WAIT);
        }
    }

    private List<TaskReceipt> receiptsOf(String requestId) {
        return kafka.readAll(Topics.TASK_RECEIPTS.name()).stream()
                .map(r -> Topics.TASK_RECEIPTS.deserializeValue(r.value()))
                .filter(r -> r.getRequestId().equals(requestId)).toList();
    }

    private static TaskRequest copyWithId(TaskRequest request, String requestId) {
        return TaskRequest.newBuilder(request).setRequestId(requestId).build();
    }

    @Test
    void shouldComputeTheSameDigestAsTheDeployedTaskIntake() throws Exception {
        TaskRequest request = client.sign(Specs.sane(chainTime() + 3600, CHAIN_ID).setExpMin(-30).setExpMax(-7)
                .setRule(io.tributary.schemas.avro.AggregationRule.TRIMMED_MEAN).setRuleParam(100).build(),
                BOUNTY, CLIENT);
        TaskIntake.TaskRequest onChain = RequestChecks.toChain(request);
        byte[] ours = new TaskRequestDigest(CHAIN_ID, home.taskIntake()).digest(onChain);
        assertThat(ours).isEqualTo(intake.hashTaskRequest(onChain).send());
        assertThat(TaskRequestDigest.specHash(onChain.spec)).isEqualTo(intake.hashTaskSpec(onChain.spec).send());
    }

    @Test
    void shouldPostTheTaskAndAnswerAcceptedWhenTheRequestIsValid() throws Exception {
        long before = taskCount();
        BigInteger escrowBefore = token.balanceOf(home.taskCoordinator()).send();
        double acceptedBefore = metric(ACCEPTED);
        double rejectedBefore = metric(rejected(RejectionReason.BAD_SIGNATURE));

        long t0 = System.nanoTime();
        TaskReceipt receipt = client.post(spec(), BOUNTY, CLIENT, WAIT);
        LOG.info("timing: sign + produce + check + postTaskFor + receipt in {} ms", (System.nanoTime() - t0) / 1_000_000);

        assertThat(receipt.getStatus()).as(receipt.toString()).isEqualTo(ReceiptStatus.ACCEPTED);
        assertThat(receipt.getTaskId()).isEqualTo(before + 1);
        assertThat(taskCount()).isEqualTo(before + 1);
        TransactionReceipt tx = web3j.ethGetTransactionReceipt(receipt.getTxHash()).send().getTransactionReceipt()
                .orElseThrow();
        assertThat(tx.isStatusOK()).isTrue();
        assertThat(tx.getBlockNumber().longValueExact()).isEqualTo(receipt.getBlockNumber());
        TaskCoordinator.TaskSpec stored = coordinator.taskSpec(BigInteger.valueOf(receipt.getTaskId())).send();
        assertThat(stored.roundPeriod).isEqualTo(BigInteger.valueOf(1200));
        assertThat(TaskCoordinator.getTaskPostedEvents(tx).get(0).client).isEqualToIgnoringCase(CLIENT.getAddress());
        assertThat(token.balanceOf(home.taskCoordinator()).send()).isEqualTo(escrowBefore.add(BOUNTY));
        assertThat(receiptsOf(receipt.getRequestId())).hasSize(1);
        awaitMetric(ACCEPTED, acceptedBefore + 1);
        assertThat(metric(rejected(RejectionReason.BAD_SIGNATURE))).isEqualTo(rejectedBefore);
    }

    @Test
    void shouldExposeARejectionSeriesForEveryReasonFromTheStart() throws Exception {
        String text = MetricsScrape.http(metrics.url());
        for (RejectionReason reason : RejectionReason.values()) {
            assertThat(MetricsScrape.find(text, rejected(reason))).as(reason.name()).isPresent();
        }
        assertThat(MetricsScrape.find(text, ACCEPTED)).isPresent();
        assertThat(MetricsScrape.find(text, DEADLETTERS)).isPresent();
    }

    @Test
    void shouldRejectABadSignatureAndPostNothing() throws Exception {
        TaskRequest request = client.sign(spec(), BOUNTY, CLIENT);
        byte[] digest = new TaskRequestDigest(CHAIN_ID, home.taskIntake()).digest(RequestChecks.toChain(request));
        request.setSignature(ByteBuffer.wrap(Eip712.sign(digest, STRANGER)));
        long before = taskCount();
        double rejectedBefore = metric(rejected(RejectionReason.BAD_SIGNATURE));
        double acceptedBefore = metric(ACCEPTED);

        TaskReceipt receipt = produceAndAwait(request);

        assertThat(receipt.getStatus()).isEqualTo(ReceiptStatus.REJECTED);
        assertThat(receipt.getReason()).isEqualTo(RejectionReason.BAD_SIGNATURE);
        assertThat(receipt.getTaskId()).isNull();
        assertThat(taskCount()).isEqualTo(before);
        awaitMetric(rejected(RejectionReason.BAD_SIGNATURE), rejectedBefore + 1);
        assertThat(metric(ACCEPTED)).isEqualTo(acceptedBefore);
    }

    @Test
    void shouldRejectAReplayedNonceWhenASignedRequestComesAgainUnderAnotherId() throws Exception {
        TaskRequest first = client.sign(spec(), BOUNTY, CLIENT);
        double replayedBefore = metric(rejected(RejectionReason.REPLAYED_NONCE));
        assertThat(produceAndAwait(first).getStatus()).isEqualTo(ReceiptStatus.ACCEPTED);
        long after = taskCount();

        TaskReceipt replay = produceAndAwait(copyWithId(first, UUID.randomUUID().toString()));

        assertThat(replay.getStatus()).isEqualTo(ReceiptStatus.REJECTED);
        assertThat(replay.getReason()).as(replay.getDetail()).isEqualTo(RejectionReason.REPLAYED_NONCE);
        assertThat(taskCount()).isEqualTo(after);
        awaitMetric(rejected(RejectionReason.REPLAYED_NONCE), replayedBefore + 1);
    }

    @Test
    void shouldRejectInsufficientAllowanceWhenThereIsNoPermit() throws Exception {
        BigInteger allowance = token.allowance(CLIENT.getAddress(), home.taskCoordinator()).send();
        TaskRequest request = client.sign(spec(), allowance.add(BOUNTY), CLIENT);
        request.setPermit(null); // the permit is not part of the signed request
        long before = taskCount();
        double rejectedBefore = metric(rejected(RejectionReason.INSUFFICIENT_ALLOWANCE));

        TaskReceipt receipt = produceAndAwait(request);

        assertThat(receipt.getStatus()).isEqualTo(ReceiptStatus.REJECTED);
        assertThat(receipt.getReason()).as(receipt.getDetail()).isEqualTo(RejectionReason.INSUFFICIENT_ALLOWANCE);
        assertThat(taskCount()).isEqualTo(before);
        awaitMetric(rejected(RejectionReason.INSUFFICIENT_ALLOWANCE), rejectedBefore + 1);
    }

    @Test
    void shouldRejectAMalformedSpecAndPostNothing() throws Exception {
        TaskSpec bad = Specs.sane(chainTime() + 3600, CHAIN_ID).setRounds(0).setMinContributors(9)
                .setMaxContributors(3).build();
        long before = taskCount();
        double rejectedBefore = metric(rejected(RejectionReason.BAD_SPEC));

        TaskReceipt receipt = client.post(bad, BOUNTY, CLIENT, WAIT);

        assertThat(receipt.getStatus()).isEqualTo(ReceiptStatus.REJECTED);
        assertThat(receipt.getReason()).isEqualTo(RejectionReason.BAD_SPEC);
        assertThat(receipt.getDetail()).contains("rounds must be in [1, 1000]", "maxContributors 3 < minContributors 9");
        assertThat(taskCount()).isEqualTo(before);
        awaitMetric(rejected(RejectionReason.BAD_SPEC), rejectedBefore + 1);
    }

    @Test
    void shouldPostOnceAndAnswerOnceWhenTheSameRecordIsProducedTwice() throws Exception {
        TaskRequest request = client.sign(spec(), BOUNTY, CLIENT);
        long before = taskCount();
        long duplicatesBefore = service.stats().duplicates();

        client.produce(request);
        TaskReceipt receipt = produceAgainAndAwaitReceipt(request);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (service.stats().duplicates() == duplicatesBefore && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }

        assertThat(receipt.getStatus()).isEqualTo(ReceiptStatus.ACCEPTED);
        assertThat(service.stats().duplicates()).isEqualTo(duplicatesBefore + 1);
        assertThat(taskCount()).isEqualTo(before + 1);
        assertThat(receiptsOf(request.getRequestId())).singleElement()
                .satisfies(r -> assertThat(r.getTaskId()).isEqualTo(before + 1));
    }

    /** Produces a second copy and returns the request's receipt, whether it was written before or after. */
    private TaskReceipt produceAgainAndAwaitReceipt(TaskRequest request) throws Exception {
        client.produce(request);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            List<TaskReceipt> found = receiptsOf(request.getRequestId());
            if (!found.isEmpty()) {
                return found.get(0);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no receipt for " + request.getRequestId());
    }

    @Test
    void shouldDeadLetterUndecodableBytesAndKeepServing() throws Exception {
        byte[] garbage = "not a task request".getBytes(StandardCharsets.UTF_8);
        double deadBefore = metric(DEADLETTERS);
        double acceptedBefore = metric(ACCEPTED);
        double undecodableBefore = metric(rejected(RejectionReason.UNDECODABLE));
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers",
                kafka.bootstrapServers(), "key.serializer", ByteArraySerializer.class.getName(),
                "value.serializer", ByteArraySerializer.class.getName()))) {
            raw.send(new ProducerRecord<>(Topics.TASK_REQUESTS.name(), "junk".getBytes(StandardCharsets.UTF_8),
                    garbage)).get(30, TimeUnit.SECONDS);
        }

        TaskReceipt next = client.post(spec(), BOUNTY, CLIENT, WAIT);

        assertThat(next.getStatus()).isEqualTo(ReceiptStatus.ACCEPTED);
        List<DeadLetter> letters = kafka.readAll(Topics.DEADLETTER.name()).stream()
                .map(r -> Topics.DEADLETTER.deserializeValue(r.value()))
                .filter(d -> d.getSourceTopic().equals(Topics.TASK_REQUESTS.name())).toList();
        assertThat(letters).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo(RejectionReason.UNDECODABLE);
            assertThat(d.getPayload()).isEqualTo(ByteBuffer.wrap(garbage));
            assertThat(d.getProducer()).isEqualTo("task-intake");
        });
        awaitMetric(ACCEPTED, acceptedBefore + 1);
        assertThat(metric(DEADLETTERS)).isEqualTo(deadBefore + 1);
        assertThat(metric(rejected(RejectionReason.UNDECODABLE))).as("a dead letter is no rejection")
                .isEqualTo(undecodableBefore);
    }

    @Test
    void shouldFinishTheSentTransactionWhenRestartedAfterACrashBeforeTheReceipt() throws Exception {
        TaskRequest request = client.sign(spec(), BOUNTY, CLIENT);
        long before = taskCount();
        // The crash: the service had sent postTaskFor for this request but wrote no receipt.
        service.close();
        TxResult sent;
        try (Web3jHomeChain chain = Web3jHomeChain.connect(anvil.rpcUrl(), CHAIN_ID, home.taskIntake(),
                        home.taskCoordinator(), home.trainingToken(), home.modelRegistry());
                TransactionWriter writer = TaskIntakeService.openWriter(config, chain.web3j())) {
            RequestChecks.Checked checked = RequestChecks.check(request, chain);
            sent = writer.send(TxRequest.call(TaskIntakeService.idempotencyKey(request.getRequestId()),
                    home.taskIntake(), chain.intake().postTaskFor(checked.request(), checked.signature(),
                            checked.permit()).encodeFunctionCall()));
        }
        assertThat(taskCount()).isEqualTo(before + 1);
        startService();

        TaskReceipt receipt = produceAndAwait(request);

        assertThat(receipt.getStatus()).as(receipt.toString()).isEqualTo(ReceiptStatus.ACCEPTED);
        assertThat(receipt.getTxHash()).isEqualTo(sent.transactionHash());
        assertThat(receipt.getTaskId()).isEqualTo(before + 1);
        assertThat(taskCount()).isEqualTo(before + 1);
    }
}
