package io.tributary.ingest.relayer;

import io.tributary.ingest.kafka.KafkaClients;
import io.tributary.contracts.tx.TxRevertedException;
import io.tributary.contracts.tx.TxWriteException;
import io.tributary.schemas.Keys;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import io.tributary.schemas.avro.DeadLetter;
import io.tributary.schemas.avro.GatewayAttestation;
import io.tributary.schemas.avro.RejectionReason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;

/**
 * Gathers guardian signatures and carries each message to its destination chain: verifies every
 * attestation (dead-lettering forged and duplicate ones), approves the call on the destination
 * gateway once it has the gateway's threshold of valid signatures, then calls the receiver's
 * {@code execute} with the payload of the source event.
 *
 * <p>Crash safety: the destination chain is the truth. At start the submitter re-reads
 * {@code chain.events} and {@code gateway.attestations} from the beginning and, before writing
 * anything for a message, reads the gateway's views (executed: done; approved: only execute).
 * Every write goes through the {@link io.tributary.contracts.tx.TransactionWriter} under
 * {@code approve:<messageId>} / {@code execute:<messageId>} (a further attempt after an on-chain
 * revert gets {@code /2}, {@code /3}, ...), so a write in flight at a crash is resumed, not repeated.
 *
 * <p>A failed execution is retried with exponential backoff; a retraction ({@code op} d) that
 * arrives before the approval stops the message; messages pending longer than the configured
 * threshold are reported in the log, and {@link #status()} says how many wait and for how long.
 */
public final class Submitter extends Worker {

    private static final Logger LOG = LoggerFactory.getLogger(Submitter.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final String PRODUCER_NAME = "guardian-relayer";

    private final RelayerConfig config;
    private final Credentials key;
    private final RelayerListener listener;
    private final RelayerMetrics metrics;
    private final Map<String, Pending> messages = new LinkedHashMap<>();
    private final AtomicLong retracted = new AtomicLong();
    private final AtomicLong executionFailures = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private volatile RelayerStatus status = RelayerStatus.EMPTY;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> producer;
    private Map<String, DestinationChain> destinations = Map.of();
    private long nextStuckReport;

    public Submitter(RelayerConfig config, RelayerListener listener) {
        this(config, listener, RelayerMetrics.unserved(config));
    }

    /** A submitter that reports to {@code metrics} (a series per destination chain). */
    public Submitter(RelayerConfig config, RelayerListener listener, RelayerMetrics metrics) {
        super("submitter");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.config = config;
        this.key = Credentials.create(config.submitterKey()
                .orElseThrow(() -> new IllegalArgumentException("the submitter needs a submitter key")));
        this.listener = listener;
    }

    /** Pending messages, the oldest one's age, and counters; safe to call from any thread. */
    public RelayerStatus status() {
        return status;
    }

    // ------------------------------------------------------------------------------------------ loop

    @Override
    protected void work() throws Exception {
        Map<String, DestinationChain> opened = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(
                        KafkaClients.consumer(config.kafkaBootstrap(), null, name()));
                KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(
                        KafkaClients.producer(config.kafkaBootstrap(), name()))) {
            for (RelayerConfig.Chain chain : config.chains()) {
                opened.put(chain.name(), DestinationChain.open(config, chain, key));
            }
            destinations = Map.copyOf(opened);
            producer = p;
            consumer = c;
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.CHAIN_EVENTS.name(), Topics.GATEWAY_ATTESTATIONS.name())) {
                for (PartitionInfo info : c.partitionsFor(topic)) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            c.assign(partitions);
            c.seekToBeginning(partitions); // rebuild what is pending from the topics; the chain says what is done
            // Act only once every event up to now was read: a retraction further on must be seen
            // before its message is approved.
            Map<TopicPartition, Long> catchUp = new HashMap<>(c.endOffsets(partitions.stream()
                    .filter(tp -> tp.topic().equals(Topics.CHAIN_EVENTS.name())).toList()));
            nextStuckReport = System.currentTimeMillis() + config.stuckReportInterval().toMillis();
            while (!stopping()) {
                for (ConsumerRecord<byte[], byte[]> record : c.poll(POLL)) {
                    if (record.topic().equals(Topics.CHAIN_EVENTS.name())) {
                        onEvent(record);
                    } else {
                        onAttestation(record);
                    }
                }
                if (!catchUp.isEmpty()) {
                    catchUp.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
                    if (!catchUp.isEmpty()) {
                        continue;
                    }
                    LOG.info("{} caught up with {}: {} messages known", name(), Topics.CHAIN_EVENTS.name(),
                            messages.size());
                }
                for (Pending pending : List.copyOf(messages.values())) {
                    if (stopping()) {
                        break;
                    }
                    advance(pending);
                }
                p.flush();
                updateStatus();
            }
        } finally {
            consumer = null;
            producer = null;
            opened.values().forEach(DestinationChain::close);
        }
    }

    @Override
    protected void wakeup() {
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    // ------------------------------------------------------------------------------------------ input

    private void onEvent(ConsumerRecord<byte[], byte[]> record) {
        ChainEvent event;
        try {
            event = Topics.CHAIN_EVENTS.deserializeValue(record.value());
        } catch (SerializationException e) {
            return; // the connector owns chain.events; an unreadable record there is not a relayer message
        }
        if (event == null || !ContractCallMessage.isContractCall(event)) {
            return;
        }
        Optional<RelayerConfig.Chain> source = config.chain(event.getSource().getChainId());
        if (source.isEmpty() || !source.get().gateway().equalsIgnoreCase(event.getSource().getContract())) {
            return; // a gateway this network does not trust
        }
        String messageId = ContractCallMessage.messageId(event.getSource().getTxHash(), event.getSource().getLogIndex());
        Pending p = messages.computeIfAbsent(messageId, Pending::new);
        if (event.getOp() == ChangeOp.d) {
            retract(p);
            return;
        }
        if (p.state == State.DONE || p.state == State.APPROVED) {
            return; // a re-confirmation of what is already on its way
        }
        ContractCallMessage message;
        try {
            message = ContractCallMessage.from(event, source.get().name());
        } catch (ContractCallMessage.InvalidEventException e) {
            deadLetter(record, messageId, e.badHash() ? RejectionReason.BAD_HASH : RejectionReason.MALFORMED,
                    "ContractCall cannot be relayed: " + e.getMessage());
            p.state = State.REFUSED;
            return;
        }
        DestinationChain destination = destinations.get(message.destinationChain());
        if (destination == null) {
            deadLetter(record, messageId, RejectionReason.MALFORMED, "ContractCall to unknown destination chain '"
                    + message.destinationChain() + "' (known: " + destinations.keySet() + ")");
            p.state = State.REFUSED;
            return;
        }
        p.message = message;
        p.destination = destination;
        p.signatures = new SignatureSet(message, destination.domain());
        p.state = State.WAITING;
        p.checked = false;
    }

    private void retract(Pending p) {
        switch (p.state) {
            case NEW, WAITING -> {
                p.state = State.RETRACTED;
                retracted.incrementAndGet();
                LOG.info("{} retracted by a reorg before approval: not relaying it", p.messageId);
            }
            case APPROVED, DONE -> LOG.warn("{} retracted by a reorg after it was approved on {}: cannot be undone",
                    p.messageId, p.message.destinationChain());
            default -> { }
        }
    }

    private void onAttestation(ConsumerRecord<byte[], byte[]> record) {
        GatewayAttestation attestation;
        try {
            attestation = Topics.GATEWAY_ATTESTATIONS.deserializeValue(record.value());
        } catch (SerializationException e) {
            deadLetter(record, key(record), RejectionReason.MALFORMED, "unreadable attestation: " + e.getMessage());
            return;
        }
        if (attestation == null) {
            return;
        }
        Pending p = messages.computeIfAbsent(attestation.getMessageId(), Pending::new);
        if (p.state == State.NEW || p.state == State.WAITING) {
            p.unverified.add(new Received(record, attestation));
        }
    }

    // ------------------------------------------------------------------------------------------ progress

    private void advance(Pending p) {
        if (p.state != State.WAITING && p.state != State.APPROVED) {
            return;
        }
        if (System.currentTimeMillis() < p.nextAttemptAt) {
            return;
        }
        try {
            if (!p.checked) {
                switch (p.destination.state(p.message)) {
                    case EXECUTED -> {
                        done(p, "found executed");
                        return;
                    }
                    case APPROVED -> p.state = State.APPROVED;
                    case APPROVED_OTHERWISE -> {
                        p.state = State.REFUSED;
                        LOG.error("{}: command id {} was approved on {} with other parameters: refusing to relay",
                                p.messageId, org.web3j.utils.Numeric.toHexString(p.message.commandId()),
                                p.message.destinationChain());
                        return;
                    }
                    case UNKNOWN -> { }
                }
                p.checked = true;
            }
            if (p.state == State.WAITING) {
                verify(p);
                if (p.signatures.size() < p.destination.threshold()) {
                    return;
                }
                approve(p);
            }
            if (p.state == State.APPROVED) {
                execute(p);
            }
        } catch (IOException e) {
            retryLater(p, "chain unavailable: " + e.getMessage(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void verify(Pending p) {
        for (Received r : p.unverified) {
            SignatureSet.Verdict verdict = p.signatures.offer(r.attestation(), p.destination.guardians());
            if (!verdict.accepted()) {
                deadLetter(r.record(), p.messageId, verdict.rejection(), verdict.detail());
            }
        }
        p.unverified.clear();
    }

    private void approve(Pending p) throws IOException, InterruptedException {
        String key = p.destination.nextKey("approve:" + p.messageId);
        try {
            p.destination.approve(key, p.message, p.signatures.ordered(p.destination.threshold()));
        } catch (TxRevertedException e) {
            String error = e.revertReason().name();
            if (error.equals("GatewayCommandAlreadyApproved")) {
                p.checked = false; // someone else approved it: the views say what to do next
                return;
            }
            if (error.equals("GatewaySignerNotGuardian") || error.equals("GatewayTooFewSignatures")) {
                p.destination.refreshGuardians(); // a rotation: keep the signatures of those who remain
                int dropped = p.signatures.retainGuardians(p.destination.guardians());
                retryLater(p, "approval refused (" + e.revertReason() + "); dropped " + dropped
                        + " signatures of former guardians", false);
                return;
            }
            retryLater(p, "approval reverted: " + e.revertReason(), false);
            return;
        } catch (TxWriteException e) {
            retryLater(p, "approval not written: " + e.getMessage(), false);
            return;
        }
        p.state = State.APPROVED;
        LOG.info("{} approved on {} with {} signatures", p.messageId, p.message.destinationChain(),
                p.destination.threshold());
        metrics.approved(p.message.destinationChain());
        listener.approved(p.messageId);
    }

    private void execute(Pending p) throws InterruptedException {
        String key = p.destination.nextKey("execute:" + p.messageId);
        try {
            p.destination.execute(key, p.message);
        } catch (TxRevertedException e) {
            retryLater(p, "execution reverted: " + e.revertReason(), true);
            return;
        } catch (TxWriteException e) {
            retryLater(p, "execution not written: " + e.getMessage(), true);
            return;
        }
        done(p, "executed");
    }

    private void done(Pending p, String how) {
        p.state = State.DONE;
        p.unverified.clear();
        metrics.executed(p.message.destinationChain());
        LOG.info("{} {} on {} ({} -> {})", p.messageId, how, p.message.destinationChain(), p.message.sourceChain(),
                p.message.destinationAddress());
        listener.executed(p.messageId);
    }

    private void retryLater(Pending p, String why, boolean execution) {
        p.failures++;
        p.checked = false; // look at the chain again before the next attempt
        p.lastError = why;
        Duration wait = backoff(p.failures);
        p.nextAttemptAt = System.currentTimeMillis() + wait.toMillis();
        metrics.failed(p.message.destinationChain());
        if (execution) {
            executionFailures.incrementAndGet();
            listener.executionFailed(p.messageId, why);
        }
        LOG.warn("{}: {} (failure {}); retrying in {} ms", p.messageId, why, p.failures, wait.toMillis());
    }

    private Duration backoff(int failures) {
        long millis = config.initialBackoff().toMillis();
        long max = config.maxBackoff().toMillis();
        for (int i = 1; i < failures && millis < max; i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, max));
    }

    // ------------------------------------------------------------------------------------------ reporting

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, String sourceKey, RejectionReason reason,
            String detail) {
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic(record.topic())
                .setSourceKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setSourcePartition(record.partition())
                .setSourceOffset(record.offset())
                .setReason(reason)
                .setDetail(detail)
                .setPayload(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .setProducer(PRODUCER_NAME)
                .setRejectedAt(System.currentTimeMillis())
                .build();
        String key = Keys.deadLetter(record.topic(), sourceKey);
        producer.send(new ProducerRecord<>(Topics.DEADLETTER.name(), Topics.DEADLETTER.serializeKey(key),
                Topics.DEADLETTER.serializeValue(letter)));
        deadLettered.incrementAndGet();
        LOG.warn("dead-lettered {} at {}-{}@{}: {} ({})", sourceKey, record.topic(), record.partition(), record.offset(),
                reason, detail);
        listener.deadLettered(sourceKey, reason, detail);
    }

    private static String key(ConsumerRecord<byte[], byte[]> record) {
        return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    }

    private void updateStatus() {
        long now = System.currentTimeMillis();
        int pending = 0;
        int stuck = 0;
        Pending oldest = null;
        List<Pending> stuckOnes = new ArrayList<>();
        Map<String, Integer> pendingTo = new HashMap<>();
        Map<String, Duration> oldestTo = new HashMap<>();
        for (Pending p : messages.values()) {
            if (p.message == null || (p.state != State.WAITING && p.state != State.APPROVED)) {
                continue;
            }
            pending++;
            String destination = p.message.destinationChain();
            pendingTo.merge(destination, 1, Integer::sum);
            oldestTo.merge(destination, Duration.ofMillis(Math.max(0, now - p.message.emittedAt())),
                    (a, b) -> a.compareTo(b) >= 0 ? a : b);
            if (oldest == null || p.message.emittedAt() < oldest.message.emittedAt()) {
                oldest = p;
            }
            if (now - p.message.emittedAt() > config.stuckAfter().toMillis()) {
                stuck++;
                stuckOnes.add(p);
            }
        }
        status = new RelayerStatus(pending, Optional.ofNullable(oldest).map(o -> o.messageId),
                oldest == null ? Duration.ZERO : Duration.ofMillis(Math.max(0, now - oldest.message.emittedAt())),
                stuck, metrics.executedCount(), retracted.get(), executionFailures.get(), deadLettered.get());
        metrics.pending(pendingTo, oldestTo);
        if (now >= nextStuckReport) {
            nextStuckReport = now + config.stuckReportInterval().toMillis();
            for (Pending p : stuckOnes) {
                LOG.warn("stuck: {} pending for {} s: {}", p.messageId, (now - p.message.emittedAt()) / 1000,
                        p.describe());
            }
            if (!stuckOnes.isEmpty()) {
                LOG.warn("relayer status: {}", status);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ state

    private enum State {
        /** Attestations seen, no event yet. */
        NEW,
        /** Event seen, gathering signatures. */
        WAITING,
        /** Approved on the destination, execution pending. */
        APPROVED,
        /** Executed on the destination. */
        DONE,
        /** Retracted before approval. */
        RETRACTED,
        /** Cannot be relayed (dead-lettered or conflicting on chain). */
        REFUSED
    }

    private record Received(ConsumerRecord<byte[], byte[]> record, GatewayAttestation attestation) {}

    private static final class Pending {
        final String messageId;
        final List<Received> unverified = new ArrayList<>();
        ContractCallMessage message;
        DestinationChain destination;
        SignatureSet signatures;
        State state = State.NEW;
        boolean checked;
        int failures;
        long nextAttemptAt;
        String lastError;

        Pending(String messageId) {
            this.messageId = messageId;
        }

        String describe() {
            return switch (state) {
                case WAITING -> "waiting for signatures (" + signatures.size() + " valid of "
                        + destination.threshold() + " needed" + (lastError == null ? "" : "; last error: " + lastError)
                        + ")";
                case APPROVED -> "approved, execution failing " + failures + " times; last: " + lastError;
                default -> state.name().toLowerCase(java.util.Locale.ROOT);
            };
        }
    }
}
