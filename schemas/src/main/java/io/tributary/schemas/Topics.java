package io.tributary.schemas;

import io.tributary.schemas.avro.BlockHead;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.DeadLetter;
import io.tributary.schemas.avro.GatewayAttestation;
import io.tributary.schemas.avro.ModelChunk;
import io.tributary.schemas.avro.RoundCommitment;
import io.tributary.schemas.avro.TaskReceipt;
import io.tributary.schemas.avro.TaskRequest;
import io.tributary.schemas.avro.UpdateChunk;
import io.tributary.schemas.serde.AvroSerde;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The single registry of Kafka topics (DESIGN.md, "Kafka topics"): each topic's name with its key
 * and value serdes. Nobody types a topic name or a key format twice: every module uses the
 * constants here and the key builders of {@link Keys}.
 */
public final class Topics {

    public static final Topic<String, ChainEvent> CHAIN_EVENTS = avro("chain.events", ChainEvent.class);
    public static final Topic<String, BlockHead> CHAIN_BLOCKS = avro("chain.blocks", BlockHead.class);
    public static final Topic<String, TaskRequest> TASK_REQUESTS = avro("tasks.requests", TaskRequest.class);
    public static final Topic<String, TaskReceipt> TASK_RECEIPTS = avro("tasks.receipts", TaskReceipt.class);
    public static final Topic<String, UpdateChunk> UPDATE_CHUNKS = avro("updates.chunks", UpdateChunk.class);
    public static final Topic<String, ModelChunk> MODEL_CHUNKS = avro("models.chunks", ModelChunk.class);
    public static final Topic<String, RoundCommitment> ROUND_COMMITMENTS =
            avro("rounds.commitments", RoundCommitment.class);
    public static final Topic<String, GatewayAttestation> GATEWAY_ATTESTATIONS =
            avro("gateway.attestations", GatewayAttestation.class);
    public static final Topic<String, DeadLetter> DEADLETTER = avro("deadletter", DeadLetter.class);

    private static final List<Topic<String, ?>> ALL = List.of(
            CHAIN_EVENTS, CHAIN_BLOCKS, TASK_REQUESTS, TASK_RECEIPTS, UPDATE_CHUNKS,
            MODEL_CHUNKS, ROUND_COMMITMENTS, GATEWAY_ATTESTATIONS, DEADLETTER);

    private Topics() {}

    /** Every topic of the network, in the order of DESIGN.md's table. */
    public static List<Topic<String, ?>> all() {
        return ALL;
    }

    /** The topic of this name, or an exception naming the known ones. */
    public static Topic<String, ?> byName(String name) {
        for (Topic<String, ?> t : ALL) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown topic '" + name + "'; known: "
                + ALL.stream().map(Topic::name).toList());
    }

    private static <V extends SpecificRecord> Topic<String, V> avro(String name, Class<V> type) {
        return new Topic<>(name, Serdes.String(), AvroSerde.of(type));
    }

    /** A topic: its name and the serdes of its keys and values. */
    public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
        public Topic {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(keySerde, "keySerde");
            Objects.requireNonNull(valueSerde, "valueSerde");
        }

        public byte[] serializeKey(K key) {
            return keySerde.serializer().serialize(name, key);
        }

        public byte[] serializeValue(V value) {
            return valueSerde.serializer().serialize(name, value);
        }

        public K deserializeKey(byte[] bytes) {
            return keySerde.deserializer().deserialize(name, bytes);
        }

        public V deserializeValue(byte[] bytes) {
            return valueSerde.deserializer().deserialize(name, bytes);
        }
    }
}
