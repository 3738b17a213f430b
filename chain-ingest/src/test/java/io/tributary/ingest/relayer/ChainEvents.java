package io.tributary.ingest.relayer;

import io.tributary.contracts.generated.Gateway;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import io.tributary.schemas.avro.LogSource;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * Builds the {@code chain.events} record the log source connector writes for a Gateway
 * {@code ContractCall} log, from a real receipt (same conventions: decoded arguments by name,
 * integers decimal, addresses and bytes 0x-hex, strings as they are; raw topics and data kept).
 */
final class ChainEvents {

    private ChainEvents() {}

    static ChainEvent contractCall(Web3j web3j, long chainId, TransactionReceipt receipt, ChangeOp op) throws Exception {
        List<Gateway.ContractCallEventResponse> calls = Gateway.getContractCallEvents(receipt);
        if (calls.size() != 1) {
            throw new IllegalArgumentException("expected one ContractCall in " + receipt.getTransactionHash()
                    + ", found " + calls.size());
        }
        Gateway.ContractCallEventResponse call = calls.get(0);
        Log log = call.log;
        EthBlock.Block block = web3j.ethGetBlockByHash(log.getBlockHash(), false).send().getBlock();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("sender", call.sender.toLowerCase(Locale.ROOT));
        fields.put("destinationChain", call.destinationChain);
        fields.put("destinationContractAddress", call.destinationContractAddress);
        fields.put("payloadHash", Numeric.toHexString(call.payloadHash));
        fields.put("payload", Numeric.toHexString(call.payload));
        return ChainEvent.newBuilder()
                .setOp(op)
                .setSource(LogSource.newBuilder()
                        .setChainId(chainId)
                        .setBlockNumber(log.getBlockNumber().longValueExact())
                        .setBlockHash(log.getBlockHash())
                        .setBlockTimestamp(block.getTimestamp().longValueExact())
                        .setTxHash(log.getTransactionHash())
                        .setLogIndex(log.getLogIndex().intValueExact())
                        .setContract(log.getAddress().toLowerCase(Locale.ROOT))
                        .build())
                .setContractName("Gateway")
                .setEventName("ContractCall")
                .setFields(fields)
                .setTopics(log.getTopics().stream().map(t -> ByteBuffer.wrap(Numeric.hexStringToByteArray(t))).toList())
                .setData(ByteBuffer.wrap(Numeric.hexStringToByteArray(log.getData())))
                .setEmittedAt(System.currentTimeMillis())
                .build();
    }

    /** The same event with another op (a retraction of a confirmed log). */
    static ChainEvent withOp(ChainEvent event, ChangeOp op) {
        return ChainEvent.newBuilder(event).setOp(op).setEmittedAt(System.currentTimeMillis()).build();
    }
}
