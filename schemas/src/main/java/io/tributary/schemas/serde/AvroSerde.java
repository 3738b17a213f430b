package io.tributary.schemas.serde;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for a generated Avro record class, using Avro's single-object encoding: two marker
 * bytes, the 8-byte fingerprint of the writer's schema, then the binary datum. The fingerprint is
 * the record's version: a reader knows at once whether it can read the bytes, and no schema
 * registry is needed to run the network.
 *
 * <p>Bytes that are not a valid record of this type fail with a {@link SerializationException}
 * whose message says why; the caller turns it into a dead-letter record (DESIGN decision 10).
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final Class<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private AvroSerde(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
        SpecificData model = SpecificData.getForClass(type);
        Schema schema = model.getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema);
    }

    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        return new AvroSerde<>(type);
    }

    public Class<T> type() {
        return type;
    }

    /** Encodes a record; never returns null for a non-null record. */
    public byte[] encode(T record) {
        if (record == null) {
            return null;
        }
        try {
            ByteBuffer buffer = encoder.encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (Exception e) {
            throw new SerializationException("cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decodes a record, or fails with a {@link SerializationException} saying why: not Avro
     * single-object bytes, an unknown schema fingerprint (another version), or a corrupt body.
     */
    public T decode(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return decoder.decode(bytes);
        } catch (BadHeaderException e) {
            throw new SerializationException("not an Avro single-object " + type.getSimpleName() + ": " + e.getMessage(), e);
        } catch (MissingSchemaException e) {
            throw new SerializationException("unknown schema version for " + type.getSimpleName() + ": " + e.getMessage(), e);
        } catch (java.io.IOException | AvroRuntimeException | IndexOutOfBoundsException
                 | IllegalArgumentException | ClassCastException | NegativeArraySizeException
                 | UnsupportedOperationException e) {
            throw new SerializationException("corrupt " + type.getSimpleName() + " record: " + e, e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, data) -> encode(data);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> decode(data);
    }
}
