package io.tributary.ingest.relayer;

import io.tributary.ingest.kafka.KafkaClients;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.contracts.gateway.GatewayApprovals;
import io.tributary.contracts.generated.Gateway;
import io.tributary.contracts.tx.TransactionWriter;
import io.tributary.contracts.tx.TxRequest;
import io.tributary.schemas.Keys;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.ingest.testing.KafkaTestBroker;
import io.tributary.ingest.testing.MetricsScrape;
import io.tributary.schemas.metrics.MetricsEndpoint;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import io.tributary.schemas.avro.DeadLetter;
import io.tributary.schemas.avro.GatewayAttestation;
import io.tributary.schemas.avro.RejectionReason;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * The guardian relayer end to end: two real anvil chains with a Gateway each (guardians = 3 keys,
 * threshold 2), a real KRaft broker, real {@code callContract} transactions whose ContractCall log is
 * put on {@code chain.events} the way the connector does, and a {@code GatewayTestReceiver} on the
 * destination. Chains, gateways and broker are shared by the tests; each test has its own receiver,
 * messages and submitter state, and asserts only about its own messages.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayerIT {

    private static final String SOURCE = "home";
    private static final String DESTINATION = "arbitrum-local";
    private static final List<Credentials> GUARDIANS = List.of(key(1), key(2), key(3));
    private static final Credentials OUTSIDER = key(4);
    private static final Duration WAIT = Duration.ofSeconds(40);

    private Path classDir;
    private KafkaTestBroker kafka;
    private TestChain source;
    private TestChain destination;
    private String sourceGateway;
    private String destinationGateway;
    private KafkaProducer<byte[], byte[]> producer;
    private final AtomicInteger calls = new AtomicInteger();

    private Path testDir;
    private RelayerConfig config;
    private String receiver;
    private final List<AutoCloseable> running = new ArrayList<>();

    private static String privateKey(Credentials key) {
        return Numeric.toHexStringWithPrefixZeroPadded(key.getEcKeyPair().getPrivateKey(), 64);
    }

    private static Credentials key(int n) {
        return Credentials.create(Numeric.toHexStringNoPrefixZeroPadded(BigInteger.valueOf(n), 64));
    }

    @BeforeAll
    void startNetwork() throws Exception {
        classDir = Path.of("target", "relayer-it", Long.toString(System.nanoTime()));
        Files.createDirectories(classDir);
        kafka = KafkaTestBroker.start(classDir.resolve("kafka"));
        kafka.createTopics(Topics.all().stream().map(Topics.Topic::name).toArray(String[]::new));
        source = TestChain.start(SOURCE, 31337, classDir);
        destination = TestChain.start(DESTINATION, 412346, classDir);
        sourceGateway = deployGateway(source);
        destinationGateway = deployGateway(destination);
        producer = new KafkaProducer<>(KafkaClients.producer(kafka.bootstrapServers(), "relayer-it"));
    }

    @AfterAll
    void stopNetwork() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {producer, destination, source, kafka}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @BeforeEach
    void newReceiver(TestInfo test) throws Exception {
        testDir = classDir.resolve(test.getTestMethod().orElseThrow().getName());
        receiver = deployReceiver();
        config = RelayerConfig.builder()
                .chain(SOURCE, source.chainId, source.rpcUrl, sourceGateway)
                .chain(DESTINATION, destination.chainId, destination.rpcUrl, destinationGateway)
                .guardianKey(privateKey(GUARDIANS.get(0)))
                .guardianKey(privateKey(GUARDIANS.get(1)))
                .guardianKey(privateKey(GUARDIANS.get(2)))
                .threshold(2)
                .submitterKey(TestChain.SUBMITTER_KEY)
                .kafkaBootstrap(kafka.bootstrapServers())
                .stateDir(testDir.resolve("relayer"))
                .executionBackoff(Duration.ofMillis(200), Duration.ofSeconds(1))
                .stuckAfter(Duration.ofSeconds(1), Duration.ofSeconds(1))
                .build();
    }

    @AfterEach
    void stopRelayer() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        running.clear();
    }

    // ------------------------------------------------------------------------------------------ tests

    @Test
    void shouldExecuteOnceWhenTwoOfThreeGuardiansSign() throws Exception {
        ChainEvent event = sendMessage("hello tributary");
        String messageId = messageId(event);
        Recorder recorder = new Recorder();
        PrometheusRegistry registry = new PrometheusRegistry();
        MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0, registry);

        Relayer relayer;
        try {
            relayer = start(Relayer.start(config, List.of(1, 2), true, recorder, registry));
        } catch (RuntimeException e) {
            endpoint.close();
            throw e;
        }
        try (endpoint) {
            String before = MetricsScrape.http(endpoint.url());
            assertThat(MetricsScrape.value(before, "tributary_relayer_messages_failed_total{destination=\"" + DESTINATION
                    + "\"}")).as("every destination's series exists from the start").isZero();
            await(() -> relayer.submitter().orElseThrow().status().executed() == 1, "message executed by the submitter");
            await(() -> relayer.submitter().orElseThrow().status().pending() == 0, "nothing pending");
            String text = MetricsScrape.http(endpoint.url());
            String to = "{destination=\"" + DESTINATION + "\"}";
            assertThat(MetricsScrape.value(text, "tributary_relayer_messages_approved_total" + to)).isGreaterThanOrEqualTo(1);
            assertThat(MetricsScrape.value(text, "tributary_relayer_messages_executed_total" + to)).isGreaterThanOrEqualTo(1);
            assertThat(MetricsScrape.value(text, "tributary_relayer_messages_pending" + to)).isZero();
            assertThat(MetricsScrape.value(text, "tributary_relayer_oldest_pending_age_seconds" + to)).isZero();
            assertThat(MetricsScrape.value(text, "tributary_relayer_messages_executed_total{destination=\"" + SOURCE
                    + "\"}")).as("nothing went to the source chain").isZero();
            for (Guardian g : relayer.guardians()) {
                assertThat(g.signedCount()).as("guardian %s signed", g.address()).isPositive();
            }
            assertThat(MetricsScrape.value(text, "tributary_relayer_attestations_signed_total{guardian=\"1\"}"))
                    .isEqualTo(relayer.guardians().get(0).signedCount());
            assertThat(MetricsScrape.value(text, "tributary_relayer_attestations_signed_total{guardian=\"2\"}"))
                    .isEqualTo(relayer.guardians().get(1).signedCount());
            assertThat(MetricsScrape.find(text, "tributary_relayer_attestations_signed_total{guardian=\"3\"}"))
                    .as("guardian 3 does not run here").isEmpty();
        }

        await(() -> executions(event) == 1, "message executed");
        await(() -> relayer.guardians().stream().allMatch(g -> recorder.signed.contains(g.address() + ":" + messageId)),
                "both guardians signed");
        await(() -> relayer.submitter().orElseThrow().status().pending() == 0, "nothing pending");
        assertThat(executions(event)).isEqualTo(1);
        assertThat(totalExecutions()).isEqualTo(1);
        assertThat(lastPayload()).isEqualTo("hello tributary".getBytes(StandardCharsets.UTF_8));
        assertThat(recorder.approved).containsOnlyOnce(messageId);
        assertThat(recorder.executed).containsOnlyOnce(messageId);
        assertThat(gatewayExecuted(event)).isTrue();
        // the digest the guardians signed is the one the destination gateway computes
        ContractCallMessage message = ContractCallMessage.from(event, SOURCE);
        byte[] onChain = gateway(destination, destinationGateway).contractCallDigest(message.commandId(), SOURCE,
                message.sourceAddress(), receiver, message.payloadHash()).send();
        assertThat(onChain).isEqualTo(GatewayApprovals.approvalDigest(
                new GatewayApprovals.Domain(destination.chainId, destinationGateway), message.approval()));
    }

    @Test
    void shouldHaveNoDoubleEffectWhenGuardianCrashesBetweenSigningAndPublishing() throws Exception {
        ChainEvent event = sendMessage("guardian crash");
        String messageId = messageId(event);
        RelayerListener crashAfterSigning = new RelayerListener() {
            @Override
            public void signed(GatewayAttestation attestation) {
                if (attestation.getMessageId().equals(messageId)) {
                    throw new IllegalStateException("simulated crash after signing " + messageId);
                }
            }
        };
        Guardian crashing = start(Guardian.of(config, 1, crashAfterSigning));
        crashing.start();
        Recorder recorder = new Recorder();
        Relayer others = start(Relayer.start(config, List.of(2), true, recorder));

        assertThat(crashing.awaitFinished(WAIT)).isTrue();
        assertThat(crashing.failure()).get().asString().contains("simulated crash");
        await(() -> recorder.signed.contains(GUARDIANS.get(1).getAddress() + ":" + messageId), "guardian 2 signed");
        await(() -> others.submitter().orElseThrow().status().pending() == 1, "the message waits for a second signature");
        assertThat(gatewayApproved(event)).isFalse();

        Guardian restarted = start(Guardian.of(config, 1, recorder));
        restarted.start();

        await(() -> executions(event) == 1, "message executed after the guardian's restart");
        await(() -> recorder.signed.contains(GUARDIANS.get(0).getAddress() + ":" + messageId),
                "the restarted guardian signed the unacknowledged event again");
        assertThat(recorder.approved).containsOnlyOnce(messageId);
        assertThat(executions(event)).isEqualTo(1);
        assertThat(totalExecutions()).isEqualTo(1);
    }

    @Test
    void shouldDeadLetterDuplicateAttestationAndCountItOnce() throws Exception {
        ChainEvent event = sendMessage("duplicate");
        String messageId = messageId(event);
        List<GatewayAttestation> published = new CopyOnWriteArrayList<>();
        RelayerListener capture = new RelayerListener() {
            @Override
            public void signed(GatewayAttestation attestation) {
                if (attestation.getMessageId().equals(messageId)) {
                    published.add(attestation);
                }
            }
        };
        Relayer relayer = start(Relayer.start(config, List.of(1), true, capture));
        await(() -> published.size() == 1, "guardian 1 signed");
        publish(published.get(0)); // the same attestation once more

        await(() -> deadLetters(messageId).stream().anyMatch(d -> d.getReason() == RejectionReason.DUPLICATE),
                "the duplicate is dead-lettered");
        RelayerStatus status = relayer.submitter().orElseThrow().status();
        assertThat(status.pending()).isEqualTo(1);
        assertThat(status.oldestPendingId()).contains(messageId);
        assertThat(status.oldestPendingAge()).isPositive();
        assertThat(gatewayApproved(event)).as("one guardian's signature twice is not two signatures").isFalse();

        Guardian second = start(Guardian.of(config, 2, RelayerListener.NONE));
        second.start();
        await(() -> executions(event) == 1, "executed once a second guardian signed");
        assertThat(deadLetters(messageId)).extracting(DeadLetter::getReason).containsExactly(RejectionReason.DUPLICATE);
        DeadLetter letter = deadLetters(messageId).get(0);
        assertThat(letter.getSourceTopic()).isEqualTo(Topics.GATEWAY_ATTESTATIONS.name());
        assertThat(Topics.GATEWAY_ATTESTATIONS.deserializeValue(SignatureSet.bytes(letter.getPayload())))
                .isEqualTo(published.get(0));
    }

    @Test
    void shouldDeadLetterForgedSignaturesAndNotCountThem() throws Exception {
        ChainEvent event = sendMessage("forged");
        String messageId = messageId(event);
        ContractCallMessage message = ContractCallMessage.from(event, SOURCE);
        GatewayApprovals.Domain domain = new GatewayApprovals.Domain(destination.chainId, destinationGateway);
        byte[] digest = GatewayApprovals.approvalDigest(domain, message.approval());
        GatewayApprovals.Approval otherPayload = new GatewayApprovals.Approval(message.commandId(), SOURCE,
                message.sourceAddress(), DESTINATION, receiver, Hash.sha3("something else".getBytes(StandardCharsets.UTF_8)));
        String guardian2 = GUARDIANS.get(1).getAddress();

        Recorder recorder = new Recorder();
        start(Relayer.start(config, List.of(1), true, recorder));
        // wrong key: an outsider signs the right digest and claims to be guardian 2
        publish(attestation(message, guardian2, GatewayApprovals.sign(digest, OUTSIDER)));
        // wrong digest: guardian 2's key over another payload
        publish(attestation(message, guardian2,
                GatewayApprovals.sign(GatewayApprovals.approvalDigest(domain, otherPayload), GUARDIANS.get(1))));
        // an outsider's honest signature: not a guardian
        publish(attestation(message, OUTSIDER.getAddress(), GatewayApprovals.sign(digest, OUTSIDER)));

        await(() -> deadLetters(messageId).size() == 3, "three forged attestations dead-lettered");
        assertThat(deadLetters(messageId)).extracting(DeadLetter::getReason).containsOnly(RejectionReason.BAD_SIGNATURE);
        await(() -> recorder.signed.contains(GUARDIANS.get(0).getAddress() + ":" + messageId), "guardian 1 signed");
        assertThat(gatewayApproved(event)).as("forged signatures count for nothing").isFalse();

        Guardian second = start(Guardian.of(config, 2, RelayerListener.NONE));
        second.start();
        await(() -> executions(event) == 1, "executed with two real signatures");
        assertThat(totalExecutions()).isEqualTo(1);
    }

    @Test
    void shouldRetryRevertingExecutionUntilTheReceiverIsFixed() throws Exception {
        setBroken(true);
        ChainEvent event = sendMessage("retry me");
        String messageId = messageId(event);
        Recorder recorder = new Recorder();
        Relayer relayer = start(Relayer.start(config, List.of(), false, recorder));

        await(() -> recorder.failures.getOrDefault(messageId, 0) >= 2, "two failed executions");
        assertThat(gatewayApproved(event)).as("approval stays while execution fails").isTrue();
        assertThat(executions(event)).isZero();
        assertThat(relayer.submitter().orElseThrow().status().executionFailures()).isGreaterThanOrEqualTo(2);

        setBroken(false);
        await(() -> executions(event) == 1, "executed once the receiver works again");
        await(() -> recorder.executed.contains(messageId), "the submitter saw it executed");
        assertThat(recorder.approved).containsOnlyOnce(messageId);
        assertThat(totalExecutions()).isEqualTo(1);
        assertThat(gatewayExecuted(event)).isTrue();
    }

    @Test
    void shouldExecuteOnceWhenSubmitterCrashesAfterApproveBeforeExecute() throws Exception {
        ChainEvent event = sendMessage("submitter crash");
        String messageId = messageId(event);
        RelayerListener crashAfterApprove = new RelayerListener() {
            @Override
            public void approved(String id) {
                throw new IllegalStateException("simulated crash after approving " + id);
            }
        };
        Relayer guardians = start(Relayer.start(config, List.of(1, 2, 3), false, RelayerListener.NONE));
        Submitter crashing = start(new Submitter(config, crashAfterApprove));
        crashing.start();

        assertThat(crashing.awaitFinished(WAIT)).isTrue();
        assertThat(crashing.failure()).get().asString().contains("simulated crash");
        assertThat(gatewayApproved(event)).isTrue();
        assertThat(executions(event)).isZero();

        Recorder recorder = new Recorder();
        Submitter restarted = start(new Submitter(config, recorder));
        restarted.start();
        await(() -> executions(event) == 1, "executed after the restart");
        await(() -> recorder.executed.contains(messageId), "the restarted submitter reports it");
        assertThat(recorder.approved).as("no second approval").doesNotContain(messageId);
        assertThat(totalExecutions()).isEqualTo(1);
        assertThat(guardians.crashed()).isEmpty();
    }

    @Test
    void shouldNotRelayMessageRetractedBeforeApproval() throws Exception {
        ChainEvent retractedEvent = sendMessage("retracted", false);
        publish(retractedEvent);
        publish(ChainEvents.withOp(retractedEvent, ChangeOp.d));
        ChainEvent kept = sendMessage("kept");
        Relayer relayer = start(Relayer.start(config, List.of(), false, RelayerListener.NONE));

        await(() -> executions(kept) == 1, "the message after it is relayed");
        // status() is a snapshot the submitter refreshes once per loop: wait for the one that counts it.
        await(() -> relayer.submitter().orElseThrow().status().retracted() >= 1, "the retraction is counted");
        await(() -> relayer.submitter().orElseThrow().status().pending() == 0, "nothing pending");
        assertThat(gatewayApproved(retractedEvent)).isFalse();
        assertThat(executions(retractedEvent)).isZero();
    }

    // ------------------------------------------------------------------------------------------ helpers

    private <T extends AutoCloseable> T start(T closeable) {
        running.add(closeable);
        return closeable;
    }

    private static String messageId(ChainEvent event) {
        return ContractCallMessage.messageId(event.getSource().getTxHash(), event.getSource().getLogIndex());
    }

    private String deployGateway(TestChain chain) throws Exception {
        List<String> guardians = GUARDIANS.stream().map(Credentials::getAddress).toList();
        Gateway gateway = Gateway.deploy(chain.web3j, chain.deployer.transactionManager("deploy:gateway"),
                chain.deployer.gasProvider(BigInteger.valueOf(5_000_000)), chain.name, guardians, BigInteger.TWO).send();
        return gateway.getContractAddress().toLowerCase();
    }

    private String deployReceiver() throws Exception {
        JsonNode artifact = new ObjectMapper().readTree(Path.of("../contracts/target/forge-out/GatewayTestReceiver.sol/"
                + "GatewayTestReceiver.json").toFile());
        String bytecode = artifact.path("bytecode").path("object").asText();
        String args = FunctionEncoder.encodeConstructor(List.of(new Address(destinationGateway)));
        TransactionReceipt receipt = destination.deployer.send(new TxRequest("deploy:receiver:" + System.nanoTime(),
                null, BigInteger.ZERO, bytecode + args, null)).receipt();
        return receipt.getContractAddress().toLowerCase();
    }

    private ChainEvent sendMessage(String payload) throws Exception {
        return sendMessage(payload, true);
    }

    /** Calls callContract on the source gateway for real; puts the log on chain.events if {@code publish}. */
    private ChainEvent sendMessage(String payload, boolean publish) throws Exception {
        Gateway gateway = Gateway.load(sourceGateway, source.web3j,
                source.deployer.transactionManager("call:" + calls.incrementAndGet() + ":" + System.nanoTime()),
                source.deployer.gasProvider(BigInteger.valueOf(500_000)));
        TransactionReceipt receipt = gateway.callContract(DESTINATION, receiver,
                payload.getBytes(StandardCharsets.UTF_8)).send();
        ChainEvent event = ChainEvents.contractCall(source.web3j, source.chainId, receipt, ChangeOp.c);
        if (publish) {
            publish(event);
        }
        return event;
    }

    private void publish(ChainEvent event) throws Exception {
        String key = Keys.chainEvent(event.getSource().getChainId(), event.getSource().getContract(),
                event.getSource().getTxHash(), event.getSource().getLogIndex());
        producer.send(new ProducerRecord<>(Topics.CHAIN_EVENTS.name(), Topics.CHAIN_EVENTS.serializeKey(key),
                Topics.CHAIN_EVENTS.serializeValue(event))).get();
    }

    private void publish(GatewayAttestation attestation) throws Exception {
        producer.send(new ProducerRecord<>(Topics.GATEWAY_ATTESTATIONS.name(),
                Topics.GATEWAY_ATTESTATIONS.serializeKey(attestation.getMessageId()),
                Topics.GATEWAY_ATTESTATIONS.serializeValue(attestation))).get();
    }

    private static GatewayAttestation attestation(ContractCallMessage m, String guardian, byte[] signature) {
        return GatewayAttestation.newBuilder()
                .setMessageId(m.messageId())
                .setCommandId(ByteBuffer.wrap(m.commandId()))
                .setSourceChain(m.sourceChain())
                .setSourceAddress(m.sourceAddress())
                .setDestinationChain(m.destinationChain())
                .setDestinationAddress(m.destinationAddress())
                .setPayloadHash(ByteBuffer.wrap(m.payloadHash()))
                .setGuardian(guardian.toLowerCase())
                .setSignature(ByteBuffer.wrap(signature))
                .setSignedAt(System.currentTimeMillis())
                .build();
    }

    /** Dead letters about {@code messageId}'s attestations, in order. */
    private List<DeadLetter> deadLetters(String messageId) {
        String key = Keys.deadLetter(Topics.GATEWAY_ATTESTATIONS.name(), messageId);
        List<DeadLetter> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                KafkaClients.consumer(kafka.bootstrapServers(), null, "relayer-it-deadletters"))) {
            TopicPartition partition = new TopicPartition(Topics.DEADLETTER.name(), 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (Topics.DEADLETTER.deserializeKey(r.key()).equals(key)) {
                        out.add(Topics.DEADLETTER.deserializeValue(r.value()));
                    }
                }
            }
        }
        return out;
    }

    private void setBroken(boolean broken) throws Exception {
        Function set = new Function("setBroken", List.of(new Bool(broken)), List.of());
        destination.deployer.send(TxRequest.call("broken:" + broken + ":" + System.nanoTime(), receiver,
                FunctionEncoder.encode(set)));
    }

    private long executions(ChainEvent event) throws Exception {
        ContractCallMessage m = ContractCallMessage.from(event, SOURCE);
        return uintView(receiver, new Function("executions", List.of(new Bytes32(m.commandId())),
                List.of(new TypeReference<Uint256>() {})));
    }

    private long totalExecutions() throws Exception {
        return uintView(receiver, new Function("totalExecutions", List.of(), List.of(new TypeReference<Uint256>() {})));
    }

    private byte[] lastPayload() throws Exception {
        Function f = new Function("lastPayload", List.of(),
                List.of(new TypeReference<org.web3j.abi.datatypes.DynamicBytes>() {}));
        String raw = destination.web3j.ethCall(Transaction.createEthCallTransaction(null, receiver,
                FunctionEncoder.encode(f)), DefaultBlockParameterName.LATEST).send().getValue();
        List<Type> out = FunctionReturnDecoder.decode(raw, f.getOutputParameters());
        return (byte[]) out.get(0).getValue();
    }

    private long uintView(String contract, Function f) throws Exception {
        String raw = destination.web3j.ethCall(Transaction.createEthCallTransaction(null, contract,
                FunctionEncoder.encode(f)), DefaultBlockParameterName.LATEST).send().getValue();
        List<Type> out = FunctionReturnDecoder.decode(raw, f.getOutputParameters());
        return ((BigInteger) out.get(0).getValue()).longValueExact();
    }

    private Gateway gateway(TestChain chain, String address) {
        TransactionWriter writer = chain.deployer;
        return Gateway.load(address, chain.web3j, writer.transactionManager("views"),
                writer.gasProvider(BigInteger.valueOf(1_000_000)));
    }

    private boolean gatewayApproved(ChainEvent event) throws Exception {
        return gateway(destination, destinationGateway)
                .isCommandExecuted(ContractCallMessage.from(event, SOURCE).commandId()).send();
    }

    private boolean gatewayExecuted(ChainEvent event) throws Exception {
        return gateway(destination, destinationGateway)
                .isContractCallExecuted(ContractCallMessage.from(event, SOURCE).commandId()).send();
    }

    private interface Check {
        boolean test() throws Exception;
    }

    private static void await(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!check.test()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for: " + what);
            }
            Thread.sleep(100);
        }
    }

    /** Records what the relayer reports. */
    private static final class Recorder implements RelayerListener {
        final List<String> signed = new CopyOnWriteArrayList<>();
        final List<String> approved = new CopyOnWriteArrayList<>();
        final List<String> executed = new CopyOnWriteArrayList<>();
        final Map<String, Integer> failures = new ConcurrentHashMap<>();

        @Override
        public void signed(GatewayAttestation attestation) {
            signed.add(attestation.getGuardian() + ":" + attestation.getMessageId());
        }

        @Override
        public void approved(String messageId) {
            approved.add(messageId);
        }

        @Override
        public void executed(String messageId) {
            executed.add(messageId);
        }

        @Override
        public void executionFailed(String messageId, String reason) {
            failures.merge(messageId, 1, Integer::sum);
        }
    }
}
