package io.tributary.ingest.keeper;

import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The home TaskCoordinator's round events as {@code chain.events} carries them: tasks posted and
 * cancelled, rounds committed, finalized and failed. Every fact is held under its event key, so a
 * retraction ({@code op = d}, a reorg deeper than the connector's confirmations) removes exactly the
 * fact its confirmation added. Events of other chains or contracts are ignored. Not thread-safe.
 */
final class RoundBook {

    static final String TASK_POSTED = "TaskPosted";
    static final String TASK_CANCELLED = "TaskCancelled";
    static final String ROUND_COMMITTED = "RoundCommitted";
    static final String ROUND_FINALIZED = "RoundFinalized";
    static final String ROUND_FAILED = "RoundFailed";

    private final long homeChainId;
    private final String coordinator;
    private final Map<String, Long> posted = new HashMap<>();
    private final Map<String, Long> cancelled = new HashMap<>();
    /** event key to (round id, commit block time). */
    private final Map<String, Commit> commits = new HashMap<>();
    private final Map<String, String> settled = new HashMap<>();

    private record Commit(String roundId, long committedAt) {}

    RoundBook(long homeChainId, String coordinator) {
        this.homeChainId = homeChainId;
        this.coordinator = coordinator.toLowerCase(Locale.ROOT);
    }

    /**
     * Applies one event under its {@code chain.events} key; returns whether it was a round event of
     * the home coordinator.
     *
     * @throws IllegalArgumentException if such an event lacks {@code taskId} or {@code round}
     */
    boolean apply(ChainEvent event, String key) {
        if (event.getSource().getChainId() != homeChainId
                || !coordinator.equals(event.getSource().getContract().toLowerCase(Locale.ROOT))) {
            return false;
        }
        boolean confirmed = event.getOp() == ChangeOp.c;
        Map<String, String> f = event.getFields();
        switch (event.getEventName()) {
            case TASK_POSTED -> put(posted, key, confirmed, taskId(f));
            case TASK_CANCELLED -> put(cancelled, key, confirmed, taskId(f));
            case ROUND_COMMITTED -> put(commits, key, confirmed,
                    new Commit(roundId(taskId(f), round(f)), event.getSource().getBlockTimestamp()));
            case ROUND_FINALIZED, ROUND_FAILED -> put(settled, key, confirmed, roundId(taskId(f), round(f)));
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The tasks posted (and not retracted), ascending. */
    SortedSet<Long> tasks() {
        return new TreeSet<>(posted.values());
    }

    boolean cancelled(long taskId) {
        return cancelled.containsValue(taskId);
    }

    /** The home time of the round's commitment, if its RoundCommitted was seen. */
    OptionalLong committedAt(long taskId, int round) {
        String id = roundId(taskId, round);
        return commits.values().stream().filter(c -> c.roundId.equals(id)).mapToLong(Commit::committedAt).min();
    }

    /** Whether a RoundFinalized or RoundFailed of the round was seen. */
    boolean settled(long taskId, int round) {
        return settled.containsValue(roundId(taskId, round));
    }

    /** The round as these events tell it, with the schedule the chain gave. */
    RoundFacts facts(long taskId, int round, long aggregationDeadline, long challengeWindow) {
        return new RoundFacts(taskId, round, aggregationDeadline, challengeWindow,
                committedAt(taskId, round).orElse(0), settled(taskId, round), !cancelled(taskId));
    }

    private static <V> void put(Map<String, V> facts, String key, boolean confirmed, V value) {
        if (confirmed) {
            facts.put(key, value);
        } else {
            facts.remove(key);
        }
    }

    static String roundId(long taskId, int round) {
        return taskId + "/" + round;
    }

    private static long taskId(Map<String, String> f) {
        return Long.parseLong(required(f, "taskId"));
    }

    private static int round(Map<String, String> f) {
        return Integer.parseInt(required(f, "round"));
    }

    private static String required(Map<String, String> f, String name) {
        String v = f.get(name);
        if (v == null) {
            throw new IllegalArgumentException("event field '" + name + "' is missing (fields " + f.keySet() + ")");
        }
        return v;
    }
}
