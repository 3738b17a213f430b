package io.tributary.contracts.tx;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The durable part of a writer: whose state it is (chain id, address), the next nonce to hand out,
 * and the records by idempotency key in the order they were made. Not thread-safe: the writer guards it.
 */
final class WriterState {

    private final long chainId;
    private final String address;
    private long nextNonce;
    private final LinkedHashMap<String, TxRecord> records = new LinkedHashMap<>();

    WriterState(long chainId, String address, long nextNonce) {
        this.chainId = chainId;
        this.address = address.toLowerCase();
        this.nextNonce = nextNonce;
    }

    long chainId() {
        return chainId;
    }

    String address() {
        return address;
    }

    long nextNonce() {
        return nextNonce;
    }

    void nextNonce(long next) {
        this.nextNonce = next;
    }

    Optional<TxRecord> get(String key) {
        return Optional.ofNullable(records.get(key));
    }

    /** Adds or replaces a record; a replaced record keeps its place in the order. */
    void put(TxRecord record) {
        records.put(record.key(), record);
    }

    void remove(String key) {
        records.remove(key);
    }

    Collection<TxRecord> records() {
        return records.values();
    }

    List<TxRecord> unfinished() {
        List<TxRecord> list = new ArrayList<>();
        for (TxRecord r : records.values()) {
            if (r.unfinished()) {
                list.add(r);
            }
        }
        list.sort((a, b) -> Long.compare(a.nonce(), b.nonce()));
        return list;
    }

    /** Forgets the oldest finished records beyond {@code keep}; unfinished ones are never dropped. */
    int prune(int keep) {
        long finished = records.values().stream().filter(r -> !r.unfinished()).count();
        int dropped = 0;
        for (Iterator<Map.Entry<String, TxRecord>> it = records.entrySet().iterator();
                it.hasNext() && finished > keep; ) {
            if (!it.next().getValue().unfinished()) {
                it.remove();
                finished--;
                dropped++;
            }
        }
        return dropped;
    }
}
