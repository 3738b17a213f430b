package io.tributary.schemas;

import java.util.List;

/**
 * The single registry of Kafka topics (DESIGN.md, "Kafka topics"). Nobody types a topic name twice:
 * every module refers to the constants here.
 */
public final class Topics {

    public static final Topic CHAIN_EVENTS = new Topic("chain.events");
    public static final Topic CHAIN_BLOCKS = new Topic("chain.blocks");
    public static final Topic TASK_REQUESTS = new Topic("tasks.requests");
    public static final Topic TASK_RECEIPTS = new Topic("tasks.receipts");
    public static final Topic UPDATE_CHUNKS = new Topic("updates.chunks");
    public static final Topic MODEL_CHUNKS = new Topic("models.chunks");
    public static final Topic ROUND_COMMITMENTS = new Topic("rounds.commitments");
    public static final Topic GATEWAY_ATTESTATIONS = new Topic("gateway.attestations");
    public static final Topic DEADLETTER = new Topic("deadletter");

    private static final List<Topic> ALL = List.of(
            CHAIN_EVENTS, CHAIN_BLOCKS, TASK_REQUESTS, TASK_RECEIPTS, UPDATE_CHUNKS,
            MODEL_CHUNKS, ROUND_COMMITMENTS, GATEWAY_ATTESTATIONS, DEADLETTER);

    private Topics() {}

    /** Every topic of the network, in the order of DESIGN.md's table. */
    public static List<Topic> all() {
        return ALL;
    }

    /** A topic name; serdes are paired with it in {@link Topics}. */
    public record Topic(String name) {}
}
