package io.tributary.ingest.bench;

import io.tributary.schemas.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Watches {@code chain.events} with {@code read_committed} from its current end and counts the
 * records of a known set of transactions (each of which logged once), noting when the first and the
 * last became visible. Only keys ({@code chainId:contract:txHash:logIndex}) are read, so that the
 * reader costs next to nothing beside the connector; a key seen twice (a duplicate, or a retraction,
 * which a chain that holds still never causes) is counted once and reported.
 */
final class ChainEventsCounter implements AutoCloseable {

    /** When the records became visible, in {@link System#nanoTime()}, and how many came twice. */
    record Seen(long records, long duplicates, long firstNanos, long lastNanos) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Set<String> txHashes;

    /** Assigns every partition of {@code chain.events} at its end; call before the connector starts. */
    ChainEventsCounter(String bootstrapServers, Set<String> txHashes) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString().toLowerCase(Locale.ROOT));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "20000");
        // one committed transaction of the connector can hold tens of MB: fetch it in a few requests, not
        // 1 MB at a time, so that the reader measures the connector rather than itself
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(64 << 20));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(64 << 20));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "ingest-bench-counter");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.txHashes = Set.copyOf(txHashes);
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.CHAIN_EVENTS.name(), Duration.ofSeconds(30))
                .stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end now, not at the first poll
    }

    /**
     * Polls until a record of every transaction was seen, or fails after {@code timeout} without
     * one new record. {@code progress} hears about every 10 % of the way.
     */
    Seen await(Duration timeout, Consumer<String> progress) throws IOException {
        long expected = txHashes.size();
        Set<String> keys = new HashSet<>();
        long duplicates = 0;
        long first = -1;
        long lastNew = System.nanoTime();
        long step = Math.max(1, expected / 10);
        while (keys.size() < expected) {
            var records = consumer.poll(Duration.ofMillis(50));
            long now = System.nanoTime(); // when this poll's records became visible
            for (ConsumerRecord<byte[], byte[]> r : records) {
                String key = Topics.CHAIN_EVENTS.deserializeKey(r.key());
                String[] parts = key.split(":", 4);
                if (parts.length != 4 || !txHashes.contains(parts[2])) {
                    continue;
                }
                lastNew = now;
                if (first < 0) {
                    first = now;
                }
                int before = keys.size();
                if (!keys.add(key)) {
                    duplicates++;
                } else if (keys.size() / step != before / step) {
                    progress.accept(String.format(Locale.ROOT, "chain.events: %,d / %,d logs", keys.size(), expected));
                }
            }
            if (System.nanoTime() - lastNew > timeout.toNanos()) {
                throw new IOException("chain.events: no new record of the filled transactions for "
                        + timeout.toSeconds() + " s; saw " + keys.size() + " of " + expected);
            }
        }
        return new Seen(keys.size(), duplicates, first, lastNew);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
