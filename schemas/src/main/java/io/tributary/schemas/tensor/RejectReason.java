package io.tributary.schemas.tensor;

/** Why the decoder refused a chunk; machine-readable, carried to {@code deadletter} (DESIGN decision 10). */
public enum RejectReason {
    /** The buffer ends before a message, a body or the end-of-stream marker it announces. */
    TRUNCATED,
    /** The buffer is larger than any well-formed chunk of the task's parameters can be. */
    OVERSIZED,
    /** Not a well-formed Arrow IPC stream: bad continuation marker, lengths or flatbuffer metadata. */
    MALFORMED_IPC,
    /** Well-formed Arrow IPC, but not the version-1 chunk layout (schema, compression, dictionaries, buffers). */
    UNSUPPORTED_LAYOUT,
    /** A required chunk header (schema metadata entry) is missing, repeated or unparsable. */
    MISSING_HEADER,
    /** The chunk declares a format version this code does not read. */
    UNKNOWN_VERSION,
    /** The chunk's dimension, chunk size or leaf width differ from the task's. */
    SHAPE_MISMATCH,
    /** The chunk index is outside the update. */
    CHUNK_INDEX_OUT_OF_RANGE,
    /** The record batch does not hold exactly the leaves its chunk index covers. */
    WRONG_LEAF_COUNT,
    /** A leaf is marked null. */
    NULL_LEAF,
    /** A block exponent lies outside the task's [expMin, expMax]. */
    EXPONENT_OUT_OF_RANGE,
    /** A mantissa is -128 (the format allows [-127, 127]). */
    MANTISSA_OUT_OF_RANGE,
    /** Padding coordinates past the tensor's end are not zero, or a padding block's exponent is not expMin. */
    NONZERO_PADDING,
    /** The leaves do not hash to the chunk root the chunk claims. */
    CHUNK_ROOT_MISMATCH,
    /** The chunk root and its proof do not lead to the claimed update root. */
    PROOF_INVALID,
    /** Bytes follow the end-of-stream marker. */
    TRAILING_BYTES
}
