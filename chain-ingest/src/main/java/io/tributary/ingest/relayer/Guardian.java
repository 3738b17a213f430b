package io.tributary.ingest.relayer;

import io.tributary.ingest.kafka.KafkaClients;
import io.tributary.contracts.gateway.GatewayApprovals;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import io.tributary.schemas.avro.GatewayAttestation;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;

/**
 * One guardian: reads Gateway {@code ContractCall} events from {@code chain.events}, signs each one's
 * approval digest for the destination chain's gateway (GATEWAY.md) and publishes the signature to
 * {@code gateway.attestations} under the message id. Offsets are committed only after the batch's
 * attestations are acknowledged, so a crash re-signs at most a batch; signing is deterministic
 * (RFC 6979), so a re-sent attestation carries the same signature, which the submitter counts once.
 *
 * <p>Retractions ({@code op} d) are the submitter's business: a guardian's signature alone approves
 * nothing. Events the guardian cannot sign (unknown chain, malformed fields) are logged and skipped;
 * the submitter, which reads the same events, writes their dead-letter records.
 */
public final class Guardian extends Worker {

    private static final Logger LOG = LoggerFactory.getLogger(Guardian.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final RelayerConfig config;
    private final Credentials key;
    private final RelayerListener listener;
    private final AtomicLong signed = new AtomicLong();
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    public Guardian(RelayerConfig config, Credentials key, RelayerListener listener) {
        super("guardian-" + key.getAddress().substring(0, 10));
        this.config = config;
        this.key = key;
        this.listener = listener;
    }

    /** Guardian {@code k} (1-based) of {@code config}. */
    public static Guardian of(RelayerConfig config, int k, RelayerListener listener) {
        return new Guardian(config, config.guardian(k), listener);
    }

    /** The guardian's address, lowercase. */
    public String address() {
        return key.getAddress().toLowerCase(Locale.ROOT);
    }

    /** Attestations signed and published since start. */
    public long signedCount() {
        return signed.get();
    }

    /** The consumer group whose committed offsets say how far this guardian has signed. */
    public String groupId() {
        return "tributary-guardian-" + address();
    }

    @Override
    protected void work() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(
                        KafkaClients.consumer(config.kafkaBootstrap(), groupId(), name()));
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                        KafkaClients.producer(config.kafkaBootstrap(), name()))) {
            consumer = c;
            c.subscribe(List.of(Topics.CHAIN_EVENTS.name()));
            while (!stopping()) {
                ConsumerRecords<byte[], byte[]> records = c.poll(POLL);
                if (records.isEmpty()) {
                    continue;
                }
                int batch = 0;
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    Optional<GatewayAttestation> attestation = attest(record);
                    if (attestation.isPresent()) {
                        GatewayAttestation a = attestation.get();
                        listener.signed(a);
                        producer.send(new ProducerRecord<>(Topics.GATEWAY_ATTESTATIONS.name(),
                                Topics.GATEWAY_ATTESTATIONS.serializeKey(a.getMessageId()),
                                Topics.GATEWAY_ATTESTATIONS.serializeValue(a)));
                        batch++;
                    }
                }
                producer.flush();
                c.commitSync();
                signed.addAndGet(batch);
                if (batch > 0) {
                    LOG.debug("{} published {} attestations", name(), batch);
                }
            }
        } finally {
            consumer = null;
        }
    }

    @Override
    protected void wakeup() {
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /** The attestation for a chain.events record, or empty when there is nothing to sign. */
    Optional<GatewayAttestation> attest(ConsumerRecord<byte[], byte[]> record) {
        ChainEvent event;
        try {
            event = Topics.CHAIN_EVENTS.deserializeValue(record.value());
        } catch (SerializationException e) {
            LOG.warn("{}: unreadable chain.events record at {}-{}@{}: {}", name(), record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return Optional.empty();
        }
        if (event == null || event.getOp() != ChangeOp.c || !ContractCallMessage.isContractCall(event)) {
            return Optional.empty();
        }
        Optional<RelayerConfig.Chain> source = config.chain(event.getSource().getChainId());
        if (source.isEmpty() || !source.get().gateway().equalsIgnoreCase(event.getSource().getContract())) {
            return Optional.empty(); // not one of the gateways this network trusts
        }
        ContractCallMessage message;
        try {
            message = ContractCallMessage.from(event, source.get().name());
        } catch (ContractCallMessage.InvalidEventException e) {
            LOG.warn("{}: not signing the ContractCall at {}: {}", name(), event.getSource(), e.getMessage());
            return Optional.empty();
        }
        Optional<RelayerConfig.Chain> destination = config.chain(message.destinationChain());
        if (destination.isEmpty()) {
            LOG.warn("{}: not signing {}: unknown destination chain '{}'", name(), message.messageId(),
                    message.destinationChain());
            return Optional.empty();
        }
        GatewayApprovals.Domain domain = new GatewayApprovals.Domain(destination.get().chainId(),
                destination.get().gateway());
        byte[] signature = GatewayApprovals.sign(GatewayApprovals.approvalDigest(domain, message.approval()), key);
        return Optional.of(GatewayAttestation.newBuilder()
                .setMessageId(message.messageId())
                .setCommandId(ByteBuffer.wrap(message.commandId()))
                .setSourceChain(message.sourceChain())
                .setSourceAddress(message.sourceAddress())
                .setDestinationChain(message.destinationChain())
                .setDestinationAddress(message.destinationAddress())
                .setPayloadHash(ByteBuffer.wrap(message.payloadHash()))
                .setGuardian(address())
                .setSignature(ByteBuffer.wrap(signature))
                .setSignedAt(System.currentTimeMillis())
                .build());
    }
}
