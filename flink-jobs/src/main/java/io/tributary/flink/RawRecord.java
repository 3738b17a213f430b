package io.tributary.flink;

import java.util.Arrays;
import java.util.Objects;

/**
 * One Kafka record as bytes: what the job's sources produce and its sinks consume. Parsing happens
 * inside the job, so that a record that does not parse still reaches {@code deadletter} with its
 * original bytes (DESIGN decision 10). A Flink POJO (public fields, no-arg constructor).
 */
public class RawRecord {

    public String topic;
    public byte[] key;
    public byte[] value;
    /** Source partition and offset, when the record came from Kafka (else -1). */
    public int partition = -1;
    public long offset = -1;

    public RawRecord() {}

    public RawRecord(String topic, byte[] key, byte[] value) {
        this.topic = topic;
        this.key = key;
        this.value = value;
    }

    public RawRecord(String topic, byte[] key, byte[] value, int partition, long offset) {
        this(topic, key, value);
        this.partition = partition;
        this.offset = offset;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawRecord r && Objects.equals(r.topic, topic) && Arrays.equals(r.key, key)
                && Arrays.equals(r.value, value) && r.partition == partition && r.offset == offset;
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, Arrays.hashCode(key), Arrays.hashCode(value), partition, offset);
    }

    @Override
    public String toString() {
        return "RawRecord{" + topic + ", key=" + (key == null ? 0 : key.length) + " bytes, value="
                + (value == null ? 0 : value.length) + " bytes, " + partition + "@" + offset + '}';
    }
}
