package io.tributary.schemas;

import java.util.Locale;

/**
 * Record keys of the topics in {@link Topics}, built in one place (DESIGN.md, "Kafka topics").
 * Addresses and hashes are lower-cased so that one log or chunk has exactly one key.
 */
public final class Keys {

    private Keys() {}

    /** {@code chain.events}: chainId:contract:txHash:logIndex. */
    public static String chainEvent(long chainId, String contract, String txHash, int logIndex) {
        return chainId + ":" + hex(contract) + ":" + hex(txHash) + ":" + logIndex;
    }

    /** {@code chain.blocks}: chainId. */
    public static String chainBlock(long chainId) {
        return Long.toString(chainId);
    }

    /** {@code updates.chunks} and {@code models.chunks}: taskId:round:chunkIndex. */
    public static String chunk(long taskId, int round, int chunkIndex) {
        return taskId + ":" + round + ":" + chunkIndex;
    }

    /** {@code rounds.commitments}: taskId:round. */
    public static String round(long taskId, int round) {
        return taskId + ":" + round;
    }

    /** {@code deadletter}: sourceTopic:key (the key may be absent). */
    public static String deadLetter(String sourceTopic, String sourceKey) {
        return sourceTopic + ":" + (sourceKey == null ? "" : sourceKey);
    }

    private static String hex(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
