package io.tributary.ingest.testing;

import io.tributary.schemas.Keys;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.BlockHead;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a read_committed consumer of {@code chain.events} makes of one chain: additions minus
 * retractions by key, plus every violation seen on the way (an addition of a key already present
 * is a duplicate; a retraction of an absent key is a phantom).
 */
public final class ChainEventsView {

    public final Map<String, ChainEvent> live = new LinkedHashMap<>();
    public final List<ChainEvent> history = new ArrayList<>();
    public final List<String> violations = new ArrayList<>();
    public final List<BlockHead> heads = new ArrayList<>();

    public static ChainEventsView read(KafkaTestBroker kafka, long chainId) {
        ChainEventsView v = new ChainEventsView();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(Topics.CHAIN_EVENTS.name())) {
            ChainEvent e = Topics.CHAIN_EVENTS.deserializeValue(r.value());
            if (e.getSource().getChainId() != chainId) {
                continue;
            }
            String key = Topics.CHAIN_EVENTS.deserializeKey(r.key());
            v.history.add(e);
            if (e.getOp() == ChangeOp.c) {
                if (v.live.put(key, e) != null) {
                    v.violations.add("duplicate " + key);
                }
            } else if (v.live.remove(key) == null) {
                v.violations.add("retraction of absent " + key);
            }
        }
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(Topics.CHAIN_BLOCKS.name())) {
            BlockHead h = Topics.CHAIN_BLOCKS.deserializeValue(r.value());
            if (h.getChainId() == chainId) {
                v.heads.add(h);
            }
        }
        return v;
    }

    public long retractions() {
        return history.stream().filter(e -> e.getOp() == ChangeOp.d).count();
    }

    public long lastHead() {
        return heads.isEmpty() ? -1 : heads.get(heads.size() - 1).getNumber();
    }

    /** Keys of the logs of {@code address} in canonical blocks {@code 0..upTo}, as the chain says now. */
    @SuppressWarnings("unchecked")
    public static Set<String> canonicalKeys(AnvilTestChain chain, String address, long upTo) throws IOException {
        List<Map<String, Object>> logs = (List<Map<String, Object>>) chain.call("eth_getLogs",
                Map.of("fromBlock", "0x0", "toBlock", "0x" + Long.toHexString(upTo), "address", address));
        Set<String> keys = new LinkedHashSet<>();
        for (Map<String, Object> log : logs) {
            keys.add(Keys.chainEvent(chain.chainId(), (String) log.get("address"), (String) log.get("transactionHash"),
                    Integer.decode((String) log.get("logIndex"))));
        }
        return keys;
    }
}
