package io.tributary.ingest.abi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.web3j.crypto.Hash;

/** One non-anonymous event of a contract ABI, able to decode its logs. */
public final class EventAbi {

    /** One argument: its name, type and whether it is indexed (a topic). */
    public record Input(String name, AbiType type, boolean indexed) {
        public Input {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }
    }

    private final String name;
    private final List<Input> inputs;
    private final String signature;
    private final String topic0;
    private final List<AbiType> dataTypes;
    private final int indexedCount;

    public EventAbi(String name, List<Input> inputs) {
        this.name = Objects.requireNonNull(name, "name");
        this.inputs = List.copyOf(inputs);
        StringBuilder sig = new StringBuilder(name).append('(');
        List<AbiType> data = new ArrayList<>();
        int indexed = 0;
        for (int i = 0; i < this.inputs.size(); i++) {
            Input in = this.inputs.get(i);
            sig.append(i == 0 ? "" : ",").append(in.type().canonical());
            if (in.indexed()) {
                indexed++;
            } else {
                data.add(in.type());
            }
        }
        this.signature = sig.append(')').toString();
        this.topic0 = Hash.sha3String(signature).toLowerCase(java.util.Locale.ROOT);
        this.dataTypes = List.copyOf(data);
        this.indexedCount = indexed;
        if (indexed > 3) {
            throw new IllegalArgumentException("event " + signature + " has " + indexed + " indexed arguments; at most 3");
        }
    }

    public String name() {
        return name;
    }

    public String signature() {
        return signature;
    }

    /** keccak256 of the signature, 0x-hex lower case. */
    public String topic0() {
        return topic0;
    }

    public List<Input> inputs() {
        return inputs;
    }

    /**
     * Decodes a log's topics (topic0 first) and data into argument name -> text. Indexed value
     * types are decoded from their topic; indexed strings, bytes, arrays and tuples are stored by
     * Solidity as the keccak256 of their encoding, so their field holds that 0x-hex hash.
     */
    public Map<String, String> decode(List<byte[]> topics, byte[] data) throws AbiDecodingException {
        if (topics.size() != indexedCount + 1) {
            throw new AbiDecodingException(signature + " has " + indexedCount + " indexed arguments but the log has "
                    + (topics.size() - 1) + " topics after topic0");
        }
        List<Object> values = AbiCodec.decode(dataTypes, data);
        Map<String, String> fields = new LinkedHashMap<>();
        int topic = 1;
        int value = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            String key = in.name().isEmpty() ? "arg" + i : in.name();
            if (in.indexed()) {
                byte[] word = topics.get(topic++);
                if (in.type() instanceof AbiType.Elementary e && !e.isDynamic()) {
                    fields.put(key, AbiCodec.toText(AbiCodec.decodeWord(e, word)));
                } else {
                    fields.put(key, AbiCodec.hex(word));
                }
            } else {
                fields.put(key, AbiCodec.toText(values.get(value++)));
            }
        }
        return fields;
    }
}
