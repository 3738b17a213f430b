package io.tributary.ingest.abi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The events of one contract, by topic0, read from ABI JSON (a bare ABI array or a forge artifact). */
public final class ContractAbi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String contractName;
    private final Map<String, EventAbi> eventsByTopic0;

    private ContractAbi(String contractName, Map<String, EventAbi> eventsByTopic0) {
        this.contractName = contractName;
        this.eventsByTopic0 = Map.copyOf(eventsByTopic0);
    }

    /**
     * Parses {@code json}: either the ABI array itself or an object with an {@code abi} array
     * (forge's {@code out/<File>.sol/<Contract>.json}). Anonymous events are skipped: they have no
     * topic0 to recognise them by.
     */
    public static ContractAbi parse(String contractName, String json) throws IOException {
        JsonNode root = JSON.readTree(json);
        JsonNode abi = root != null && root.isObject() ? root.get("abi") : root;
        if (abi == null || !abi.isArray()) {
            throw new IOException("ABI of " + contractName + " is neither an ABI array nor an artifact with an 'abi' array");
        }
        Map<String, EventAbi> events = new HashMap<>();
        for (JsonNode entry : abi) {
            if (!"event".equals(entry.path("type").asText()) || entry.path("anonymous").asBoolean(false)) {
                continue;
            }
            List<EventAbi.Input> inputs = new ArrayList<>();
            for (JsonNode in : entry.path("inputs")) {
                inputs.add(new EventAbi.Input(in.path("name").asText(""), type(in), in.path("indexed").asBoolean(false)));
            }
            try {
                EventAbi event = new EventAbi(entry.path("name").asText(), inputs);
                events.put(event.topic0(), event);
            } catch (IllegalArgumentException e) {
                throw new IOException("ABI of " + contractName + ": " + e.getMessage(), e);
            }
        }
        return new ContractAbi(contractName, events);
    }

    private static AbiType type(JsonNode param) throws IOException {
        AbiType.Tuple components = null;
        JsonNode comps = param.get("components");
        if (comps != null && comps.isArray()) {
            List<AbiType> types = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (JsonNode c : comps) {
                types.add(type(c));
                names.add(c.path("name").asText(""));
            }
            components = new AbiType.Tuple(types, names);
        }
        try {
            return AbiType.parse(param.path("type").asText(), components);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    public String contractName() {
        return contractName;
    }

    /** The event whose signature hashes to {@code topic0} (0x-hex, any case). */
    public Optional<EventAbi> event(String topic0) {
        return Optional.ofNullable(eventsByTopic0.get(topic0.toLowerCase(Locale.ROOT)));
    }

    public Collection<EventAbi> events() {
        return eventsByTopic0.values();
    }
}
