package io.tributary.ingest.source;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where a chain's task stands (Debezium's offset-context habit): the source partition is the chain
 * id, the offset the last block whose every record has been written, by number and hash. The hash
 * lets a restarted task notice that the chain was reorganised while it was down.
 */
public record EvmOffsetContext(long chainId, long blockNumber, String blockHash) {

    public static final String PARTITION_CHAIN_ID = "chainId";
    public static final String OFFSET_BLOCK_NUMBER = "blockNumber";
    public static final String OFFSET_BLOCK_HASH = "blockHash";

    public EvmOffsetContext {
        Objects.requireNonNull(blockHash, "blockHash");
    }

    public static Map<String, Object> sourcePartition(long chainId) {
        return Map.of(PARTITION_CHAIN_ID, chainId);
    }

    public Map<String, Object> partition() {
        return sourcePartition(chainId);
    }

    public Map<String, Object> offset() {
        Map<String, Object> offset = new HashMap<>();
        offset.put(OFFSET_BLOCK_NUMBER, blockNumber);
        offset.put(OFFSET_BLOCK_HASH, blockHash);
        return offset;
    }

    /**
     * Reads back a stored offset (Connect's JSON offsets give numbers back as Long or Integer).
     * Null when nothing is stored; an exception naming the problem when it is malformed.
     */
    public static EvmOffsetContext load(long chainId, Map<String, ?> offset) {
        if (offset == null || offset.isEmpty()) {
            return null;
        }
        Object number = offset.get(OFFSET_BLOCK_NUMBER);
        Object hash = offset.get(OFFSET_BLOCK_HASH);
        if (!(number instanceof Number n) || !(hash instanceof String h)) {
            throw new IllegalArgumentException("stored offset of chain " + chainId + " is malformed: " + offset);
        }
        return new EvmOffsetContext(chainId, n.longValue(), h);
    }
}
