package io.tributary.ingest.source;

import java.util.Objects;

/** The parts of a block header the connector needs. Hashes are lower-case 0x-hex. */
public record BlockHeader(long number, String hash, String parentHash, long timestamp) {
    public BlockHeader {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(parentHash, "parentHash");
    }
}
