package io.tributary.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the protocol events the job needs out of {@code chain.events} records: the home chain's
 * {@code TaskCoordinator.TaskPosted} and {@code ModelRegistry.ModelRegistered}, and every chain's
 * {@code WorkerHub.UpdateRevealed}
 * (contracts/src, PROTOCOL.md). The connector writes integers in decimal, addresses and bytes as
 * 0x-hex, and structs (the {@code spec} of TaskPosted) as a JSON object by component name.
 */
final class ChainEvents {

    static final String TASK_POSTED = "TaskPosted";
    static final String UPDATE_REVEALED = "UpdateRevealed";
    static final String MODEL_REGISTERED = "ModelRegistered";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChainEvents() {}

    static boolean isTaskPosted(ChainEvent e) {
        return TASK_POSTED.equals(e.getEventName()) && "TaskCoordinator".equals(e.getContractName());
    }

    static boolean isReveal(ChainEvent e) {
        return UPDATE_REVEALED.equals(e.getEventName()) && "WorkerHub".equals(e.getContractName());
    }

    static boolean isModelRegistered(ChainEvent e) {
        return MODEL_REGISTERED.equals(e.getEventName()) && "ModelRegistry".equals(e.getContractName());
    }

    /** A {@code ModelRegistered}: the model's id, hashes and the uri of its initial-model file. */
    static ModelInfo modelRegistered(ChainEvent e) {
        Map<String, String> f = e.getFields();
        ModelInfo m = new ModelInfo();
        m.modelId = Long.parseLong(field(f, "modelId"));
        m.archHash = bytes32(field(f, "archHash"));
        m.initialRoot = bytes32(field(f, "initialRoot"));
        m.uri = field(f, "uri");
        return m;
    }

    /**
     * The task of a confirmed {@code TaskPosted}.
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong
     */
    static TaskInfo taskPosted(ChainEvent e, Map<Long, RoundAggregationJob.ModelShape> shapes, long closeGraceSeconds) {
        Map<String, String> f = e.getFields();
        TaskInfo t = new TaskInfo();
        t.taskId = Long.parseLong(field(f, "taskId"));
        JsonNode spec;
        try {
            spec = JSON.readTree(field(f, "spec"));
        } catch (Exception ex) {
            throw new IllegalArgumentException("TaskPosted spec is not a JSON object: " + ex.getMessage(), ex);
        }
        t.modelId = specLong(spec, "modelId");
        t.rounds = (int) specLong(spec, "rounds");
        t.minContributors = (int) specLong(spec, "minContributors");
        t.maxContributors = (int) specLong(spec, "maxContributors");
        t.maxWeight = specLong(spec, "maxWeight");
        t.startTime = specLong(spec, "startTime");
        t.roundPeriod = specLong(spec, "roundPeriod");
        t.commitWindow = specLong(spec, "commitWindow");
        t.revealWindow = specLong(spec, "revealWindow");
        t.aggregateWindow = specLong(spec, "aggregateWindow");
        t.clipBound = specLong(spec, "clipBound");
        t.expMin = (int) specLong(spec, "expMin");
        t.expMax = (int) specLong(spec, "expMax");
        int rule = (int) specLong(spec, "rule");
        AggregationRule[] rules = AggregationRule.values();
        if (rule < 0 || rule >= rules.length) {
            throw new IllegalArgumentException("TaskPosted spec.rule " + rule + " is not a known rule");
        }
        t.rule = rules[rule];
        t.ruleParam = (int) specLong(spec, "ruleParam");
        JsonNode chains = spec.get("chainIds");
        if (chains == null || !chains.isArray() || chains.isEmpty()) {
            throw new IllegalArgumentException("TaskPosted spec.chainIds missing or empty");
        }
        t.chainIds = new long[chains.size()];
        for (int i = 0; i < chains.size(); i++) {
            t.chainIds[i] = Long.parseLong(chains.get(i).asText());
        }
        RoundAggregationJob.ModelShape shape = RoundAggregationJob.ModelShape.of(shapes, t.modelId);
        if (shape == null) {
            throw new IllegalArgumentException("model " + t.modelId + " of task " + t.taskId
                    + " has no configured shape (dimension, chunkLeavesLog2)");
        }
        t.dimension = shape.dimension();
        t.chunkLeavesLog2 = shape.chunkLeavesLog2();
        t.closeGraceSeconds = closeGraceSeconds;
        t.wireParams(); // refuses parameters without accumulator headroom
        return t;
    }

    /** A reveal (op c) or its retraction (op d) as a REVEAL message. */
    static RoundMessage reveal(ChainEvent e) {
        Map<String, String> f = e.getFields();
        RoundMessage m = RoundMessage.of(RoundMessage.Kind.REVEAL, Long.parseLong(field(f, "taskId")),
                Integer.parseInt(field(f, "round")));
        m.chainId = e.getSource().getChainId();
        m.worker = address(field(f, "worker"));
        m.updateRoot = bytes32(field(f, "updateRoot"));
        m.weight = Long.parseLong(field(f, "samples"));
        m.retracted = e.getOp() == ChangeOp.d;
        return m;
    }

    static String address(String s) {
        String a = s.toLowerCase(Locale.ROOT);
        if (!a.startsWith("0x") || a.length() != 42) {
            throw new IllegalArgumentException("not a 0x address: " + s);
        }
        HexFormat.of().parseHex(a, 2, 42);
        return a;
    }

    private static byte[] bytes32(String s) {
        if (!s.startsWith("0x") || s.length() != 66) {
            throw new IllegalArgumentException("not a 0x bytes32: " + s);
        }
        return HexFormat.of().parseHex(s, 2, 66);
    }

    private static String field(Map<String, String> f, String name) {
        String v = f.get(name);
        if (v == null) {
            throw new IllegalArgumentException("event field '" + name + "' missing");
        }
        return v;
    }

    private static long specLong(JsonNode spec, String name) {
        JsonNode n = spec.get(name);
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException("TaskPosted spec." + name + " missing");
        }
        try {
            return Long.parseLong(n.asText());
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("TaskPosted spec." + name + " is not a 64-bit integer: " + n, ex);
        }
    }
}
