package io.tributary.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

class EvmOffsetContextTest {

    private static final String HASH = "0x" + "ab".repeat(32);

    @Test
    void shouldRoundTripThroughConnectsJsonOffsetStorage() {
        // Connect stores offsets with a schemaless JsonConverter: do the same round trip
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "false"), false);
        EvmOffsetContext offset = new EvmOffsetContext(31337, 42, HASH);
        byte[] partitionBytes = json.fromConnectData("offsets", null, offset.partition());
        byte[] offsetBytes = json.fromConnectData("offsets", null, offset.offset());
        SchemaAndValue partition = json.toConnectData("offsets", partitionBytes);
        SchemaAndValue stored = json.toConnectData("offsets", offsetBytes);
        assertThat(partition.value()).isEqualTo(Map.of(EvmOffsetContext.PARTITION_CHAIN_ID, 31337L));
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) stored.value();
        assertThat(EvmOffsetContext.load(31337, back)).isEqualTo(offset);
    }

    @Test
    void shouldAcceptIntegerBlockNumbers() {
        assertThat(EvmOffsetContext.load(1, Map.of("blockNumber", 7, "blockHash", HASH)))
                .isEqualTo(new EvmOffsetContext(1, 7, HASH));
    }

    @Test
    void shouldReadNothingWhenNothingIsStored() {
        assertThat(EvmOffsetContext.load(1, null)).isNull();
        assertThat(EvmOffsetContext.load(1, Map.of())).isNull();
    }

    @Test
    void shouldRefuseMalformedOffsets() {
        assertThatThrownBy(() -> EvmOffsetContext.load(1, Map.of("blockNumber", "7")))
                .hasMessageContaining("malformed");
    }
}
