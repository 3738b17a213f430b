package io.tributary.ingest.client;

import io.tributary.contracts.generated.TaskIntake;
import io.tributary.ingest.intake.Eip712;
import io.tributary.ingest.kafka.KafkaClients;
import io.tributary.ingest.intake.PermitDigest;
import io.tributary.ingest.intake.RequestChecks;
import io.tributary.ingest.intake.RequestRejectedException;
import io.tributary.ingest.intake.TaskRequestDigest;
import io.tributary.ingest.intake.Web3jHomeChain;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.Permit;
import io.tributary.schemas.avro.TaskReceipt;
import io.tributary.schemas.avro.TaskRequest;
import io.tributary.schemas.avro.TaskSpec;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;

/**
 * A Kafka-native client of Tributary: builds a {@link TaskRequest} from a spec, signs it (EIP-712
 * over the on-chain request, plus an ERC-2612 permit of the bounty to the coordinator), produces it
 * to {@code tasks.requests} and waits for its {@code tasks.receipts} record. The home chain is only
 * read (nonces, the token's domain, the time); the intake service pays the gas.
 *
 * <pre>{@code
 * try (TaskClient client = TaskClient.builder().kafkaBootstrap(servers)
 *         .homeChain(rpcUrl, chainId).contracts(intake, coordinator, token, registry).build()) {
 *     TaskReceipt receipt = client.post(spec, bounty, key, Duration.ofSeconds(60));
 * }
 * }</pre>
 */
public final class TaskClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TaskClient.class);

    private final String kafkaBootstrap;
    private final Web3jHomeChain chain;
    private final Duration validity;
    private KafkaProducer<byte[], byte[]> producer;

    private TaskClient(Builder b) {
        this.kafkaBootstrap = b.kafkaBootstrap;
        this.chain = Web3jHomeChain.connect(b.rpcUrl, b.chainId, b.taskIntake, b.coordinator, b.token, b.registry);
        this.validity = b.validity;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds, signs, produces and waits: the receipt of a new request for {@code spec} with
     * {@code bounty} (token base units) signed by {@code key}.
     *
     * @throws TimeoutException if no receipt arrived within {@code timeout}
     */
    public TaskReceipt post(TaskSpec spec, BigInteger bounty, Credentials key, Duration timeout)
            throws IOException, InterruptedException, TimeoutException {
        TaskRequest request = sign(spec, bounty, key);
        try (ReceiptWatch watch = watchReceipts()) {
            produce(request);
            return watch.await(request.getRequestId(), timeout);
        }
    }

    /**
     * A new request (random id) for {@code spec}, signed by {@code key} with its next TaskIntake nonce,
     * valid for the client's validity from the home chain's time, with a permit of {@code bounty}.
     *
     * @throws IllegalArgumentException if the spec does not fit the on-chain types
     */
    public TaskRequest sign(TaskSpec spec, BigInteger bounty, Credentials key) throws IOException {
        String client = key.getAddress().toLowerCase();
        long deadline = chain.timestamp() + validity.toSeconds();
        TaskRequest request = TaskRequest.newBuilder()
                .setRequestId(UUID.randomUUID().toString())
                .setClient(client)
                .setSpec(spec)
                .setBounty(bounty.toString())
                .setNonce(chain.nonceOf(client).longValueExact())
                .setDeadline(deadline)
                .setSignature(ByteBuffer.allocate(0))
                .setPermit(permit(client, bounty, BigInteger.valueOf(deadline), key))
                .build();
        TaskIntake.TaskRequest onChain;
        try {
            onChain = RequestChecks.toChain(request);
        } catch (RequestRejectedException e) {
            throw new IllegalArgumentException("the task spec cannot be posted: " + e.detail(), e);
        }
        byte[] digest = new TaskRequestDigest(chain.chainId(), chain.taskIntake()).digest(onChain);
        request.setSignature(ByteBuffer.wrap(Eip712.sign(digest, key)));
        return request;
    }

    private Permit permit(String client, BigInteger value, BigInteger deadline, Credentials key) throws IOException {
        byte[] digest = PermitDigest.digest(chain.tokenDomainSeparator(), client, chain.coordinator(), value,
                chain.permitNonce(client), deadline);
        byte[] sig = Eip712.sign(digest, key);
        return Permit.newBuilder()
                .setValue(value.toString())
                .setDeadline(deadline.longValueExact())
                .setV(sig[64] & 0xff)
                .setR(ByteBuffer.wrap(Arrays.copyOfRange(sig, 0, 32)))
                .setS(ByteBuffer.wrap(Arrays.copyOfRange(sig, 32, 64)))
                .build();
    }

    /** The time of the home chain's latest block (unix seconds): what deadlines and start times count from. */
    public long homeChainTime() throws IOException {
        return chain.timestamp();
    }

    /** Produces {@code request} to {@code tasks.requests} (key: its request id) and waits for the ack. */
    public void produce(TaskRequest request) throws IOException, InterruptedException {
        try {
            producer().send(new ProducerRecord<>(Topics.TASK_REQUESTS.name(),
                    Topics.TASK_REQUESTS.serializeKey(request.getRequestId()),
                    Topics.TASK_REQUESTS.serializeValue(request))).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("producing request " + request.getRequestId() + " failed: " + e, e);
        }
        LOG.info("produced task request {} (client {}, nonce {})", request.getRequestId(), request.getClient(),
                request.getNonce());
    }

    /**
     * Starts watching {@code tasks.receipts} from its current end; open it before producing the
     * request so that the receipt cannot be missed.
     */
    public ReceiptWatch watchReceipts() {
        return new ReceiptWatch(kafkaBootstrap);
    }

    private synchronized KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(KafkaClients.producer(kafkaBootstrap, "task-client"));
        }
        return producer;
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
        chain.close();
    }

    /** A reader of {@code tasks.receipts} from the end it had when opened. */
    public static final class ReceiptWatch implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;

        private ReceiptWatch(String bootstrap) {
            consumer = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null, "task-client-receipts"));
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(Topics.TASK_RECEIPTS.name())
                    .forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // fix the start now, before the request is produced
        }

        /** The first receipt of {@code requestId} after the watch opened. */
        public TaskReceipt await(String requestId, Duration timeout) throws TimeoutException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        TaskReceipt receipt = Topics.TASK_RECEIPTS.deserializeValue(record.value());
                        if (receipt != null && requestId.equals(receipt.getRequestId())) {
                            return receipt;
                        }
                    } catch (SerializationException e) {
                        LOG.warn("skipping an unreadable receipt: {}", e.getMessage());
                    }
                }
            }
            throw new TimeoutException("no receipt for request " + requestId + " within " + timeout.toSeconds() + " s");
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Collects the settings; {@link #build()} names every missing one. */
    public static final class Builder {
        private String kafkaBootstrap;
        private String rpcUrl;
        private long chainId;
        private String taskIntake;
        private String coordinator;
        private String token;
        private String registry;
        private Duration validity = Duration.ofMinutes(10);

        private Builder() {}

        public Builder kafkaBootstrap(String servers) {
            this.kafkaBootstrap = servers;
            return this;
        }

        public Builder homeChain(String rpcUrl, long chainId) {
            this.rpcUrl = rpcUrl;
            this.chainId = chainId;
            return this;
        }

        /** The home chain's TaskIntake, TaskCoordinator, TrainingToken and ModelRegistry. */
        public Builder contracts(String taskIntake, String coordinator, String token, String registry) {
            this.taskIntake = taskIntake;
            this.coordinator = coordinator;
            this.token = token;
            this.registry = registry;
            return this;
        }

        /** How long a signed request (and its permit) stays valid, from the home chain's time. */
        public Builder validity(Duration validity) {
            this.validity = validity;
            return this;
        }

        public TaskClient build() {
            List<String> problems = new ArrayList<>();
            if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
                problems.add("kafkaBootstrap is required");
            }
            if (rpcUrl == null || rpcUrl.isBlank() || chainId <= 0) {
                problems.add("homeChain(rpcUrl, chainId) with a positive chain id is required");
            }
            for (String[] a : new String[][] {{"taskIntake", taskIntake}, {"coordinator", coordinator},
                    {"token", token}, {"registry", registry}}) {
                if (a[1] == null || !a[1].matches("0x[0-9a-fA-F]{40}")) {
                    problems.add(a[0] + " must be a 0x address, was " + a[1]);
                }
            }
            if (validity == null || validity.toSeconds() < 1) {
                problems.add("validity must be at least one second");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("task client: " + String.join("; ", problems));
            }
            return new TaskClient(this);
        }
    }
}
