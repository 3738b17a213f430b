package io.tributary.flink;

import io.tributary.schemas.Keys;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.DeadLetter;
import io.tributary.schemas.avro.RejectionReason;
import io.tributary.schemas.tensor.RejectReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Builds {@code deadletter} records (DESIGN decision 10) and maps the codec's reasons onto the topic's. */
final class DeadLetters {

    static final String PRODUCER = "round-aggregation";

    private DeadLetters() {}

    static RejectionReason of(RejectReason r) {
        return switch (r) {
            case TRUNCATED -> RejectionReason.TRUNCATED;
            case OVERSIZED -> RejectionReason.OVERSIZED;
            case UNKNOWN_VERSION -> RejectionReason.UNSUPPORTED_VERSION;
            case SHAPE_MISMATCH, CHUNK_INDEX_OUT_OF_RANGE, WRONG_LEAF_COUNT -> RejectionReason.WRONG_SHAPE;
            case EXPONENT_OUT_OF_RANGE -> RejectionReason.BAD_EXPONENT;
            case MANTISSA_OUT_OF_RANGE -> RejectionReason.OUT_OF_BOUND;
            case CHUNK_ROOT_MISMATCH, PROOF_INVALID -> RejectionReason.BAD_HASH;
            case MALFORMED_IPC, UNSUPPORTED_LAYOUT, MISSING_HEADER, NULL_LEAF, NONZERO_PADDING, TRAILING_BYTES ->
                    RejectionReason.MALFORMED;
        };
    }

    /** A dead letter of an input record, as a {@code deadletter} Kafka record. */
    static RawRecord record(String sourceTopic, byte[] key, byte[] value, int partition, long offset,
                            RejectionReason reason, String detail, long nowMillis) {
        String keyText = key == null ? null : new String(key, StandardCharsets.UTF_8);
        DeadLetter d = DeadLetter.newBuilder()
                .setSourceTopic(sourceTopic)
                .setSourceKey(key == null ? null : ByteBuffer.wrap(key))
                .setSourcePartition(partition < 0 ? null : partition)
                .setSourceOffset(offset < 0 ? null : offset)
                .setReason(reason)
                .setDetail(detail)
                .setPayload(value == null ? null : ByteBuffer.wrap(value))
                .setProducer(PRODUCER)
                .setRejectedAt(nowMillis)
                .build();
        return new RawRecord(Topics.DEADLETTER.name(),
                Topics.DEADLETTER.serializeKey(Keys.deadLetter(sourceTopic, keyText)),
                Topics.DEADLETTER.serializeValue(d));
    }

    static RawRecord chunk(RoundMessage m, RejectionReason reason, String detail, long nowMillis) {
        return record(Topics.UPDATE_CHUNKS.name(), m.rawKey, m.rawValue, m.partition, m.offset, reason, detail,
                nowMillis);
    }
}
