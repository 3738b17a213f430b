package io.tributary.schemas.tensor;

import static io.tributary.schemas.tensor.WireParams.BLOCKS_PER_LEAF;
import static io.tributary.schemas.tensor.WireParams.LEAF_BYTES;
import static io.tributary.schemas.tensor.WireParams.LEAF_COORDS;

import io.tributary.schemas.merkle.MerkleTree;
import io.tributary.schemas.merkle.Sha256;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.Endianness;
import org.apache.arrow.flatbuf.Field;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.FixedSizeBinary;
import org.apache.arrow.flatbuf.KeyValue;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.MetadataVersion;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.flatbuf.Schema;
import org.apache.arrow.flatbuf.Type;

/**
 * Decodes format-version-1 chunks in place. The IPC framing and the flatbuffer metadata of the two
 * messages (schema, record batch) are parsed once; the leaf data is then validated and exposed
 * straight from the input bytes, without Arrow vectors and without per-element {@code get}.
 *
 * <p>Every refusal is a {@link ChunkRejectedException} with a typed {@link RejectReason}. Nothing a
 * header claims is allocated before it has been checked against the task's parameters and the
 * buffer's real size. Thread-safe (stateless apart from the parameters).
 */
public final class ChunkDecoder {

    /** How much of a chunk to check. */
    public enum Verification {
        /**
         * IPC framing, layout, headers and leaf count only: constant work per chunk, the leaf data
         * is not touched. The chunk's exponents and padding are then checked by
         * {@link ChunkAccumulator#addAll} tile by tile while the data is in cache (one pass over
         * memory instead of two), with the same typed reasons.
         */
        FRAMING,
        /**
         * IPC framing, layout, headers, leaf count, exponent range and padding: enough for the
         * accumulator to stay exact. Used on chunks whose hashes were verified on admission.
         */
        STRUCTURE,
        /** Everything in STRUCTURE plus mantissa range, leaf hashes against the chunk root, and the chunk's proof. */
        FULL
    }

    private static final int MAX_METADATA_ENTRIES = 16;
    /** Hex digit values by ASCII code; -1 for anything else. */
    private static final byte[] HEX = new byte[256];

    static {
        java.util.Arrays.fill(HEX, (byte) -1);
        for (int d = 0; d < 16; d++) {
            HEX["0123456789abcdef".charAt(d)] = (byte) d;
            HEX["0123456789ABCDEF".charAt(d)] = (byte) d;
        }
    }

    private final WireParams params;
    private final long maxChunkBytes;

    public ChunkDecoder(WireParams params) {
        this.params = params;
        this.maxChunkBytes = ChunkFormat.maxChunkBytes(params);
    }

    /** Decodes with full verification. */
    public DecodedChunk decode(byte[] bytes) throws ChunkRejectedException {
        return decode(bytes, Verification.FULL);
    }

    public DecodedChunk decode(byte[] bytes, Verification verification) throws ChunkRejectedException {
        return decode(bytes, 0, verification);
    }

    /**
     * Decodes the chunk that fills {@code bytes} from {@code from} to the end, in place (no copy):
     * e.g. the payload at the end of the Kafka record it came in.
     */
    public DecodedChunk decode(byte[] bytes, int from, Verification verification) throws ChunkRejectedException {
        if (from < 0 || (bytes != null && from > bytes.length)) {
            throw new IllegalArgumentException("chunk start " + from + " outside the buffer");
        }
        int length = bytes == null ? 0 : bytes.length - from;
        if (bytes == null || length < 16) {
            throw reject(RejectReason.TRUNCATED, "chunk of " + (bytes == null ? "null" : length + " bytes"));
        }
        if (length > maxChunkBytes) {
            throw reject(RejectReason.OVERSIZED, length + " bytes > " + maxChunkBytes
                    + " allowed for 2^" + params.chunkLeavesLog2() + " leaves");
        }
        // Message 1: the schema, carrying the chunk headers as custom metadata.
        Envelope schemaMsg = envelope(bytes, from);
        Header h = readSchema(schemaMsg);
        if (schemaMsg.bodyLength != 0) {
            throw reject(RejectReason.MALFORMED_IPC, "schema message has a body of " + schemaMsg.bodyLength);
        }
        int expectedLeaves = params.leavesInChunk(h.chunkIndex);

        // Message 2: the record batch of leaves.
        Envelope batchMsg = envelope(bytes, schemaMsg.end());
        int dataOffset = readBatch(batchMsg, expectedLeaves, bytes);

        // End of stream.
        long eos = batchMsg.end();
        if (eos + 8 > bytes.length) {
            throw reject(RejectReason.TRUNCATED, "no end-of-stream marker");
        }
        if (intLE(bytes, (int) eos) != -1 || intLE(bytes, (int) eos + 4) != 0) {
            throw reject(RejectReason.UNSUPPORTED_LAYOUT, "a chunk holds exactly one record batch");
        }
        if (eos + 8 != bytes.length) {
            throw reject(RejectReason.TRAILING_BYTES, (bytes.length - eos - 8) + " bytes after end of stream");
        }

        int coordCount = params.coordsInChunk(h.chunkIndex);
        if (verification == Verification.FRAMING) {
            return new DecodedChunk(bytes, dataOffset, h.chunkIndex, expectedLeaves, coordCount, false,
                    params.expMax(), h.chunkRoot, h.updateRoot, h.proof);
        }
        int maxExp = LeafChecks.checkLeaves(params, bytes, dataOffset, 0, expectedLeaves, expectedLeaves, coordCount);
        if (verification == Verification.FULL) {
            checkMantissas(bytes, dataOffset, expectedLeaves);
            byte[] hashes = new byte[expectedLeaves * Sha256.HASH_BYTES];
            Sha256 sha = new Sha256();
            for (int i = 0; i < expectedLeaves; i++) {
                sha.leafHash(bytes, dataOffset + i * LEAF_BYTES, LEAF_BYTES, hashes, i * Sha256.HASH_BYTES);
            }
            byte[] actual = MerkleTree.paddedRoot(hashes, expectedLeaves, params.chunkLevel());
            if (!Arrays.equals(actual, h.chunkRoot)) {
                throw reject(RejectReason.CHUNK_ROOT_MISMATCH, "leaves of chunk " + h.chunkIndex
                        + " do not hash to the claimed chunk root");
            }
            if (!MerkleTree.verify(h.chunkRoot, h.chunkIndex, h.proof, h.updateRoot)) {
                throw reject(RejectReason.PROOF_INVALID, "chunk " + h.chunkIndex + " is not under the claimed update root");
            }
        }
        return new DecodedChunk(bytes, dataOffset, h.chunkIndex, expectedLeaves, coordCount, true, maxExp,
                h.chunkRoot, h.updateRoot, h.proof);
    }

    // ---- IPC framing -------------------------------------------------------------------------

    /** One encapsulated IPC message: continuation, metadata length, flatbuffer, body. */
    private static final class Envelope {
        final Message message;
        final int bodyStart;
        final long bodyLength;

        Envelope(Message message, int bodyStart, long bodyLength) {
            this.message = message;
            this.bodyStart = bodyStart;
            this.bodyLength = bodyLength;
        }

        long end() {
            return bodyStart + bodyLength;
        }
    }

    private static Envelope envelope(byte[] b, long pos) throws ChunkRejectedException {
        if (pos + 8 > b.length) {
            throw reject(RejectReason.TRUNCATED, "message header at " + pos + " past the end");
        }
        int p = (int) pos;
        if (intLE(b, p) != -1) {
            throw reject(RejectReason.MALFORMED_IPC, "no continuation marker at " + p);
        }
        int metaLen = intLE(b, p + 4);
        if (metaLen == 0) {
            throw reject(RejectReason.TRUNCATED, "stream ends at " + p + " before the chunk is complete");
        }
        if (metaLen < 0) {
            throw reject(RejectReason.MALFORMED_IPC, "negative metadata length at " + p);
        }
        int metaStart = p + 8;
        if (metaLen > b.length - metaStart) {
            throw reject(RejectReason.TRUNCATED, "metadata of " + metaLen + " bytes at " + metaStart + " past the end");
        }
        ByteBuffer bb = ByteBuffer.wrap(b, metaStart, metaLen).slice().order(ByteOrder.LITTLE_ENDIAN);
        Message m;
        long bodyLength;
        try {
            m = Message.getRootAsMessage(bb);
            bodyLength = m.bodyLength();
        } catch (RuntimeException e) {
            throw reject(RejectReason.MALFORMED_IPC, "unreadable message flatbuffer at " + metaStart + ": " + e);
        }
        int bodyStart = metaStart + metaLen;
        if (bodyLength < 0) {
            throw reject(RejectReason.MALFORMED_IPC, "negative body length " + bodyLength);
        }
        if (bodyLength > b.length - bodyStart) {
            throw reject(RejectReason.TRUNCATED, "body of " + bodyLength + " bytes at " + bodyStart + " past the end");
        }
        return new Envelope(m, bodyStart, bodyLength);
    }

    // ---- Message 1: schema and headers -------------------------------------------------------

    private static final class Header {
        int chunkIndex;
        byte[] chunkRoot;
        byte[] updateRoot;
        byte[][] proof;
    }

    private Header readSchema(Envelope env) throws ChunkRejectedException {
        ByteBuffer[] values = new ByteBuffer[ChunkFormat.KEYS.length];
        Schema schema;
        try {
            Message m = env.message;
            if (m.headerType() != MessageHeader.Schema) {
                throw reject(RejectReason.UNSUPPORTED_LAYOUT, "first message is not a schema (type " + m.headerType() + ")");
            }
            if (m.version() != MetadataVersion.V5) {
                throw reject(RejectReason.UNSUPPORTED_LAYOUT, "IPC metadata version " + m.version() + " is not V5");
            }
            schema = (Schema) m.header(new Schema());
            if (schema == null) {
                throw reject(RejectReason.MALFORMED_IPC, "schema message without a schema");
            }
            int entries = schema.customMetadataLength();
            if (entries > MAX_METADATA_ENTRIES) {
                throw reject(RejectReason.UNSUPPORTED_LAYOUT, entries + " schema metadata entries");
            }
            KeyValue kv = new KeyValue();
            for (int i = 0; i < entries; i++) {
                schema.customMetadata(kv, i);
                ByteBuffer key = kv.keyAsByteBuffer();
                if (key == null) {
                    continue;
                }
                for (int k = 0; k < ChunkFormat.KEY_BYTES.length; k++) {
                    if (key.equals(ByteBuffer.wrap(ChunkFormat.KEY_BYTES[k]))) {
                        if (values[k] != null) {
                            throw reject(RejectReason.MISSING_HEADER, "header " + ChunkFormat.KEYS[k] + " repeated");
                        }
                        ByteBuffer v = kv.valueAsByteBuffer();
                        values[k] = v == null ? ByteBuffer.allocate(0) : v;
                    }
                }
            }
        } catch (RuntimeException e) {
            throw reject(RejectReason.MALFORMED_IPC, "unreadable schema flatbuffer: " + e);
        }

        // The version decides how to read everything else, so it is checked first.
        long version = decimal(values, 0);
        if (version != WireParams.FORMAT_VERSION) {
            throw reject(RejectReason.UNKNOWN_VERSION, "format version " + version + ", this code reads "
                    + WireParams.FORMAT_VERSION);
        }
        checkLeafField(schema);
        long dimension = decimal(values, 1);
        long log2 = decimal(values, 2);
        if (dimension != params.dimension() || log2 != params.chunkLeavesLog2()) {
            throw reject(RejectReason.SHAPE_MISMATCH, "chunk of dimension " + dimension + " and 2^" + log2
                    + " leaves per chunk, the task has " + params.dimension() + " and 2^" + params.chunkLeavesLog2());
        }
        long chunkIndex = decimal(values, 3);
        if (chunkIndex >= params.chunkCount()) {
            throw reject(RejectReason.CHUNK_INDEX_OUT_OF_RANGE, "chunk " + chunkIndex + " of an update with "
                    + params.chunkCount() + " chunks");
        }
        Header h = new Header();
        h.chunkIndex = (int) chunkIndex;
        h.chunkRoot = hex(values, 4, Sha256.HASH_BYTES, RejectReason.MISSING_HEADER);
        h.updateRoot = hex(values, 5, Sha256.HASH_BYTES, RejectReason.MISSING_HEADER);
        int siblings = params.treeDepth() - params.chunkLevel();
        byte[] proof = hex(values, 6, siblings * Sha256.HASH_BYTES, RejectReason.PROOF_INVALID);
        h.proof = new byte[siblings][];
        for (int s = 0; s < siblings; s++) {
            h.proof[s] = Arrays.copyOfRange(proof, s * Sha256.HASH_BYTES, (s + 1) * Sha256.HASH_BYTES);
        }
        return h;
    }

    private static void checkLeafField(Schema schema) throws ChunkRejectedException {
        int width;
        try {
            if (schema.endianness() != Endianness.Little) {
                throw reject(RejectReason.UNSUPPORTED_LAYOUT, "big-endian schema");
            }
            if (schema.fieldsLength() != 1) {
                throw reject(RejectReason.UNSUPPORTED_LAYOUT, schema.fieldsLength() + " fields, expected one");
            }
            Field f = schema.fields(0);
            ByteBuffer name = f == null ? null : f.nameAsByteBuffer();
            if (name == null || !name.equals(ByteBuffer.wrap(ChunkFormat.FIELD_NAME.getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII)))) {
                throw reject(RejectReason.UNSUPPORTED_LAYOUT, "the field is not named '" + ChunkFormat.FIELD_NAME + "'");
            }
            if (f.typeType() != Type.FixedSizeBinary || f.childrenLength() != 0 || f.dictionary() != null) {
                throw reject(RejectReason.UNSUPPORTED_LAYOUT, "field type " + f.typeType()
                        + " is not a plain FixedSizeBinary");
            }
            FixedSizeBinary t = (FixedSizeBinary) f.type(new FixedSizeBinary());
            if (t == null) {
                throw reject(RejectReason.MALFORMED_IPC, "FixedSizeBinary without its type table");
            }
            width = t.byteWidth();
        } catch (RuntimeException e) {
            throw reject(RejectReason.MALFORMED_IPC, "unreadable field flatbuffer: " + e);
        }
        if (width != LEAF_BYTES) {
            throw reject(RejectReason.SHAPE_MISMATCH, "leaves of " + width + " bytes, the format has " + LEAF_BYTES);
        }
    }

    /** A header written as ASCII decimal, 1 to 10 digits. */
    private static long decimal(ByteBuffer[] values, int key) throws ChunkRejectedException {
        ByteBuffer v = values[key];
        if (v == null) {
            throw reject(RejectReason.MISSING_HEADER, "header " + ChunkFormat.KEYS[key] + " missing");
        }
        int len = v.remaining();
        if (len < 1 || len > 10) {
            throw reject(RejectReason.MISSING_HEADER, "header " + ChunkFormat.KEYS[key] + " is not a decimal number");
        }
        long n = 0;
        for (int i = 0; i < len; i++) {
            int c = v.get(v.position() + i) - '0';
            if (c < 0 || c > 9) {
                throw reject(RejectReason.MISSING_HEADER, "header " + ChunkFormat.KEYS[key] + " is not a decimal number");
            }
            n = n * 10 + c;
        }
        return n;
    }

    /** A header written as exactly {@code 2 * length} hex digits. */
    private static byte[] hex(ByteBuffer[] values, int key, int length, RejectReason onBad)
            throws ChunkRejectedException {
        ByteBuffer v = values[key];
        if (v == null) {
            throw reject(RejectReason.MISSING_HEADER, "header " + ChunkFormat.KEYS[key] + " missing");
        }
        if (v.remaining() != 2 * length) {
            throw reject(onBad, "header " + ChunkFormat.KEYS[key] + " has " + v.remaining() + " hex digits, expected "
                    + 2 * length);
        }
        byte[] out = new byte[length];
        int p = v.position();
        int bad = 0;
        for (int i = 0; i < length; i++) {
            int hi = HEX[v.get(p + 2 * i) & 0xFF];
            int lo = HEX[v.get(p + 2 * i + 1) & 0xFF];
            bad |= hi | lo;
            out[i] = (byte) (hi << 4 | lo);
        }
        if (bad < 0) {
            throw reject(onBad, "header " + ChunkFormat.KEYS[key] + " is not hex");
        }
        return out;
    }

    // ---- Message 2: the record batch ---------------------------------------------------------

    /** Validates the record batch and returns the absolute offset of the leaf data. */
    private static int readBatch(Envelope env, int leaves, byte[] b) throws ChunkRejectedException {
        long length;
        long nodeLength;
        long nullCount;
        long validityOff;
        long validityLen;
        long dataOff;
        long dataLen;
        try {
            Message m = env.message;
            if (m.headerType() != MessageHeader.RecordBatch) {
                throw reject(RejectReason.UNSUPPORTED_LAYOUT, "second message is not a record batch (type "
                        + m.headerType() + ")");
            }
            RecordBatch rb = (RecordBatch) m.header(new RecordBatch());
            if (rb == null) {
                throw reject(RejectReason.MALFORMED_IPC, "record batch message without a record batch");
            }
            length = rb.length();
            if (length != leaves) {
                throw reject(RejectReason.WRONG_LEAF_COUNT, "record batch of " + length + " leaves, the chunk covers "
                        + leaves);
            }
            if (rb.compression() != null) {
                throw reject(RejectReason.UNSUPPORTED_LAYOUT, "compressed record batch");
            }
            if (rb.nodesLength() != 1 || rb.buffersLength() != 2) {
                throw reject(RejectReason.UNSUPPORTED_LAYOUT, rb.nodesLength() + " nodes and " + rb.buffersLength()
                        + " buffers, expected 1 and 2");
            }
            FieldNode node = rb.nodes(new FieldNode(), 0);
            nodeLength = node.length();
            nullCount = node.nullCount();
            Buffer buf = rb.buffers(new Buffer(), 0);
            validityOff = buf.offset();
            validityLen = buf.length();
            rb.buffers(buf, 1);
            dataOff = buf.offset();
            dataLen = buf.length();
        } catch (RuntimeException e) {
            throw reject(RejectReason.MALFORMED_IPC, "unreadable record batch flatbuffer: " + e);
        }
        if (nodeLength != length) {
            throw reject(RejectReason.MALFORMED_IPC, "field node of " + nodeLength + " values in a batch of " + length);
        }
        if (nullCount != 0) {
            throw reject(RejectReason.NULL_LEAF, nullCount + " null leaves");
        }
        checkBufferBounds(env, validityOff, validityLen, "validity");
        checkBufferBounds(env, dataOff, dataLen, "data");
        if (dataLen < (long) leaves * LEAF_BYTES) {
            throw reject(RejectReason.MALFORMED_IPC, "data buffer of " + dataLen + " bytes for " + leaves + " leaves");
        }
        if (validityLen != 0) {
            if (validityLen < (leaves + 7) / 8) {
                throw reject(RejectReason.MALFORMED_IPC, "validity buffer of " + validityLen + " bytes for " + leaves
                        + " leaves");
            }
            int vStart = (int) (env.bodyStart + validityOff);
            int full = leaves >>> 3;
            int and = -1;
            for (int i = 0; i < full; i++) {
                and &= b[vStart + i];
            }
            int rest = leaves & 7;
            int restMask = (1 << rest) - 1;
            if ((and & 0xFF) != 0xFF || (rest > 0 && (b[vStart + full] & restMask) != restMask)) {
                throw reject(RejectReason.NULL_LEAF, "a leaf is marked null");
            }
        }
        return (int) (env.bodyStart + dataOff);
    }

    private static void checkBufferBounds(Envelope env, long off, long len, String what) throws ChunkRejectedException {
        if (off < 0 || len < 0 || off > env.bodyLength || len > env.bodyLength - off) {
            throw reject(RejectReason.MALFORMED_IPC, what + " buffer [" + off + ", +" + len + ") outside a body of "
                    + env.bodyLength + " bytes");
        }
    }

    // ---- Leaf data ---------------------------------------------------------------------------

    private static void checkMantissas(byte[] b, int off, int leaves) throws ChunkRejectedException {
        for (int leaf = 0; leaf < leaves; leaf++) {
            int o = off + leaf * LEAF_BYTES + BLOCKS_PER_LEAF;
            int min = 0;
            for (int i = 0; i < LEAF_COORDS; i++) {
                min = Math.min(min, b[o + i]);
            }
            if (min == Byte.MIN_VALUE) {
                throw reject(RejectReason.MANTISSA_OUT_OF_RANGE, "leaf " + leaf + " has a mantissa of -128");
            }
        }
    }

    private static int intLE(byte[] b, int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
    }

    private static ChunkRejectedException reject(RejectReason reason, String detail) {
        return new ChunkRejectedException(reason, detail);
    }
}
