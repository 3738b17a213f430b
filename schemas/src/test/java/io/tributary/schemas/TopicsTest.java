package io.tributary.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.schemas.Topics.Topic;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void shouldNameEveryTopicOfTheDesignOnce() {
        List<String> names = Topics.all().stream().map(Topic::name).toList();
        assertThat(names).containsExactly("chain.events", "chain.blocks", "tasks.requests", "tasks.receipts",
                "updates.chunks", "models.chunks", "rounds.commitments", "gateway.attestations", "deadletter");
        assertThat(new HashSet<>(names)).hasSameSizeAs(names);
        assertThat(Topics.byName("deadletter")).isSameAs(Topics.DEADLETTER);
        assertThatThrownBy(() -> Topics.byName("updates"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("updates.chunks");
    }

    @Test
    void shouldRoundTripEveryTopicsValue() {
        for (Topic<String, ?> topic : Topics.all()) {
            roundTrip(topic);
        }
    }

    @SuppressWarnings("unchecked")
    private static <V> void roundTrip(Topic<String, V> topic) {
        V value = (V) SampleRecords.valueFor(topic.name());
        byte[] bytes = topic.serializeValue(value);
        assertThat(topic.deserializeValue(bytes)).as(topic.name()).isEqualTo(value);
        assertThat(topic.deserializeKey(topic.serializeKey("7:2:1"))).isEqualTo("7:2:1");
    }

    /**
     * Version 1 of every record format is pinned: the committed bytes must still decode to the same
     * record, and encoding the record must still give the same bytes. A schema change shows up here
     * and needs a new golden file plus a reader for the old one.
     */
    @Test
    @SuppressWarnings("unchecked")
    void shouldReadAndWriteTheGoldenBytesOfVersion1() throws IOException {
        for (Topic<String, ?> t : Topics.all()) {
            Topic<String, Object> topic = (Topic<String, Object>) t;
            Object value = SampleRecords.valueFor(topic.name());
            byte[] golden = golden(topic.name());
            assertThat(topic.deserializeValue(golden)).as(topic.name()).isEqualTo(value);
            assertThat(HexFormat.of().formatHex(topic.serializeValue(value)))
                    .as(topic.name()).isEqualTo(HexFormat.of().formatHex(golden));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldRejectCorruptValuesWithASerializationExceptionOnly() {
        Random random = new Random(20261124L);
        Set<String> messages = new HashSet<>();
        int rejected = 0;
        int decoded = 0;
        for (Topic<String, ?> t : Topics.all()) {
            Topic<String, Object> topic = (Topic<String, Object>) t;
            byte[] valid = topic.serializeValue(SampleRecords.valueFor(topic.name()));
            for (int i = 0; i < 4_000; i++) {
                byte[] input = mutate(valid, random);
                try {
                    topic.deserializeValue(input);
                    decoded++;
                } catch (SerializationException e) {
                    rejected++;
                    messages.add(e.getMessage().split(":")[0]);
                }
            }
        }
        assertThat(rejected).isGreaterThan(decoded);
        assertThat(String.join("|", messages)).contains("not an Avro single-object").contains("corrupt");
    }

    private static byte[] mutate(byte[] valid, Random random) {
        byte[] out;
        switch (random.nextInt(4)) {
            case 0 -> { // truncate
                out = java.util.Arrays.copyOf(valid, random.nextInt(valid.length));
            }
            case 1 -> { // flip bytes in the body, keep the header
                out = valid.clone();
                for (int k = 0; k < 1 + random.nextInt(4); k++) {
                    int at = 10 + random.nextInt(out.length - 10);
                    out[at] = (byte) random.nextInt(256);
                }
            }
            case 2 -> { // huge length prefix right after the header
                out = valid.clone();
                out[10] = (byte) 0xfe;
                out[11] = (byte) 0xff;
                out[12] = (byte) 0xff;
                out[13] = (byte) 0xff;
                out[14] = (byte) 0x0f;
            }
            default -> { // pure noise
                out = new byte[random.nextInt(200)];
                random.nextBytes(out);
            }
        }
        return out;
    }

    private static byte[] golden(String topic) throws IOException {
        try (InputStream in = TopicsTest.class.getResourceAsStream("/golden/avro-v1/" + topic + ".hex")) {
            assertThat(in).as("golden file for " + topic).isNotNull();
            return HexFormat.of().parseHex(new String(in.readAllBytes()).strip());
        }
    }
}
