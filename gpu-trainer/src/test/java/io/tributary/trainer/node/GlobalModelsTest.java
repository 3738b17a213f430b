package io.tributary.trainer.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.avro.ModelChunk;
import io.tributary.schemas.tensor.ModelFile;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A models.chunks record is accepted only if its coordinates and proof lead to the round's modelRoot. */
class GlobalModelsTest {

    private static List<ModelChunk> chunks(float[] model, int k) {
        return ModelChunks.of(1, 0, model, k);
    }

    private static float[] model(int dimension) {
        SplittableRandom rng = new SplittableRandom(3);
        float[] m = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            m[i] = (float) rng.nextGaussian();
        }
        return m;
    }

    private static byte[] payload(ModelChunk c) {
        ByteBuffer b = c.getPayload().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void shouldAcceptEveryChunkOfTheModelIncludingAShortLastOne() {
        float[] m = model(101_770); // 1,591 leaves: chunks of 256 leaves, the last one 55 leaves and a partial leaf
        byte[] root = ModelFile.root(m);
        List<ModelChunk> chunks = chunks(m, 8);
        assertThat(chunks).hasSize(7);
        for (ModelChunk c : chunks) {
            assertThat(GlobalModels.chunkProves(c, payload(c), root, m.length)).as("chunk %d", c.getChunkIndex()).isTrue();
        }
    }

    @Test
    void shouldAcceptASingleChunkModel() {
        float[] m = model(1_000);
        ModelChunk only = chunks(m, 10).get(0);
        assertThat(GlobalModels.chunkProves(only, payload(only), ModelFile.root(m), m.length)).isTrue();
    }

    @Test
    void shouldRejectATamperedCoordinateOrAnotherModelsRoot() {
        float[] m = model(20_000);
        List<ModelChunk> chunks = chunks(m, 4);
        ModelChunk c = chunks.get(3);
        byte[] p = payload(c);
        p[17] ^= 0x01;
        assertThat(GlobalModels.chunkProves(c, p, ModelFile.root(m), m.length)).isFalse();
        assertThat(GlobalModels.chunkProves(c, payload(c), ModelFile.root(model(20_001)), m.length)).isFalse();
        assertThat(GlobalModels.chunkProves(c, payload(c), ModelFile.root(m), 40_000)).as("another model size").isFalse();
        ModelChunk last = chunks.get(chunks.size() - 1);
        byte[] q = payload(last);
        q[q.length - 1] ^= 0x40;
        assertThat(GlobalModels.chunkProves(last, q, ModelFile.root(m), m.length)).isFalse();
    }
}
