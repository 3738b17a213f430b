package io.tributary.ingest.relayer;

import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import io.tributary.schemas.avro.LogSource;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/** ContractCall events for unit tests, shaped like the connector's records (GATEWAY.md's worked example). */
final class Messages {

    static final String TX_HASH = "0x" + "ab".repeat(32);
    static final String SENDER = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    static final String RECEIVER = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
    static final String SOURCE_GATEWAY = "0x" + "11".repeat(20);

    private Messages() {}

    static Map<String, String> fields(String payload) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        Map<String, String> f = new HashMap<>();
        f.put("sender", SENDER);
        f.put("destinationChain", "arbitrum-local");
        f.put("destinationContractAddress", RECEIVER);
        f.put("payloadHash", Numeric.toHexString(Hash.sha3(bytes)));
        f.put("payload", Numeric.toHexString(bytes));
        return f;
    }

    static ChainEvent event(Map<String, String> fields) {
        return ChainEvent.newBuilder()
                .setOp(ChangeOp.c)
                .setSource(LogSource.newBuilder().setChainId(31337).setBlockNumber(7).setBlockHash("0x" + "cd".repeat(32))
                        .setBlockTimestamp(1_700_000_000L).setTxHash(TX_HASH).setLogIndex(3).setContract(SOURCE_GATEWAY)
                        .build())
                .setContractName("Gateway")
                .setEventName("ContractCall")
                .setFields(fields)
                .setTopics(List.of())
                .setData(ByteBuffer.allocate(0))
                .setEmittedAt(1_700_000_000_000L)
                .build();
    }
}
