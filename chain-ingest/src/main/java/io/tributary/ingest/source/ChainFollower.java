package io.tributary.ingest.source;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one chain's confirmed blocks and turns them into {@link ChainChange}s: the logs of each
 * block once it has {@code confirmations} blocks on top, then the block head. It remembers the last
 * {@code maxReorgDepth} blocks it emitted (hash and logs). Each step first checks that the last
 * emitted block is still canonical; if not, it walks back to the common ancestor and retracts
 * every log of the abandoned blocks, newest first, before anything of the new branch (Besu's
 * {@code handleChainReorg}); the retractions are a poll of their own. A reorg that stays within the
 * confirmation depth is never seen.
 *
 * <p>Not thread-safe: one task drives it.
 */
public final class ChainFollower {

    private static final Logger LOG = LoggerFactory.getLogger(ChainFollower.class);

    private final long chainId;
    private final ChainClient client;
    private final List<String> addresses;
    private final int confirmations;
    private final int maxReorgDepth;
    private final AdaptiveRange range;
    private final RpcErrorHandler errors;
    private final Deque<Emitted> history = new ArrayDeque<>();
    private final long startBlock;
    private long nextBlock;
    private long retractedLogs;
    /** Whether {@link #history} holds every block emitted since the start block. */
    private boolean complete = true;

    private final Listener listener;

    private record Emitted(BlockHeader header, List<RawLog> logs) {}

    /**
     * What the follower learns as it goes (the connector's metrics). Called on the follower's thread,
     * in order; {@link #confirmed} only once the changes it covers are handed to the caller.
     */
    public interface Listener {
        Listener NONE = new Listener() {};

        /** The chain's newest block is {@code number} (told at every poll; costs no RPC of its own). */
        default void head(long number) {}

        /** Blocks up to {@code newest} are confirmed (emitted, or on resume: emitted before). */
        default void confirmed(BlockHeader newest) {}

        /** A reorg abandoned {@code depth} confirmed blocks; their logs are being retracted. */
        default void reorg(int depth) {}

        /** An RPC call failed; {@code kind} is how {@link RpcErrorHandler} classified it. */
        default void rpcError(RpcErrorHandler.Kind kind) {}
    }

    public ChainFollower(long chainId, ChainClient client, Collection<String> addresses, int confirmations,
                         int maxReorgDepth, long startBlock, AdaptiveRange range, RpcErrorHandler errors) {
        this(chainId, client, addresses, confirmations, maxReorgDepth, startBlock, range, errors, Listener.NONE);
    }

    public ChainFollower(long chainId, ChainClient client, Collection<String> addresses, int confirmations,
                         int maxReorgDepth, long startBlock, AdaptiveRange range, RpcErrorHandler errors,
                         Listener listener) {
        if (confirmations < 0 || maxReorgDepth < 1 || startBlock < 0) {
            throw new IllegalArgumentException("need confirmations >= 0, maxReorgDepth >= 1, startBlock >= 0");
        }
        this.chainId = chainId;
        this.client = Objects.requireNonNull(client, "client");
        this.addresses = addresses.stream().map(a -> a.toLowerCase(java.util.Locale.ROOT)).toList();
        this.confirmations = confirmations;
        this.maxReorgDepth = maxReorgDepth;
        this.range = Objects.requireNonNull(range, "range");
        this.errors = Objects.requireNonNull(errors, "errors");
        this.startBlock = startBlock;
        this.nextBlock = startBlock;
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Resumes after a stored offset: re-reads the emitted blocks up to {@code maxReorgDepth} back
     * from the stored block, by hash, so that a reorg that happened while the task was down is
     * retracted at the next {@link #poll()}. Fails if the node no longer has the stored block.
     */
    public void resume(EvmOffsetContext offset) throws IOException {
        history.clear();
        Deque<Emitted> rebuilt = new ArrayDeque<>();
        String hash = offset.blockHash();
        long expected = offset.blockNumber();
        complete = false;
        for (int i = 0; i < maxReorgDepth && expected >= startBlock; i++) {
            Optional<BlockHeader> header = client.headerByHash(hash);
            if (header.isEmpty()) {
                if (i == 0) {
                    throw new ReorgTooDeepException("chain " + chainId + ": the node no longer has block "
                            + offset.blockNumber() + " " + hash + " stored in the offset; cannot tell what to retract");
                }
                break; // before the connector's start block, or pruned: remember what we have
            }
            BlockHeader h = header.get();
            if (h.number() != expected) {
                throw new IllegalStateException("block " + hash + " has number " + h.number() + ", expected " + expected);
            }
            List<RawLog> logs = new ArrayList<>(client.logsByBlockHash(hash, addresses));
            logs.sort(Comparator.comparingInt(RawLog::logIndex));
            rebuilt.addFirst(new Emitted(h, logs));
            if (h.number() == startBlock) {
                complete = true;
                break;
            }
            hash = h.parentHash();
            expected--;
        }
        history.addAll(rebuilt);
        nextBlock = offset.blockNumber() + 1;
        if (!history.isEmpty()) {
            listener.confirmed(history.peekLast().header());
        }
        LOG.info("chain {}: resuming after block {} {} ({} blocks remembered for reorgs)", chainId,
                offset.blockNumber(), offset.blockHash(), history.size());
    }

    public long nextBlock() {
        return nextBlock;
    }

    public int rangeSize() {
        return range.size();
    }

    /** Logs retracted since this follower was created. */
    public long retractedLogs() {
        return retractedLogs;
    }

    /**
     * One step: retractions of a reorg (if any), then the changes of up to one log range of newly
     * confirmed blocks. Empty when nothing new is confirmed. RPC failures are thrown for the
     * caller to retry, except refused ranges, which are retried here with a smaller range.
     */
    public List<ChainChange> poll() throws IOException {
        List<ChainChange> out = new ArrayList<>();
        retractAbandonedBlocks(out);
        if (!out.isEmpty()) {
            // the follower has forgotten the abandoned blocks: hand the retractions over before any
            // other RPC can fail and lose them; the new branch follows at the next poll
            return out;
        }

        long head = client.headNumber();
        listener.head(head);
        long target = head - confirmations;
        if (nextBlock > target) {
            return out;
        }
        while (true) {
            long from = nextBlock;
            long to = Math.min(target, from + range.size() - 1);
            List<RawLog> logs;
            try {
                logs = client.logs(from, to, addresses);
            } catch (IOException e) {
                if (errors.classify(e) == RpcErrorHandler.Kind.RANGE_TOO_LARGE && range.shrink()) {
                    listener.rpcError(RpcErrorHandler.Kind.RANGE_TOO_LARGE);
                    LOG.info("chain {}: node refused logs of {} blocks ({}); asking for {} at a time", chainId,
                            to - from + 1, e.getMessage(), range.size());
                    continue;
                }
                throw e;
            }
            List<BlockHeader> headers = client.headers(from, to);
            if (!appendRange(from, to, head, headers, logs, out)) {
                return out; // the chain moved under us; the next poll sees the reorg
            }
            range.succeeded(to - from + 1 == range.size());
            return out;
        }
    }

    private void retractAbandonedBlocks(List<ChainChange> out) throws IOException {
        if (history.isEmpty()) {
            return;
        }
        BlockHeader tip = history.peekLast().header();
        if (isCanonical(tip)) {
            return;
        }
        // find the common ancestor first, without forgetting anything: an RPC failure on the way
        // leaves the follower as it was, and the next poll walks again
        List<Emitted> abandoned = new ArrayList<>();
        boolean ancestorFound = false;
        for (Iterator<Emitted> it = history.descendingIterator(); it.hasNext(); ) {
            Emitted block = it.next();
            if (isCanonical(block.header())) {
                ancestorFound = true;
                break;
            }
            abandoned.add(block);
        }
        Emitted oldest = abandoned.get(abandoned.size() - 1);
        if (!ancestorFound && !complete) {
            throw new ReorgTooDeepException("chain " + chainId + " reorganised below block "
                    + oldest.header().number() + ", deeper than the " + maxReorgDepth
                    + " blocks remembered (max.reorg.depth)");
        }
        for (int i = 0; i < abandoned.size(); i++) {
            history.pollLast();
        }
        BlockHeader lowest = oldest.header();
        EvmOffsetContext ancestor = new EvmOffsetContext(chainId, lowest.number() - 1, lowest.parentHash());
        LOG.warn("chain {}: reorg replaced {} confirmed blocks from {} (old tip {} {}); retracting their logs",
                chainId, abandoned.size(), lowest.number(), tip.number(), tip.hash());
        for (Emitted block : abandoned) { // newest block first
            for (int i = block.logs().size() - 1; i >= 0; i--) {
                out.add(new ChainChange.Retracted(block.logs().get(i), block.header(), ancestor));
                retractedLogs++;
            }
        }
        nextBlock = lowest.number();
        listener.reorg(abandoned.size());
    }

    private boolean isCanonical(BlockHeader emitted) throws IOException {
        List<BlockHeader> now = client.headers(emitted.number(), emitted.number());
        return !now.isEmpty() && now.get(0).hash().equals(emitted.hash());
    }

    private boolean appendRange(long from, long to, long head, List<BlockHeader> headers, List<RawLog> logs,
                                List<ChainChange> out) {
        if (headers.size() != to - from + 1) {
            LOG.debug("chain {}: {} headers for blocks {}..{}; the chain got shorter", chainId, headers.size(), from, to);
            return false;
        }
        String parent = history.isEmpty() ? null : history.peekLast().header().hash();
        Map<Long, List<RawLog>> byBlock = new HashMap<>();
        for (RawLog log : logs) {
            byBlock.computeIfAbsent(log.blockNumber(), n -> new ArrayList<>()).add(log);
        }
        for (BlockHeader h : headers) {
            if (parent != null && !h.parentHash().equals(parent)) {
                LOG.debug("chain {}: block {} does not extend {}; retrying after the reorg", chainId, h.number(), parent);
                return false;
            }
            for (RawLog log : byBlock.getOrDefault(h.number(), List.of())) {
                if (!log.blockHash().equals(h.hash())) {
                    LOG.debug("chain {}: log of block {} has hash {}, header {}; retrying", chainId, h.number(),
                            log.blockHash(), h.hash());
                    return false;
                }
            }
            parent = h.hash();
        }
        if (byBlock.keySet().stream().anyMatch(n -> n < from || n > to)) {
            return false;
        }
        for (BlockHeader h : headers) {
            List<RawLog> blockLogs = byBlock.getOrDefault(h.number(), new ArrayList<>());
            blockLogs.sort(Comparator.comparingInt(RawLog::logIndex));
            EvmOffsetContext before = new EvmOffsetContext(chainId, h.number() - 1, h.parentHash());
            for (RawLog log : blockLogs) {
                out.add(new ChainChange.Confirmed(log, h, before));
            }
            out.add(new ChainChange.Head(h, (int) Math.min(Integer.MAX_VALUE, head - h.number()),
                    new EvmOffsetContext(chainId, h.number(), h.hash())));
            history.addLast(new Emitted(h, List.copyOf(blockLogs)));
            while (history.size() > maxReorgDepth) {
                history.pollFirst();
                complete = false;
            }
        }
        nextBlock = to + 1;
        listener.confirmed(headers.get(headers.size() - 1));
        return true;
    }

    /** The remembered blocks, oldest first (for tests and diagnostics). */
    List<BlockHeader> remembered() {
        List<BlockHeader> out = new ArrayList<>();
        for (Iterator<Emitted> it = history.iterator(); it.hasNext(); ) {
            out.add(it.next().header());
        }
        return out;
    }
}
