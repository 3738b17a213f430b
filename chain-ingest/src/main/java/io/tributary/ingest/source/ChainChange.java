package io.tributary.ingest.source;

/**
 * What the follower tells the task, in order. {@code after} is the offset once the change has been
 * written: the last block whose every change is out.
 */
public sealed interface ChainChange {

    EvmOffsetContext after();

    /** A log whose block reached the confirmation depth. */
    record Confirmed(RawLog log, BlockHeader block, EvmOffsetContext after) implements ChainChange {}

    /** A log of a confirmed block that a deeper reorg removed. */
    record Retracted(RawLog log, BlockHeader block, EvmOffsetContext after) implements ChainChange {}

    /** A block that reached the confirmation depth, after all its logs; {@code confirmations} at that moment. */
    record Head(BlockHeader block, int confirmations, EvmOffsetContext after) implements ChainChange {}
}
