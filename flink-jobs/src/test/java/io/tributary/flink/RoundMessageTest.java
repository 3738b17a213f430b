package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class RoundMessageTest {

    private static final String WORKER = "0x" + "ab".repeat(20);

    private static byte[] payload(int size) {
        byte[] p = new byte[size];
        for (int i = 0; i < size; i++) {
            p[i] = (byte) (i * 31 + 7);
        }
        return p;
    }

    private static byte[] serialize(RoundMessage m) throws Exception {
        TypeSerializer<RoundMessage> serializer = TypeInformation.of(RoundMessage.class)
                .createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(1024);
        serializer.serialize(m, out);
        byte[] bytes = out.getCopyOfBuffer();
        RoundMessage back = serializer.deserialize(new DataInputDeserializer(bytes));
        assertThat(back.chunkBytes()).isEqualTo(m.chunkBytes());
        return bytes;
    }

    @Test
    void shouldKeepAChunksBytesOnceInsideItsRecordOnTheWireAndInState() throws Exception {
        byte[] p = payload(4096);
        RoundMessage m = Fixtures.chunkMessage(1, 0, 31337, WORKER, 0, 10, p);

        assertThat(m.payload).as("no second copy").isNull();
        assertThat(m.payloadOffset).isEqualTo(m.rawValue.length - p.length);
        assertThat(m.chunkBytes()).isEqualTo(p);
        int size = serialize(m).length;
        assertThat(size).as("serialized chunk message: the record once, plus the fields")
                .isBetween(m.rawValue.length, m.rawValue.length + 512);
    }

    @Test
    void shouldCopyThePayloadWhenTheRecordDoesNotEndWithIt() throws Exception {
        byte[] p = payload(64);
        byte[] record = Fixtures.chunk(1, 0, 31337, WORKER, 0, 10, new byte[32], p).value;
        byte[] padded = java.util.Arrays.copyOf(record, record.length + 3); // bytes after the datum
        RoundMessage m = RoundMessage.of(RoundMessage.Kind.CHUNK, 1, 0);

        m.chunkFrom(padded, ByteBuffer.wrap(p));

        assertThat(m.payloadOffset).isEqualTo(-1);
        assertThat(m.payload).isEqualTo(p);
        assertThat(m.chunkBytes()).isEqualTo(p);
        assertThat(m.rawValue).isSameAs(padded);
        serialize(m);
    }
}
