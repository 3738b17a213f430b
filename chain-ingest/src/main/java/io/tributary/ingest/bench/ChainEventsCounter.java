package io.tributary.ingest.bench;

import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
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
 * confirmations ({@code op = c}) of one contract's logs in a block range, noting when the first and
 * the last expected one became visible. Keys are remembered, so a log delivered twice is counted
 * once and reported as a duplicate.
 */
final class ChainEventsCounter implements AutoCloseable {

    /** When the records became visible, in {@link System#nanoTime()}, and how many came twice. */
    record Seen(long records, long duplicates, long firstNanos, long lastNanos) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String contract;
    private final long firstBlock;
    private final long lastBlock;

    /** Assigns every partition of {@code chain.events} at its end; call before the connector starts. */
    ChainEventsCounter(String bootstrapServers, String contract, long firstBlock, long lastBlock) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString().toLowerCase(Locale.ROOT));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "ingest-bench-counter");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.contract = contract.toLowerCase(Locale.ROOT);
        this.firstBlock = firstBlock;
        this.lastBlock = lastBlock;
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.CHAIN_EVENTS.name(), Duration.ofSeconds(30))
                .stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end now, not at the first poll
    }

    /**
     * Polls until {@code expected} distinct records were seen, or fails after {@code timeout}
     * without one new record. {@code progress} hears about every 10 % of the way.
     */
    Seen await(long expected, Duration timeout, Consumer<String> progress) throws IOException {
        Set<String> keys = new HashSet<>();
        long duplicates = 0;
        long first = -1;
        long lastNew = System.nanoTime();
        long step = Math.max(1, expected / 10);
        while (keys.size() < expected) {
            var records = consumer.poll(Duration.ofMillis(50));
            long now = System.nanoTime(); // when this poll's records became visible
            for (ConsumerRecord<byte[], byte[]> r : records) {
                ChainEvent e = Topics.CHAIN_EVENTS.deserializeValue(r.value());
                long block = e.getSource().getBlockNumber();
                if (e.getOp() != ChangeOp.c || !contract.equals(e.getSource().getContract())
                        || block < firstBlock || block > lastBlock) {
                    continue;
                }
                lastNew = now;
                if (first < 0) {
                    first = lastNew;
                }
                int before = keys.size();
                if (!keys.add(Topics.CHAIN_EVENTS.deserializeKey(r.key()))) {
                    duplicates++;
                } else if (keys.size() / step != before / step) {
                    progress.accept(String.format(Locale.ROOT, "chain.events: %,d / %,d logs", keys.size(), expected));
                }
            }
            if (System.nanoTime() - lastNew > timeout.toNanos()) {
                throw new IOException("chain.events: no new record of " + contract + " for " + timeout.toSeconds()
                        + " s; saw " + keys.size() + " of " + expected);
            }
        }
        return new Seen(keys.size(), duplicates, first, lastNew);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
