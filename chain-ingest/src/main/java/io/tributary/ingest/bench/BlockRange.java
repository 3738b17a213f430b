package io.tributary.ingest.bench;

/** An inclusive range of blocks, as one {@code eth_getLogs} asks for it. */
public record BlockRange(long from, long to) {

    public BlockRange {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("need 0 <= from <= to, got " + from + ".." + to);
        }
    }
}
