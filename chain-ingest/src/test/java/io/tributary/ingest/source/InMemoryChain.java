package io.tributary.ingest.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small chain model for follower tests: canonical blocks by number, every block ever made by
 * hash (so abandoned blocks stay readable by hash, as on a real node), and logs per block. A log
 * is identified by its transaction name, so the same transaction can land in two branches.
 */
final class InMemoryChain implements ChainClient {

    static final String ADDRESS = "0x00000000000000000000000000000000000000aa";

    private final List<BlockHeader> canonical = new ArrayList<>();
    private final Map<String, BlockHeader> byHash = new HashMap<>();
    private final Map<String, List<RawLog>> logsByHash = new HashMap<>();
    private int hashCounter;
    /** eth_getLogs refuses ranges returning more logs than this. */
    int maxLogsPerQuery = Integer.MAX_VALUE;
    /** When set, every call fails with it. */
    IOException failure;
    /** When >= 0: calls that still succeed before exactly one fails with a connection error. */
    int callsBeforeOneFailure = -1;
    int getLogsCalls;

    InMemoryChain() {
        append(List.of()); // genesis
    }

    /** Mines one block holding one log per transaction name; returns its number. */
    long mine(String... txs) {
        return append(List.of(txs)).number();
    }

    void mineEmpty(int blocks) {
        for (int i = 0; i < blocks; i++) {
            append(List.of());
        }
    }

    /** Drops the last {@code depth} blocks (anvil_rollback). */
    void rollback(int depth) {
        for (int i = 0; i < depth; i++) {
            canonical.remove(canonical.size() - 1);
        }
    }

    /** Replaces the last {@code depth} blocks with {@code newBlocks} (each a list of transaction names). */
    void reorg(int depth, List<List<String>> newBlocks) {
        rollback(depth);
        for (List<String> txs : newBlocks) {
            append(txs);
        }
    }

    long head() {
        return canonical.size() - 1;
    }

    /** Transaction names of the canonical logs in blocks up to {@code upTo}, in chain order. */
    List<String> canonicalTxs(long upTo) {
        List<String> out = new ArrayList<>();
        for (BlockHeader h : canonical) {
            if (h.number() <= upTo) {
                logsByHash.get(h.hash()).forEach(l -> out.add(l.txHash()));
            }
        }
        return out;
    }

    private BlockHeader append(List<String> txs) {
        long number = canonical.size();
        String parent = number == 0 ? hash(0) : canonical.get(canonical.size() - 1).hash();
        BlockHeader h = new BlockHeader(number, hash(++hashCounter), parent, 1_700_000_000L + number);
        canonical.add(h);
        byHash.put(h.hash(), h);
        List<RawLog> logs = new ArrayList<>();
        for (int i = 0; i < txs.size(); i++) {
            logs.add(new RawLog(number, h.hash(), txs.get(i), i, ADDRESS, List.of(new byte[32]), new byte[0]));
        }
        logsByHash.put(h.hash(), logs);
        return h;
    }

    private static String hash(int n) {
        return String.format("0x%064x", n);
    }

    private void maybeFail() throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (callsBeforeOneFailure == 0) {
            callsBeforeOneFailure = -1;
            throw new java.net.ConnectException("Connection reset (injected)");
        }
        if (callsBeforeOneFailure > 0) {
            callsBeforeOneFailure--;
        }
    }

    @Override
    public long headNumber() throws IOException {
        maybeFail();
        return head();
    }

    @Override
    public List<BlockHeader> headers(long from, long to) throws IOException {
        maybeFail();
        List<BlockHeader> out = new ArrayList<>();
        for (long n = from; n <= to && n < canonical.size(); n++) {
            out.add(canonical.get((int) n));
        }
        return out;
    }

    @Override
    public Optional<BlockHeader> headerByHash(String hash) throws IOException {
        maybeFail();
        return Optional.ofNullable(byHash.get(hash));
    }

    @Override
    public List<RawLog> logs(long from, long to, Collection<String> addresses) throws IOException {
        maybeFail();
        getLogsCalls++;
        List<RawLog> out = new ArrayList<>();
        for (long n = from; n <= to && n < canonical.size(); n++) {
            out.addAll(logsByHash.get(canonical.get((int) n).hash()));
        }
        if (out.size() > maxLogsPerQuery) {
            throw new RpcException("eth_getLogs", -32005, "query returned more than " + maxLogsPerQuery + " results");
        }
        return out;
    }

    @Override
    public List<RawLog> logsByBlockHash(String blockHash, Collection<String> addresses) throws IOException {
        maybeFail();
        return List.copyOf(logsByHash.getOrDefault(blockHash, List.of()));
    }
}
