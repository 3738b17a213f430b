package io.tributary.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.ingest.abi.ContractAbi;
import io.tributary.schemas.Keys;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.BlockHead;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import io.tributary.schemas.avro.DeadLetter;
import io.tributary.schemas.avro.RejectionReason;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;
import org.web3j.rlp.RlpDecoder;
import org.web3j.rlp.RlpList;
import org.web3j.rlp.RlpString;

class ChainRecordMapperTest {

    private static final String TOKEN = "0x" + "ab".repeat(20);
    private static final String HASH = "0x" + "11".repeat(32);
    private static final String PARENT = "0x" + "10".repeat(32);
    private static final String TX = "0x" + "22".repeat(32);
    private static final String ABI = """
            [{"type":"event","name":"Transfer","anonymous":false,"inputs":[
              {"name":"from","type":"address","indexed":true},
              {"name":"to","type":"address","indexed":true},
              {"name":"value","type":"uint256","indexed":false}]}]
            """;

    private final BlockHeader block = new BlockHeader(9, HASH, PARENT, 1_700_000_009L);
    private final ChainRecordMapper mapper;

    ChainRecordMapperTest() throws Exception {
        mapper = new ChainRecordMapper("home", 31337, Map.of(TOKEN, ContractAbi.parse("Token", ABI)),
                Clock.fixed(Instant.ofEpochMilli(123), ZoneOffset.UTC));
    }

    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.startsWith("0x") ? h.substring(2) : h);
    }

    private RawLog transfer(byte[] data, int topicCount) {
        List<byte[]> topics = List.of(hex(Hash.sha3String("Transfer(address,address,uint256)")),
                hex("00".repeat(12) + "01".repeat(20)), hex("00".repeat(12) + "02".repeat(20)));
        return new RawLog(9, HASH, TX, 3, TOKEN, topics.subList(0, topicCount), data);
    }

    private final EvmOffsetContext before = new EvmOffsetContext(31337, 8, PARENT);

    @Test
    void shouldWriteDecodedEventsWithTheRegistrysKeyAndSerde() {
        byte[] value = hex("00".repeat(31) + "2a");
        List<SourceRecord> out = mapper.map(new ChainChange.Confirmed(transfer(value, 3), block, before));
        assertThat(out).singleElement().satisfies(r -> {
            assertThat(r.topic()).isEqualTo(Topics.CHAIN_EVENTS.name());
            assertThat(Topics.CHAIN_EVENTS.deserializeKey((byte[]) r.key()))
                    .isEqualTo(Keys.chainEvent(31337, TOKEN, TX, 3));
            ChainEvent e = Topics.CHAIN_EVENTS.deserializeValue((byte[]) r.value());
            assertThat(e.getOp()).isEqualTo(ChangeOp.c);
            assertThat(e.getContractName()).isEqualTo("Token");
            assertThat(e.getEventName()).isEqualTo("Transfer");
            assertThat(e.getFields()).containsEntry("value", "42").containsEntry("to", "0x" + "02".repeat(20));
            assertThat(e.getSource().getBlockTimestamp()).isEqualTo(1_700_000_009L);
            assertThat(e.getTopics()).hasSize(3);
            assertThat(r.sourceOffset()).isEqualTo(before.offset());
            assertThat(r.sourcePartition()).isEqualTo(Map.of("chainId", 31337L));
        });
    }

    @Test
    void shouldWriteRetractionsAsDeleteOps() {
        EvmOffsetContext ancestor = new EvmOffsetContext(31337, 5, PARENT);
        List<SourceRecord> out = mapper.map(new ChainChange.Retracted(transfer(hex("00".repeat(32)), 3), block, ancestor));
        ChainEvent e = Topics.CHAIN_EVENTS.deserializeValue((byte[]) out.get(0).value());
        assertThat(e.getOp()).isEqualTo(ChangeOp.d);
        assertThat(out.get(0).sourceOffset()).isEqualTo(ancestor.offset());
    }

    @Test
    void shouldDeadLetterUndecodableLogsWithTheirRawBytes() {
        RawLog broken = transfer(hex("00".repeat(31) + "2a"), 2);
        List<SourceRecord> out = mapper.map(new ChainChange.Confirmed(broken, block, before));
        assertThat(out).singleElement().satisfies(r -> {
            assertThat(r.topic()).isEqualTo(Topics.DEADLETTER.name());
            DeadLetter dl = Topics.DEADLETTER.deserializeValue((byte[]) r.value());
            assertThat(dl.getReason()).isEqualTo(RejectionReason.UNDECODABLE);
            assertThat(dl.getDetail()).contains("Transfer(address,address,uint256)").contains("topics");
            assertThat(dl.getSourceTopic()).isEqualTo(Topics.CHAIN_EVENTS.name());
            RlpList decoded = (RlpList) RlpDecoder.decode(dl.getPayload().array()).getValues().get(0);
            assertThat(((RlpString) decoded.getValues().get(0)).getBytes()).isEqualTo(hex(TOKEN));
            assertThat(((RlpList) decoded.getValues().get(1)).getValues()).hasSize(2);
            assertThat(((RlpString) decoded.getValues().get(2)).getBytes()).isEqualTo(broken.data());
        });
    }

    @Test
    void shouldDeadLetterUnknownEventsAndNotRetractThem() {
        RawLog unknown = new RawLog(9, HASH, TX, 4, TOKEN, List.of(new byte[32]), new byte[0]);
        List<SourceRecord> out = mapper.map(new ChainChange.Confirmed(unknown, block, before));
        DeadLetter dl = Topics.DEADLETTER.deserializeValue((byte[]) out.get(0).value());
        assertThat(dl.getReason()).isEqualTo(RejectionReason.UNKNOWN_EVENT);
        assertThat(mapper.map(new ChainChange.Retracted(unknown, block, before))).isEmpty();
    }

    @Test
    void shouldWriteBlockHeadsKeyedByChain() {
        EvmOffsetContext after = new EvmOffsetContext(31337, 9, HASH);
        List<SourceRecord> out = mapper.map(new ChainChange.Head(block, 2, after));
        assertThat(out).singleElement().satisfies(r -> {
            assertThat(r.topic()).isEqualTo(Topics.CHAIN_BLOCKS.name());
            assertThat(Topics.CHAIN_BLOCKS.deserializeKey((byte[]) r.key())).isEqualTo(Keys.chainBlock(31337));
            BlockHead h = Topics.CHAIN_BLOCKS.deserializeValue((byte[]) r.value());
            assertThat(h.getNumber()).isEqualTo(9);
            assertThat(h.getParentHash()).isEqualTo(PARENT);
            assertThat(h.getConfirmations()).isEqualTo(2);
            assertThat(r.sourceOffset()).isEqualTo(after.offset());
            assertThat(r.timestamp()).isEqualTo(1_700_000_009_000L);
        });
    }
}
