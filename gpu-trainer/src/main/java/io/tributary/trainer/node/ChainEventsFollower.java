package io.tributary.trainer.node;

import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code chain.events} from the beginning (read_committed) in its own thread and keeps
 * what a worker needs: the tasks it may serve (a {@code TaskPosted} of the home TaskCoordinator, or
 * a {@code TaskAnnounced} of its own chain's WorkerHub, which the hub records when the TASK_POSTED
 * message arrives) and every confirmed {@code UpdateRevealed} of any hub (to rebuild a round's
 * contributions tree for claims). A retraction ({@code op = d}) of a reveal removes it again. The
 * node keeps no consumer offsets: its own state file says what it has done, so reading again from
 * the start after a restart is harmless.
 */
public final class ChainEventsFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChainEventsFollower.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String coordinator;
    private final long ownChainId;
    private final String ownHub;
    private final Set<Long> tasks = new ConcurrentSkipListSet<>();
    /** (task:round) to (event key to reveal). */
    private final Map<String, Map<String, ContributionProofs.Reveal>> reveals = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile Throwable failure;
    private volatile boolean caughtUp;
    private boolean started;

    /**
     * @param coordinator the home TaskCoordinator's address
     * @param ownChainId the worker's chain
     * @param ownHub the WorkerHub on that chain
     */
    public ChainEventsFollower(String bootstrapServers, String coordinator, long ownChainId, String ownHub) {
        this.coordinator = coordinator.toLowerCase(Locale.ROOT);
        this.ownChainId = ownChainId;
        this.ownHub = ownHub.toLowerCase(Locale.ROOT);
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
        this.thread = new Thread(this::run, "chain-events-" + ownChainId);
        this.thread.setDaemon(true);
    }

    public synchronized ChainEventsFollower start() {
        if (!started) {
            started = true;
            thread.start();
        }
        return this;
    }

    /** Tasks seen so far, ascending. */
    public List<Long> tasks() {
        return List.copyOf(tasks);
    }

    /** The confirmed reveals of (task, round) seen so far. */
    public List<ContributionProofs.Reveal> reveals(long taskId, int round) {
        Map<String, ContributionProofs.Reveal> m = reveals.get(taskId + ":" + round);
        return m == null ? List.of() : new ArrayList<>(m.values());
    }

    /** Whether the follower has read up to the end offsets it found at its first poll. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** Why the follower stopped, if it failed. */
    public Throwable failure() {
        return failure;
    }

    private void run() {
        try {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(Topics.CHAIN_EVENTS.name(), Duration.ofSeconds(30))
                    .forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
                    accept(rec);
                }
                if (!caughtUp && parts.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp))) {
                    caughtUp = true;
                }
            }
        } catch (WakeupException stop) {
            // closed
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("following chain.events failed: {}", e.toString(), e);
        } finally {
            consumer.close();
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> rec) {
        ChainEvent e;
        try {
            e = Topics.CHAIN_EVENTS.deserializeValue(rec.value());
        } catch (RuntimeException bad) {
            LOG.warn("skipping an undecodable chain.events record at offset {}: {}", rec.offset(), bad.toString());
            return;
        }
        apply(e, Topics.CHAIN_EVENTS.deserializeKey(rec.key()));
    }

    /** Applies one event (package-private for tests). */
    void apply(ChainEvent e, String key) {
        String contract = e.getSource().getContract().toLowerCase(Locale.ROOT);
        String name = e.getEventName();
        Map<String, String> f = e.getFields();
        boolean confirmed = e.getOp() == ChangeOp.c;
        if ("TaskPosted".equals(name) && contract.equals(coordinator) && confirmed) {
            addTask(f.get("taskId"));
        } else if ("TaskAnnounced".equals(name) && contract.equals(ownHub) && e.getSource().getChainId() == ownChainId
                && confirmed) {
            addTask(f.get("taskId"));
        } else if ("UpdateRevealed".equals(name)) {
            String roundKey = f.get("taskId") + ":" + f.get("round");
            if (confirmed) {
                byte[] root = HexFormat.of().parseHex(f.get("updateRoot").substring(2));
                reveals.computeIfAbsent(roundKey, k -> new ConcurrentHashMap<>()).put(key, new ContributionProofs.Reveal(
                        e.getSource().getChainId(), f.get("worker"), root, Long.parseLong(f.get("samples"))));
            } else {
                Map<String, ContributionProofs.Reveal> m = reveals.get(roundKey);
                if (m != null) {
                    m.remove(key);
                }
            }
        }
    }

    private void addTask(String taskId) {
        if (taskId != null && tasks.add(Long.parseLong(taskId))) {
            LOG.info("task {} seen in chain.events", taskId);
        }
    }

    @Override
    public synchronized void close() throws InterruptedException {
        if (started) {
            consumer.wakeup();
            thread.join(5_000);
        } else {
            consumer.close();
        }
    }
}
