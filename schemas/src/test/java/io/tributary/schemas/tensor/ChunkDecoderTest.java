package io.tributary.schemas.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad input: every refusal carries its typed reason, and nothing else escapes the decoder. */
class ChunkDecoderTest {

    private final WireParams params = Fixtures.small();
    private final ChunkDecoder decoder = new ChunkDecoder(params);
    private TensorEncoder encoder;
    private EncodedUpdate update;

    @BeforeEach
    void encode() {
        encoder = new TensorEncoder(params);
        update = encoder.encode(Fixtures.randomUpdate(new SplittableRandom(21), params.dimension(), 0.3), 5);
    }

    @AfterEach
    void close() {
        encoder.close();
    }

    private Map<String, String> meta(int chunk) {
        return new LinkedHashMap<>(encoder.chunkMetadata(update.tree(), chunk));
    }

    private byte[] leaves(int chunk) {
        int first = chunk << params.chunkLeavesLog2();
        return Arrays.copyOfRange(update.leafBytes(), first * 66, (first + params.leavesInChunk(chunk)) * 66);
    }

    private byte[] chunk(Map<String, String> meta, byte[] data, int count, int width) {
        return TensorEncoder.writeIpc(encoder.allocator(), meta, data, 0, count, width);
    }

    private RejectReason reasonFor(byte[] bytes) {
        try {
            decoder.decode(bytes);
        } catch (ChunkRejectedException e) {
            return e.reason();
        }
        return fail("chunk was accepted");
    }

    @Test
    void shouldAcceptEveryChunkTheEncoderWrites() throws Exception {
        for (int c = 0; c < params.chunkCount(); c++) {
            assertThat(decoder.decode(update.chunks().get(c)).chunkIndex()).isEqualTo(c);
            // Hand-written with the same headers and leaves: identical bytes.
            assertThat(chunk(meta(c), leaves(c), params.leavesInChunk(c), 66)).isEqualTo(update.chunks().get(c));
        }
    }

    @Test
    void shouldDecodeAChunkInPlaceAtTheEndOfALargerBufferAsItsOwnCopy() throws Exception {
        byte[] chunk = update.chunks().get(2);
        byte[] record = new byte[37 + chunk.length]; // what precedes a payload in its Kafka record
        Arrays.fill(record, 0, 37, (byte) 0x5a);
        System.arraycopy(chunk, 0, record, 37, chunk.length);

        DecodedChunk alone = decoder.decode(chunk, ChunkDecoder.Verification.FULL);
        DecodedChunk inPlace = decoder.decode(record, 37, ChunkDecoder.Verification.FULL);

        assertThat(inPlace.chunkIndex()).isEqualTo(2);
        assertThat(inPlace.chunkRoot()).isEqualTo(alone.chunkRoot());
        assertThat(inPlace.toFloats()).containsExactly(alone.toFloats());
        // the same framing checks, counted from the chunk's start
        assertThatThrownBy(() -> decoder.decode(Arrays.copyOf(record, record.length - 1), 37, ChunkDecoder.Verification.FULL))
                .isInstanceOf(ChunkRejectedException.class);
        assertThatThrownBy(() -> decoder.decode(record, 36, ChunkDecoder.Verification.FULL))
                .isInstanceOf(ChunkRejectedException.class);
    }

    @Test
    void shouldRejectTruncatedBuffersAtEveryLength() {
        byte[] valid = update.chunks().get(3);
        for (int len = 0; len < valid.length; len++) {
            assertThat(reasonFor(Arrays.copyOf(valid, len))).as("prefix of %d bytes", len)
                    .isEqualTo(RejectReason.TRUNCATED);
        }
    }

    @Test
    void shouldRejectOversizedBuffersAndTrailingBytes() {
        assertThat(reasonFor(new byte[(int) ChunkFormat.maxChunkBytes(params) + 1])).isEqualTo(RejectReason.OVERSIZED);
        byte[] valid = update.chunks().get(0);
        assertThat(reasonFor(Arrays.copyOf(valid, valid.length + 8))).isEqualTo(RejectReason.TRAILING_BYTES);
    }

    @Test
    void shouldRejectUnknownVersions() {
        Map<String, String> m = meta(0);
        m.put("tributary.format", "2");
        assertThat(reasonFor(chunk(m, leaves(0), 4, 66))).isEqualTo(RejectReason.UNKNOWN_VERSION);
        // A future version may change the leaf layout: the version is checked before the layout.
        assertThat(reasonFor(chunk(m, new byte[4 * 70], 4, 70))).isEqualTo(RejectReason.UNKNOWN_VERSION);
    }

    @Test
    void shouldRejectMissingOrUnparsableHeaders() {
        Map<String, String> m = meta(0);
        m.remove("tributary.dimension");
        assertThat(reasonFor(chunk(m, leaves(0), 4, 66))).isEqualTo(RejectReason.MISSING_HEADER);
        m = meta(0);
        m.put("tributary.chunk_index", "-1");
        assertThat(reasonFor(chunk(m, leaves(0), 4, 66))).isEqualTo(RejectReason.MISSING_HEADER);
        m = meta(0);
        m.put("tributary.update_root", "zz" + m.get("tributary.update_root").substring(2));
        assertThat(reasonFor(chunk(m, leaves(0), 4, 66))).isEqualTo(RejectReason.MISSING_HEADER);
    }

    @Test
    void shouldRejectShapeMismatches() {
        Map<String, String> m = meta(0);
        m.put("tributary.dimension", "999");
        assertThat(reasonFor(chunk(m, leaves(0), 4, 66))).isEqualTo(RejectReason.SHAPE_MISMATCH);
        m = meta(0);
        m.put("tributary.chunk_leaves_log2", "3");
        assertThat(reasonFor(chunk(m, leaves(0), 4, 66))).isEqualTo(RejectReason.SHAPE_MISMATCH);
        assertThat(reasonFor(chunk(meta(0), Arrays.copyOf(leaves(0), 4 * 65), 4, 65)))
                .isEqualTo(RejectReason.SHAPE_MISMATCH);
    }

    @Test
    void shouldRejectWrongLeafCountsAndChunkIndices() {
        assertThat(reasonFor(chunk(meta(0), leaves(0), 3, 66))).isEqualTo(RejectReason.WRONG_LEAF_COUNT);
        byte[] five = Arrays.copyOf(leaves(3), 5 * 66);
        assertThat(reasonFor(chunk(meta(3), five, 5, 66))).isEqualTo(RejectReason.WRONG_LEAF_COUNT);
        Map<String, String> m = meta(0);
        m.put("tributary.chunk_index", "4");
        assertThat(reasonFor(chunk(m, leaves(0), 4, 66))).isEqualTo(RejectReason.CHUNK_INDEX_OUT_OF_RANGE);
    }

    @Test
    void shouldRejectExponentsOutsideTheTaskRange() {
        byte[] data = leaves(1);
        data[66] = (byte) (params.expMin() - 1);
        assertThat(reasonFor(chunk(meta(1), data, 4, 66))).isEqualTo(RejectReason.EXPONENT_OUT_OF_RANGE);
        data[66] = (byte) (params.expMax() + 1);
        assertThat(reasonFor(chunk(meta(1), data, 4, 66))).isEqualTo(RejectReason.EXPONENT_OUT_OF_RANGE);
    }

    @Test
    void shouldRejectMantissaOfMinus128AndNonzeroPadding() {
        byte[] data = leaves(2);
        data[2 + 10] = Byte.MIN_VALUE;
        assertThat(reasonFor(chunk(meta(2), data, 4, 66))).isEqualTo(RejectReason.MANTISSA_OUT_OF_RANGE);
        // Chunk 3 holds coordinates 768..999: the last leaf has 40 real coordinates and 24 padding.
        data = leaves(3);
        data[3 * 66 + 2 + 40] = 1;
        assertThat(reasonFor(chunk(meta(3), data, 4, 66))).isEqualTo(RejectReason.NONZERO_PADDING);
        data = leaves(3);
        data[3 * 66 + 1] = (byte) (params.expMin() + 1); // block 1 of the last leaf is mostly padding but not all
        assertThat(reasonFor(chunk(meta(3), data, 4, 66))).isEqualTo(RejectReason.CHUNK_ROOT_MISMATCH);
    }

    @Test
    void shouldRejectLeavesThatDoNotHashToTheClaimedRoots() throws Exception {
        byte[] data = leaves(1);
        data[66 + 2 + 5] ^= 1;
        byte[] tampered = chunk(meta(1), data, 4, 66);
        assertThat(reasonFor(tampered)).isEqualTo(RejectReason.CHUNK_ROOT_MISMATCH);
        // Structure-only decoding (for chunks verified on admission) does not hash.
        assertThat(decoder.decode(tampered, ChunkDecoder.Verification.STRUCTURE).chunkIndex()).isEqualTo(1);

        Map<String, String> m = meta(1);
        String root = m.get("tributary.update_root");
        m.put("tributary.update_root", (root.charAt(0) == '0' ? "1" : "0") + root.substring(1));
        assertThat(reasonFor(chunk(m, leaves(1), 4, 66))).isEqualTo(RejectReason.PROOF_INVALID);
        m = meta(1);
        m.put("tributary.proof", m.get("tributary.proof").substring(64));
        assertThat(reasonFor(chunk(m, leaves(1), 4, 66))).isEqualTo(RejectReason.PROOF_INVALID);
        // A valid chunk presented under another chunk's index.
        m = meta(1);
        m.put("tributary.chunk_index", "2");
        assertThat(reasonFor(chunk(m, leaves(1), 4, 66))).isEqualTo(RejectReason.PROOF_INVALID);
    }

    @Test
    void shouldRejectNullLeaves() throws Exception {
        byte[] valid = update.chunks().get(0).clone();
        int dataOffset = decoder.decode(valid).dataOffset();
        assertThat(valid[dataOffset - 8]).as("validity bitmap of 4 leaves").isEqualTo((byte) 0x0F);
        valid[dataOffset - 8] = 0x0B;
        assertThat(reasonFor(valid)).isEqualTo(RejectReason.NULL_LEAF);
    }

    @Test
    void shouldRejectBrokenFramingAndOtherArrowLayouts() throws Exception {
        byte[] bad = update.chunks().get(0).clone();
        bad[0] = 0;
        assertThat(reasonFor(bad)).isEqualTo(RejectReason.MALFORMED_IPC);

        Field intField = new Field("leaf", FieldType.notNullable(new ArrowType.Int(32, true)), null);
        try (RootAllocator allocator = new RootAllocator();
             IntVector ints = new IntVector(intField, allocator)) {
            ints.allocateNew(4);
            ints.setValueCount(4);
            List<FieldVector> vectors = List.of(ints);
            try (VectorSchemaRoot root = new VectorSchemaRoot(new Schema(List.of(intField), meta(0)), vectors, 4)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (ArrowStreamWriter w = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
                    w.start();
                    w.writeBatch();
                    w.writeBatch();
                    w.end();
                }
                assertThat(reasonFor(out.toByteArray())).isEqualTo(RejectReason.UNSUPPORTED_LAYOUT);
            }
        }
    }

    @Test
    void shouldOnlyEverRejectWithATypedReasonWhenFuzzed() {
        SplittableRandom rnd = new SplittableRandom(2026);
        List<byte[]> seeds = update.chunks();
        int[] extremes = {0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x7FFFFFF8, 66, 1 << 20};
        Map<RejectReason, Integer> reasons = new EnumMap<>(RejectReason.class);
        int accepted = 0;
        for (int iter = 0; iter < 120_000; iter++) {
            byte[] base = seeds.get(rnd.nextInt(seeds.size()));
            byte[] b;
            switch (rnd.nextInt(7)) {
                case 0 -> { // bit flips
                    b = base.clone();
                    for (int f = 1 + rnd.nextInt(8); f > 0; f--) {
                        b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                    }
                }
                case 1 -> { // extreme 32-bit values over aligned words (lengths, offsets, counts)
                    b = base.clone();
                    int at = rnd.nextInt(b.length / 4) * 4;
                    int v = extremes[rnd.nextInt(extremes.length)];
                    for (int k = 0; k < 4 && at + k < b.length; k++) {
                        b[at + k] = (byte) (v >>> (8 * k));
                    }
                }
                case 2 -> b = Arrays.copyOf(base, rnd.nextInt(base.length + 1)); // truncation
                case 3 -> { // extension with random bytes
                    b = Arrays.copyOf(base, base.length + 1 + rnd.nextInt(64));
                    for (int k = base.length; k < b.length; k++) {
                        b[k] = (byte) rnd.nextInt();
                    }
                }
                case 4 -> { // fully random
                    b = new byte[rnd.nextInt(2048)];
                    rnd.nextBytes(b);
                    if (b.length >= 8 && rnd.nextBoolean()) { // with a plausible continuation marker
                        b[0] = b[1] = b[2] = b[3] = -1;
                    }
                }
                case 5 -> { // random run of bytes in the metadata region
                    b = base.clone();
                    int at = rnd.nextInt(Math.min(b.length, 600));
                    for (int k = at; k < Math.min(b.length, at + 1 + rnd.nextInt(16)); k++) {
                        b[k] = (byte) rnd.nextInt();
                    }
                }
                default -> { // splice of two chunks
                    byte[] other = seeds.get(rnd.nextInt(seeds.size()));
                    int cut = rnd.nextInt(base.length);
                    int from = rnd.nextInt(other.length);
                    b = new byte[cut + other.length - from];
                    System.arraycopy(base, 0, b, 0, cut);
                    System.arraycopy(other, from, b, cut, other.length - from);
                }
            }
            ChunkDecoder.Verification v = ChunkDecoder.Verification.values()[rnd.nextInt(3)];
            try {
                DecodedChunk d = decoder.decode(b, v);
                if (v == ChunkDecoder.Verification.FRAMING) { // the accumulator checks the leaves
                    new ChunkAccumulator(params, d.chunkIndex()).add(d, 1);
                }
                accepted++;
            } catch (ChunkRejectedException e) {
                reasons.merge(e.reason(), 1, Integer::sum);
            } catch (Throwable t) {
                throw new AssertionError("iteration " + iter + " escaped the typed rejection", t);
            }
        }
        assertThat(reasons.keySet()).contains(RejectReason.TRUNCATED, RejectReason.MALFORMED_IPC,
                RejectReason.CHUNK_ROOT_MISMATCH, RejectReason.TRAILING_BYTES);
        assertThat(accepted).isLessThan(60_000);
    }
}
