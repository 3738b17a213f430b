package io.tributary.infra.demo;

import io.tributary.ingest.kafka.KafkaClients;
import io.tributary.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts, per round of one task, the update chunks published to {@code updates.chunks} and the
 * chunks the aggregation job rejected to {@code deadletter} (whose key is
 * {@code updates.chunks:taskId:round:chunk}), reading both topics from their start in a thread of
 * its own (read_committed: only what was really written).
 */
public final class ChunkCounts implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkCounts.class);

    private final long taskId;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<Integer, AtomicLong> published = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> rejected = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    public ChunkCounts(String bootstrapServers, long taskId) {
        this.taskId = taskId;
        this.consumer = new KafkaConsumer<>(KafkaClients.consumer(bootstrapServers, null, "demo-chunk-counts"));
        this.thread = new Thread(this::run, "demo-chunk-counts");
        this.thread.setDaemon(true);
    }

    /** Assigns every partition of both topics from their start and starts counting. */
    public ChunkCounts start() {
        try {
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : List.of(Topics.UPDATE_CHUNKS.name(), Topics.DEADLETTER.name())) {
                consumer.partitionsFor(topic, Duration.ofSeconds(10))
                        .forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
        thread.start();
        return this;
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    count(r);
                }
            }
        } catch (WakeupException stopping) {
            // close() woke the poll
        } catch (RuntimeException e) {
            LOG.warn("counting chunks stopped: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void count(ConsumerRecord<byte[], byte[]> r) {
        if (r.key() == null) {
            return;
        }
        String key;
        Map<Integer, AtomicLong> into;
        if (r.topic().equals(Topics.UPDATE_CHUNKS.name())) {
            key = Topics.UPDATE_CHUNKS.deserializeKey(r.key());
            into = published;
        } else {
            String dead = Topics.DEADLETTER.deserializeKey(r.key());
            String prefix = Topics.UPDATE_CHUNKS.name() + ":";
            if (!dead.startsWith(prefix)) {
                return;
            }
            key = dead.substring(prefix.length());
            into = rejected;
        }
        String[] parts = key.split(":");
        if (parts.length < 2) {
            return;
        }
        try {
            if (Long.parseLong(parts[0]) == taskId) {
                into.computeIfAbsent(Integer.parseInt(parts[1]), k -> new AtomicLong()).incrementAndGet();
            }
        } catch (NumberFormatException notARoundKey) {
            // another producer's key shape: not a chunk of this task
        }
    }

    /** Chunks of the round the job admitted so far (published minus rejected). */
    public long admitted(int round) {
        return Math.max(0, count(published, round) - count(rejected, round));
    }

    /** Chunks of the round dead-lettered so far. */
    public long rejected(int round) {
        return count(rejected, round);
    }

    private static long count(Map<Integer, AtomicLong> counts, int round) {
        AtomicLong c = counts.get(round);
        return c == null ? 0 : c.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5_000); // the thread closes the consumer
    }
}
