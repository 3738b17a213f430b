package io.tributary.ingest.source;

import java.util.List;
import java.util.Objects;

/** One log as the node returned it. Addresses and hashes are lower-case 0x-hex. */
public record RawLog(long blockNumber, String blockHash, String txHash, int logIndex, String address,
                     List<byte[]> topics, byte[] data) {
    public RawLog {
        Objects.requireNonNull(blockHash, "blockHash");
        Objects.requireNonNull(txHash, "txHash");
        Objects.requireNonNull(address, "address");
        topics = List.copyOf(topics);
        Objects.requireNonNull(data, "data");
    }
}
