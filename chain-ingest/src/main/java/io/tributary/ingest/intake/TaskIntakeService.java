package io.tributary.ingest.intake;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.ingest.kafka.KafkaClients;
import io.tributary.contracts.generated.TaskCoordinator;
import io.tributary.contracts.generated.TaskIntake;
import io.tributary.contracts.tx.RevertReason;
import io.tributary.contracts.tx.TransactionWriter;
import io.tributary.contracts.tx.TxRequest;
import io.tributary.contracts.tx.TxResult;
import io.tributary.contracts.tx.TxRevertedException;
import io.tributary.contracts.tx.TxWriteException;
import io.tributary.schemas.Keys;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.DeadLetter;
import io.tributary.schemas.avro.ReceiptStatus;
import io.tributary.schemas.avro.RejectionReason;
import io.tributary.schemas.avro.TaskReceipt;
import io.tributary.schemas.avro.TaskRequest;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;

/**
 * Task intake (DESIGN.md, "tasks.requests / tasks.receipts"): consumes signed {@link TaskRequest}s,
 * checks them ({@link RequestChecks}), posts each good one with {@code TaskIntake.postTaskFor} on the
 * home chain through the {@link io.tributary.contracts.tx.TransactionWriter}, and writes one
 * {@link TaskReceipt} per request id: ACCEPTED (task id, transaction, block) or REJECTED (reason).
 * Undecodable records go to {@code deadletter}; nothing stops the loop but {@link #close()}.
 *
 * <p>Once per request id, even when a request is produced twice or the service crashes:
 * <ul>
 *   <li>at start it reads {@code tasks.receipts} from the beginning; a request whose id already has a
 *       receipt is skipped (no second receipt, whatever its outcome would be now);
 *   <li>the on-chain write uses the request id as its idempotency key: after a crash between
 *       {@code postTaskFor} and the receipt, the writer's record resumes the very same transaction
 *       (its nonce check would now refuse a new one), and the receipt is written from its result;
 *   <li>a request's offset is committed only after its receipt is acknowledged by Kafka.
 * </ul>
 * One intake service runs per home chain (its writer locks its state directory).
 */
public final class TaskIntakeService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TaskIntakeService.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final String PRODUCER_NAME = "task-intake";


    private final IntakeConfig config;
    private final Web3jHomeChain chain;
    private final TransactionWriter writer;
    private final IntakeMetrics metrics;
    private final Map<String, TaskReceipt> receipts = new HashMap<>();
    private final AtomicLong duplicates = new AtomicLong();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final Thread thread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean stopping;
    private volatile Throwable failure;

    private TaskIntakeService(IntakeConfig config, Web3jHomeChain chain, TransactionWriter writer,
            IntakeMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.chain = chain;
        this.writer = writer;
        this.thread = new Thread(this::run, "task-intake");
        this.thread.setDaemon(true);
    }

    /** Connects to the home chain, then starts consuming in a thread of its own; returns at once. */
    public static TaskIntakeService start(IntakeConfig config) throws IOException, InterruptedException {
        return start(config, new PrometheusRegistry());
    }

    /**
     * Like {@link #start(IntakeConfig)}, registering the intake's metrics (accepted, rejected by
     * reason, dead letters; infra/docs/metrics.md) in {@code metrics}.
     */
    public static TaskIntakeService start(IntakeConfig config, PrometheusRegistry metrics)
            throws IOException, InterruptedException {
        IntakeMetrics intakeMetrics = new IntakeMetrics(metrics);
        Web3jHomeChain chain = Web3jHomeChain.connect(config.rpcUrl(), config.chainId(), config.taskIntake(),
                config.coordinator(), config.token(), config.registry());
        try {
            TransactionWriter writer = openWriter(config, chain.web3j());
            TaskIntakeService service = new TaskIntakeService(config, chain, writer, intakeMetrics);
            service.thread.start();
            return service;
        } catch (TxWriteException e) {
            chain.close();
            throw new IOException("cannot open the intake's transaction writer: " + e.getMessage(), e);
        } catch (IOException | InterruptedException | RuntimeException e) {
            chain.close();
            throw e;
        }
    }

    /** The transaction writer of the submitter key, with its state in {@link IntakeConfig#stateDir()}. */
    static TransactionWriter openWriter(IntakeConfig config, Web3j web3j)
            throws IOException, TxWriteException, InterruptedException {
        BigInteger cap = config.maxFeeCapWei();
        return TransactionWriter.builder()
                .web3j(web3j)
                .credentials(Credentials.create(config.submitterKey()))
                .chainId(config.chainId())
                .stateDir(config.stateDir())
                .serviceDefaults(cap)
                .build();
    }

    /** Waits until the service has read the earlier receipts and consumes requests; false on timeout or crash. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && failure == null;
    }

    /** Counters since start. */
    public Stats stats() {
        return new Stats(metrics.acceptedCount(), metrics.rejectedCount(), duplicates.get(),
                metrics.deadLetteredCount());
    }

    /** Receipts written, requests rejected, duplicate requests skipped, records dead-lettered. */
    public record Stats(long accepted, long rejected, long duplicates, long deadLettered) {}

    /** What ended the loop, if it crashed. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(
                        KafkaClients.consumer(config.kafkaBootstrap(), config.groupId(), PRODUCER_NAME));
                KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(
                        KafkaClients.producer(config.kafkaBootstrap(), PRODUCER_NAME))) {
            consumer = c;
            loadReceipts();
            c.subscribe(List.of(Topics.TASK_REQUESTS.name()));
            ready.countDown();
            LOG.info("task intake consuming {} for TaskIntake {} on chain {} ({} earlier receipts)",
                    Topics.TASK_REQUESTS.name(), config.taskIntake(), config.chainId(), receipts.size());
            long backoff = config.retryBackoff().toMillis();
            while (!stopping) {
                boolean failed = false;
                for (ConsumerRecord<byte[], byte[]> record : c.poll(POLL)) {
                    if (stopping) {
                        break;
                    }
                    try {
                        try {
                            process(record, p);
                        } catch (RuntimeException e) {
                            // A bug or a record nobody foresaw: park it with its reason, keep serving the rest.
                            LOG.error("task intake failed on {}-{}@{}", record.topic(), record.partition(),
                                    record.offset(), e);
                            deadLetter(record, p, RejectionReason.UNKNOWN, "intake failed on this record: " + e);
                        }
                        c.commitSync(Map.of(new TopicPartition(record.topic(), record.partition()),
                                new OffsetAndMetadata(record.offset() + 1)));
                    } catch (IOException | RetryLater e) {
                        LOG.warn("request at {}-{}@{} will be retried in {} ms: {}", record.topic(), record.partition(),
                                record.offset(), backoff, e.toString());
                        c.seek(new TopicPartition(record.topic(), record.partition()), record.offset());
                        failed = true;
                        break;
                    }
                }
                if (failed) {
                    stopSignal.await(backoff, TimeUnit.MILLISECONDS);
                    backoff = Math.min(backoff * 2, config.retryBackoff().toMillis() * 30);
                } else {
                    backoff = config.retryBackoff().toMillis();
                }
            }
        } catch (WakeupException | InterruptedException e) {
            if (!stopping) {
                failure = e;
                LOG.error("task intake interrupted", e);
            }
        } catch (Throwable e) {
            failure = e;
            LOG.error("task intake crashed: {}", e.toString(), e);
        } finally {
            consumer = null;
            ready.countDown();
            finished.countDown();
        }
    }

    /** Reads every receipt written so far, so that a request already answered is never answered again. */
    private void loadReceipts() {
        try (KafkaConsumer<byte[], byte[]> r = new KafkaConsumer<>(
                KafkaClients.consumer(config.kafkaBootstrap(), null, PRODUCER_NAME + "-receipts"))) {
            List<TopicPartition> partitions = r.partitionsFor(Topics.TASK_RECEIPTS.name()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            r.assign(partitions);
            r.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(r.endOffsets(partitions));
            while (!stopping) {
                end.entrySet().removeIf(e -> r.position(e.getKey()) >= e.getValue());
                if (end.isEmpty()) {
                    return;
                }
                for (ConsumerRecord<byte[], byte[]> record : r.poll(POLL)) {
                    try {
                        TaskReceipt receipt = Topics.TASK_RECEIPTS.deserializeValue(record.value());
                        receipts.putIfAbsent(receipt.getRequestId(), receipt);
                    } catch (SerializationException e) {
                        LOG.warn("skipping an unreadable receipt at {}-{}@{}: {}", record.topic(), record.partition(),
                                record.offset(), e.getMessage());
                    }
                }
            }
        }
    }

    private void process(ConsumerRecord<byte[], byte[]> record, KafkaProducer<byte[], byte[]> producer)
            throws IOException, RetryLater, InterruptedException {
        TaskRequest request;
        try {
            request = Topics.TASK_REQUESTS.deserializeValue(record.value());
            if (request == null || request.getRequestId() == null || request.getRequestId().isBlank()) {
                throw new SerializationException("a TaskRequest needs a value with a non-blank requestId");
            }
        } catch (SerializationException e) {
            deadLetter(record, producer, RejectionReason.UNDECODABLE, e.getMessage());
            return;
        }
        String requestId = request.getRequestId();
        TaskReceipt earlier = receipts.get(requestId);
        if (earlier != null) {
            duplicates.incrementAndGet();
            LOG.info("request {} was answered before ({}); not answering again", requestId, earlier.getStatus());
            return;
        }
        TaskReceipt receipt = decide(request);
        send(producer, new ProducerRecord<>(Topics.TASK_RECEIPTS.name(), Topics.TASK_RECEIPTS.serializeKey(requestId),
                Topics.TASK_RECEIPTS.serializeValue(receipt)));
        receipts.put(requestId, receipt);
        if (receipt.getStatus() == ReceiptStatus.ACCEPTED) {
            metrics.accepted();
            LOG.info("request {} accepted: task {} in {} (block {})", requestId, receipt.getTaskId(),
                    receipt.getTxHash(), receipt.getBlockNumber());
        } else {
            metrics.rejected(receipt.getReason());
            LOG.info("request {} rejected: {} {}", requestId, receipt.getReason(), receipt.getDetail());
        }
    }

    /** The receipt of a request not answered before. */
    private TaskReceipt decide(TaskRequest request) throws IOException, RetryLater, InterruptedException {
        String requestId = request.getRequestId();
        String key = idempotencyKey(requestId);
        RequestChecks.Checked checked;
        try {
            if (writer.recordOf(key).isPresent()) {
                // Sent before a crash: finish that very transaction; the checks would now see its nonce used.
                LOG.info("request {} was sent before; resuming its transaction", requestId);
                TaskIntake.TaskRequest onChain = RequestChecks.toChain(request);
                checked = new RequestChecks.Checked(onChain, RequestChecks.bytes(request.getSignature()),
                        RequestChecks.permit(request.getPermit()));
            } else {
                checked = RequestChecks.check(request, chain);
            }
        } catch (RequestRejectedException e) {
            return rejection(requestId, e.reason(), e.detail());
        }
        String data = chain.intake().postTaskFor(checked.request(), checked.signature(), checked.permit())
                .encodeFunctionCall();
        try {
            TxResult result = writer.send(TxRequest.call(key, config.taskIntake(), data));
            List<TaskCoordinator.TaskPostedEventResponse> posted =
                    TaskCoordinator.getTaskPostedEvents(result.receipt());
            if (posted.size() != 1) {
                throw new IllegalStateException("postTaskFor in " + result.transactionHash() + " emitted "
                        + posted.size() + " TaskPosted events");
            }
            return TaskReceipt.newBuilder()
                    .setRequestId(requestId)
                    .setStatus(ReceiptStatus.ACCEPTED)
                    .setTaskId(posted.get(0).taskId.longValueExact())
                    .setTxHash(result.transactionHash())
                    .setBlockNumber(result.blockNumber().longValueExact())
                    .build();
        } catch (TxRevertedException e) {
            RevertReason why = e.revertReason();
            return rejection(requestId, reasonOf(why), "postTaskFor reverted"
                    + (e.receipt().isPresent() ? " in " + e.receipt().get().getTransactionHash() : " at estimation")
                    + ": " + why);
        } catch (TxWriteException e) {
            if (e.retriable()) {
                throw new RetryLater(e);
            }
            return rejection(requestId, RejectionReason.CHAIN_REJECTED, e.getMessage());
        }
    }

    /** The writer's idempotency key of a request. */
    static String idempotencyKey(String requestId) {
        return "postTaskFor:" + requestId;
    }

    /** The rejection reason of a revert of {@code postTaskFor} (the checks normally catch these first). */
    static RejectionReason reasonOf(RevertReason why) {
        return switch (why.name()) {
            case "TaskIntakeRequestExpired" -> RejectionReason.EXPIRED;
            case "TaskIntakeBadNonce" -> RejectionReason.REPLAYED_NONCE;
            case "TaskIntakeBadSignature" -> RejectionReason.BAD_SIGNATURE;
            case "TaskCoordinatorUnderfunded" -> RejectionReason.INSUFFICIENT_BALANCE;
            case "TaskCoordinatorInsufficientAllowance" -> RejectionReason.INSUFFICIENT_ALLOWANCE;
            case "TaskCoordinatorNoHeadroom" -> RejectionReason.HEADROOM;
            case "TaskCoordinatorUnknownModel", "TaskCoordinatorBadSpec", "TaskCoordinatorBadSchedule",
                    "TaskCoordinatorBadRule", "TaskCoordinatorBadChains", "TaskCoordinatorUnknownChain",
                    "TaskCoordinatorBadBounty" -> RejectionReason.BAD_SPEC;
            default -> RejectionReason.CHAIN_REJECTED;
        };
    }

    private static TaskReceipt rejection(String requestId, RejectionReason reason, String detail) {
        return TaskReceipt.newBuilder()
                .setRequestId(requestId)
                .setStatus(ReceiptStatus.REJECTED)
                .setReason(reason)
                .setDetail(detail)
                .build();
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, KafkaProducer<byte[], byte[]> producer,
            RejectionReason reason, String detail) throws RetryLater, InterruptedException {
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic(record.topic())
                .setSourceKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setSourcePartition(record.partition())
                .setSourceOffset(record.offset())
                .setReason(reason)
                .setDetail(detail == null ? "" : detail)
                .setPayload(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .setProducer(PRODUCER_NAME)
                .setRejectedAt(System.currentTimeMillis())
                .build();
        String sourceKey = record.key() == null ? "" : new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
        send(producer, new ProducerRecord<>(Topics.DEADLETTER.name(),
                Topics.DEADLETTER.serializeKey(Keys.deadLetter(record.topic(), sourceKey)),
                Topics.DEADLETTER.serializeValue(letter)));
        metrics.deadLettered();
        LOG.warn("dead-lettered {}-{}@{}: {} {}", record.topic(), record.partition(), record.offset(), reason, detail);
    }

    /** Produces and waits for the broker's acknowledgement. */
    private static void send(KafkaProducer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> record)
            throws RetryLater, InterruptedException {
        try {
            producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new RetryLater(e);
        }
    }

    /** Stops the loop, waits for it (bounded) and releases the chain connection and the writer. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        stopSignal.countDown();
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread.isAlive() && !finished.await(10, TimeUnit.SECONDS)) {
            LOG.warn("task intake did not stop within 10 s; interrupting it");
            thread.interrupt();
            finished.await(5, TimeUnit.SECONDS);
        }
        try {
            writer.close();
        } catch (IOException e) {
            LOG.warn("closing the intake's transaction writer: {}", e.toString());
        }
        chain.close();
    }

    /** A failure that the same request may not meet next time (Kafka or the chain was unavailable). */
    private static final class RetryLater extends Exception {
        private static final long serialVersionUID = 1L;

        RetryLater(Throwable cause) {
            super(cause.toString(), cause);
        }
    }
}
