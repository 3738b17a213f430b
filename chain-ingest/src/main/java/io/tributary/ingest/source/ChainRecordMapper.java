package io.tributary.ingest.source;

import io.tributary.ingest.abi.AbiCodec;
import io.tributary.ingest.abi.AbiDecodingException;
import io.tributary.ingest.abi.ContractAbi;
import io.tributary.ingest.abi.EventAbi;
import io.tributary.schemas.Keys;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.BlockHead;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import io.tributary.schemas.avro.DeadLetter;
import io.tributary.schemas.avro.LogSource;
import io.tributary.schemas.avro.RejectionReason;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.web3j.rlp.RlpEncoder;
import org.web3j.rlp.RlpList;
import org.web3j.rlp.RlpString;
import org.web3j.rlp.RlpType;

/**
 * Turns {@link ChainChange}s into Connect records with byte keys and values serialized by the
 * topic registry's serdes (so the connector runs with {@code ByteArrayConverter}): decoded logs to
 * {@code chain.events}, block heads to {@code chain.blocks}, unknown or undecodable logs to
 * {@code deadletter} with the log's consensus (RLP) encoding as payload.
 */
public final class ChainRecordMapper {

    private final String chainName;
    private final long chainId;
    private final Map<String, ContractAbi> abiByAddress;
    private final Clock clock;
    private final String producer;

    public ChainRecordMapper(String chainName, long chainId, Map<String, ContractAbi> abiByAddress, Clock clock) {
        this.chainName = chainName;
        this.chainId = chainId;
        this.abiByAddress = Map.copyOf(abiByAddress);
        this.clock = clock;
        this.producer = "evm-log-source:" + chainName;
    }

    /** The records of {@code change}: none for the retraction of a log that only ever reached the dead letters. */
    public List<SourceRecord> map(ChainChange change) {
        List<SourceRecord> out = new ArrayList<>(1);
        if (change instanceof ChainChange.Head h) {
            BlockHeader b = h.block();
            BlockHead head = BlockHead.newBuilder().setChainId(chainId).setNumber(b.number()).setHash(b.hash())
                    .setParentHash(b.parentHash()).setTimestamp(b.timestamp()).setConfirmations(h.confirmations())
                    .build();
            out.add(record(h.after(), Topics.CHAIN_BLOCKS.name(), Topics.CHAIN_BLOCKS.serializeKey(Keys.chainBlock(chainId)),
                    Topics.CHAIN_BLOCKS.serializeValue(head), b.timestamp()));
            return out;
        }
        RawLog log;
        BlockHeader block;
        ChangeOp op;
        if (change instanceof ChainChange.Confirmed c) {
            log = c.log();
            block = c.block();
            op = ChangeOp.c;
        } else {
            ChainChange.Retracted r = (ChainChange.Retracted) change;
            log = r.log();
            block = r.block();
            op = ChangeOp.d;
        }
        String key = Keys.chainEvent(chainId, log.address(), log.txHash(), log.logIndex());
        Decoded decoded = decode(log);
        if (decoded.reason != null) {
            if (op == ChangeOp.c) {
                DeadLetter dl = DeadLetter.newBuilder()
                        .setSourceTopic(Topics.CHAIN_EVENTS.name())
                        .setSourceKey(ByteBuffer.wrap(Topics.CHAIN_EVENTS.serializeKey(key)))
                        .setReason(decoded.reason)
                        .setDetail("chain " + chainName + " block " + log.blockNumber() + " " + log.blockHash()
                                + " tx " + log.txHash() + " log " + log.logIndex() + ": " + decoded.detail)
                        .setPayload(ByteBuffer.wrap(rlp(log)))
                        .setProducer(producer)
                        .setRejectedAt(clock.millis())
                        .build();
                out.add(record(change.after(), Topics.DEADLETTER.name(),
                        Topics.DEADLETTER.serializeKey(Keys.deadLetter(Topics.CHAIN_EVENTS.name(), key)),
                        Topics.DEADLETTER.serializeValue(dl), block.timestamp()));
            }
            return out;
        }
        List<ByteBuffer> topics = new ArrayList<>();
        for (byte[] t : log.topics()) {
            topics.add(ByteBuffer.wrap(t));
        }
        LogSource source = LogSource.newBuilder().setChainId(chainId).setBlockNumber(log.blockNumber())
                .setBlockHash(log.blockHash()).setBlockTimestamp(block.timestamp()).setTxHash(log.txHash())
                .setLogIndex(log.logIndex()).setContract(log.address()).build();
        ChainEvent event = ChainEvent.newBuilder().setOp(op).setSource(source)
                .setContractName(decoded.contractName).setEventName(decoded.eventName)
                .setFields(decoded.fields).setTopics(topics).setData(ByteBuffer.wrap(log.data()))
                .setEmittedAt(clock.millis()).build();
        out.add(record(change.after(), Topics.CHAIN_EVENTS.name(), Topics.CHAIN_EVENTS.serializeKey(key),
                Topics.CHAIN_EVENTS.serializeValue(event), block.timestamp()));
        return out;
    }

    private record Decoded(String contractName, String eventName, Map<String, String> fields,
                           RejectionReason reason, String detail) {}

    private Decoded decode(RawLog log) {
        ContractAbi abi = abiByAddress.get(log.address());
        if (abi == null) {
            return new Decoded(null, null, null, RejectionReason.UNKNOWN_EVENT, "log of unfollowed address " + log.address());
        }
        if (log.topics().isEmpty()) {
            return new Decoded(null, null, null, RejectionReason.UNKNOWN_EVENT,
                    "anonymous log (no topic0) of " + abi.contractName());
        }
        String topic0 = AbiCodec.hex(log.topics().get(0));
        Optional<EventAbi> event = abi.event(topic0);
        if (event.isEmpty()) {
            return new Decoded(null, null, null, RejectionReason.UNKNOWN_EVENT,
                    "topic0 " + topic0 + " is no event of " + abi.contractName());
        }
        try {
            return new Decoded(abi.contractName(), event.get().name(), event.get().decode(log.topics(), log.data()), null, null);
        } catch (AbiDecodingException e) {
            return new Decoded(null, null, null, RejectionReason.UNDECODABLE,
                    abi.contractName() + "." + event.get().signature() + ": " + e.getMessage());
        }
    }

    /** A log's consensus encoding: RLP [address, [topics...], data]. */
    static byte[] rlp(RawLog log) {
        List<RlpType> topics = new ArrayList<>();
        for (byte[] t : log.topics()) {
            topics.add(RlpString.create(t));
        }
        return RlpEncoder.encode(new RlpList(RlpString.create(Web3jChainClient.bytes(log.address())),
                new RlpList(topics), RlpString.create(log.data())));
    }

    private SourceRecord record(EvmOffsetContext after, String topic, byte[] key, byte[] value, long blockTimestamp) {
        return new SourceRecord(after.partition(), after.offset(), topic, null, Schema.BYTES_SCHEMA, key,
                Schema.BYTES_SCHEMA, value, blockTimestamp * 1000L);
    }
}
