package io.tributary.flink;

import io.tributary.schemas.Keys;
import io.tributary.schemas.tensor.ChunkDecoder;
import io.tributary.schemas.tensor.ChunkRejectedException;
import io.tributary.schemas.tensor.DecodedChunk;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The one record type on the job's internal edges (a Flink POJO, so every edge and every piece of
 * state has a schema Flink can evolve). {@link #kind} says which fields are meaningful:
 *
 * <ul>
 *   <li>{@code CHUNK}: one worker's chunk ({@code chainId, worker, chunkIndex, weight}, its encoded
 *       bytes through {@link #chunkBytes()}, and the original Kafka record in {@code rawKey, rawValue,
 *       partition, offset}).
 *   <li>{@code REVEAL}: a worker's {@code UpdateRevealed} ({@code updateRoot, weight} = samples;
 *       {@code retracted} for op d).
 *   <li>{@code VERDICT}: admission's decision on a worker's whole update, sent to each chunk key.
 *   <li>{@code STATUS}: the same decision (or a reveal seen / retracted) sent to the round closer.
 *   <li>{@code CLOSE}: the closer's final list of accepted workers, sent to each chunk key.
 *   <li>{@code RESULT}: one aggregated model chunk ({@code payload} = float32 little-endian).
 *   <li>{@code SUMMARY}: the round's contributions, for the finisher.
 *   <li>{@code KRUM_PARTIAL}: one chunk's exact pairwise squared distances ({@code values}, decimal,
 *       row-major upper triangle) between the contributors listed in {@code contributorWorkers}.
 *   <li>{@code KRUM_SELECT}: the contributors multi-Krum kept ({@code contributorWorkers}).
 *   <li>{@code INIT}: one chunk of a task's initial model ({@code payload} = float32 little-endian),
 *       or {@code failed} with the {@code reason} the initial model cannot be used.
 *   <li>{@code APPLY}: a decided round's aggregate of one chunk ({@code payload}, as RESULT), or
 *       {@code failed} with the round's failure {@code reason}: the round leaves the model as it is.
 *   <li>{@code MODEL}: one chunk of the round's new global model ({@code payload}), or {@code failed}.
 * </ul>
 */
public class RoundMessage {

    public enum Kind { CHUNK, REVEAL, VERDICT, STATUS, CLOSE, RESULT, SUMMARY, KRUM_PARTIAL, KRUM_SELECT, INIT, APPLY, MODEL }

    public Kind kind;
    public long taskId;
    public int round;
    public int chunkIndex;
    public long chainId;
    /** Lower-case 0x address. */
    public String worker;
    public long weight;
    public byte[] updateRoot;
    public byte[] payload;
    public byte[] rawKey;
    public byte[] rawValue;
    public int partition = -1;
    public long offset = -1;
    public boolean retracted;
    public boolean accepted;
    /** A {@code RejectionReason} name, or a failure reason of a round. */
    public String reason;
    public String detail;
    public TaskInfo task;
    /** CLOSE / SUMMARY: accepted contributors, sorted by (chainId, worker). */
    public long[] contributorChains;
    public String[] contributorWorkers;
    /** SUMMARY: 32 bytes per contributor, concatenated. */
    public byte[] contributorRoots;
    public long[] contributorWeights;
    public int rejectedChunks;
    /**
     * SUMMARY: wall-clock unix millis at which the round closer saw the watermark (the chain clock)
     * pass the round's reveal deadline; the start of {@code round_close_latency_seconds}.
     */
    public long deadlinePassedAtMillis;
    /** KRUM_PARTIAL: exact integers in decimal. */
    public String[] values;
    public boolean failed;

    /**
     * A CHUNK read from Kafka: where its encoded bytes start inside {@code rawValue} (the payload is
     * the UpdateChunk's last field, so they run to its end), with {@code payload} left null, so a
     * chunk's bytes cross the network and sit in state once, not twice; -1: they are in
     * {@code payload}.
     */
    public int payloadOffset = -1;

    public RoundMessage() {}

    /**
     * Sets a CHUNK's original record value and its encoded bytes {@code payload} (decoded from it):
     * as an offset into the record when the record ends with them, else as a copy.
     */
    public void chunkFrom(byte[] recordValue, ByteBuffer payload) {
        rawValue = recordValue;
        int at = recordValue.length - payload.remaining();
        if (at >= 0 && ByteBuffer.wrap(recordValue, at, payload.remaining()).equals(payload.duplicate())) {
            payloadOffset = at;
            this.payload = null;
        } else {
            byte[] copy = new byte[payload.remaining()];
            payload.duplicate().get(copy);
            payloadOffset = -1;
            this.payload = copy;
        }
    }

    /** Decodes a CHUNK's encoded bytes where they are: in {@code payload}, or at the end of {@code rawValue}. */
    public DecodedChunk decodeChunk(ChunkDecoder decoder, ChunkDecoder.Verification verification)
            throws ChunkRejectedException {
        return payloadOffset < 0 ? decoder.decode(payload, verification)
                : decoder.decode(rawValue, payloadOffset, verification);
    }

    /** A CHUNK's encoded bytes (FORMAT.md), as an array of their own: {@code payload}, or a copy of the end of {@code rawValue}. */
    public byte[] chunkBytes() {
        return payloadOffset < 0 ? payload : Arrays.copyOfRange(rawValue, payloadOffset, rawValue.length);
    }

    static RoundMessage of(Kind kind, long taskId, int round) {
        RoundMessage m = new RoundMessage();
        m.kind = kind;
        m.taskId = taskId;
        m.round = round;
        return m;
    }

    /** Key of the admission stage: one worker's update in one round. */
    public String workerKey() {
        return taskId + ":" + round + ":" + chainId + ":" + worker;
    }

    /** Key of the aggregation stage: one chunk of one round. */
    public String chunkKey() {
        return Keys.chunk(taskId, round, chunkIndex);
    }

    /** Key of the global model's state: one chunk of one task's model, across its rounds. */
    public String modelKey() {
        return taskId + ":" + chunkIndex;
    }

    /** Key of the closing stages: one round. */
    public String roundKey() {
        return Keys.round(taskId, round);
    }

    /** A contributor's identity inside a round. */
    public String contributorId() {
        return chainId + ":" + worker;
    }

    @Override
    public String toString() {
        return "RoundMessage{" + kind + " " + taskId + ":" + round + ":" + chunkIndex + " " + chainId + ":" + worker
                + (reason == null ? "" : " " + reason) + '}';
    }
}
