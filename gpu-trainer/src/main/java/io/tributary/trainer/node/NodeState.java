package io.tributary.trainer.node;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.TreeMap;

/**
 * A worker's durable state, one small JSON file ({@code node-state.json}) in its state directory:
 * its identity (chain, address), whether it registered on its hub, and a {@link RoundRecord} per
 * (task, round). Every {@link #save()} writes a temporary file, forces it to disk and renames it
 * over the old one, so a crash leaves either the old or the new state, never half of one.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public final class NodeState {

    /** The format version this code writes. */
    public static final int VERSION = 1;
    public static final String FILE_NAME = "node-state.json";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public int version = VERSION;
    public long chainId;
    public String worker;
    public String registerTx;
    /** Task id to (round to record). */
    public TreeMap<Long, TreeMap<Integer, RoundRecord>> tasks = new TreeMap<>();

    private transient Path file;

    public NodeState() {}

    /** Loads the state of {@code dir}, or a fresh one for (chainId, worker); refuses another identity's file. */
    public static NodeState open(Path dir, long chainId, String worker) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE_NAME);
        NodeState state;
        if (Files.exists(file)) {
            state = MAPPER.readValue(file.toFile(), NodeState.class);
            if (state.version > VERSION) {
                throw new IOException(file + " has version " + state.version + "; this build reads up to " + VERSION);
            }
            if (state.chainId != chainId || !worker.equalsIgnoreCase(state.worker)) {
                throw new IOException(file + " belongs to worker " + state.worker + " on chain " + state.chainId
                        + ", not " + worker + " on chain " + chainId);
            }
        } else {
            state = new NodeState();
            state.chainId = chainId;
            state.worker = worker.toLowerCase(java.util.Locale.ROOT);
        }
        state.file = file;
        return state;
    }

    /** The record of (task, round), created in phase NEW if absent. */
    public synchronized RoundRecord round(long taskId, int round) {
        return tasks.computeIfAbsent(taskId, t -> new TreeMap<>()).computeIfAbsent(round, r -> new RoundRecord());
    }

    /** The records of a task, by round (a live view; empty if none). */
    public synchronized TreeMap<Integer, RoundRecord> rounds(long taskId) {
        return tasks.computeIfAbsent(taskId, t -> new TreeMap<>());
    }

    /** Writes the state atomically and durably. */
    public synchronized void save() throws IOException {
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        MAPPER.writeValue(tmp.toFile(), this);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public Path directory() {
        return file.getParent();
    }
}
