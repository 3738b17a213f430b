package io.tributary.schemas.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Format version 1 is frozen: the committed chunk must still be produced byte for byte by the
 * encoder, and still be read by the decoder. If this fails, the wire format changed: bump the
 * version instead of regenerating the file.
 */
class GoldenChunkTest {

    static final String RESOURCE = "golden-v1-chunk1.arrows";
    static final String UPDATE_ROOT = "065547713bdafdd2694c4bf3c6e73ffcfef71546634c99364c7012453912b7ef";

    /** 200 coordinates = 4 leaves (the last with 8 real coordinates), 2 leaves per chunk. */
    static WireParams params() {
        return WireParams.builder()
                .dimension(200)
                .chunkLeavesLog2(1)
                .exponentRange(-16, -2)
                .l2Bound(1.0)
                .maxWeight(100)
                .maxContributors(100)
                .build();
    }

    static float[] update() {
        float[] x = new float[200];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (Math.sin(i * 0.7) * (i < 64 ? 0.2 : 0.004));
        }
        return x;
    }

    static byte[] golden() throws IOException {
        try (InputStream in = GoldenChunkTest.class.getResourceAsStream(RESOURCE)) {
            assertThat(in).as("golden resource " + RESOURCE).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void shouldStillEncodeExactlyTheGoldenBytesOfVersion1() throws Exception {
        EncodedUpdate u = TensorCodecTest.encode(params(), update(), 2026);
        assertThat(u.chunks()).hasSize(2);
        assertThat(u.chunks().get(1)).isEqualTo(golden());
        assertThat(HexFormat.of().formatHex(u.root())).isEqualTo(UPDATE_ROOT);
    }

    @Test
    void shouldStillDecodeTheGoldenBytesOfVersion1() throws Exception {
        DecodedChunk d = new ChunkDecoder(params()).decode(golden());
        assertThat(d.chunkIndex()).isEqualTo(1);
        assertThat(d.leafCount()).isEqualTo(2);
        assertThat(d.coordCount()).isEqualTo(72);
        assertThat(HexFormat.of().formatHex(d.updateRoot())).isEqualTo(UPDATE_ROOT);
        assertThat(d.proof()).hasNumberOfRows(1);
        int[] firstExponents = {d.exponent(0, 0), d.exponent(0, 1), d.exponent(1, 0), d.exponent(1, 1)};
        assertThat(firstExponents).containsExactly(GOLDEN_EXPONENTS);
        int[] firstMantissas = new int[8];
        for (int i = 0; i < 8; i++) {
            firstMantissas[i] = d.mantissa(i);
        }
        assertThat(firstMantissas).containsExactly(GOLDEN_MANTISSAS);
    }

    /** Leaf 1 block 1 (coordinates 224..255) is all padding, so its exponent is expMin. */
    static final int[] GOLDEN_EXPONENTS = {-15, -15, -15, -16};
    /** Reproduced independently in Python (FORMAT.md, "Reproducing an encoding"). */
    static final int[] GOLDEN_MANTISSAS = {116, 84, 13, -66, -112, -107, -51, 29};
}
