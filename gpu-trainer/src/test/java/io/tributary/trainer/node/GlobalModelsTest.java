package io.tributary.trainer.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.avro.ModelChunk;
import io.tributary.schemas.tensor.ModelFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A models.chunks record is accepted only if its coordinates and proof lead to the round's modelRoot. */
class GlobalModelsTest {

    private static List<ModelChunk> chunks(float[] model, int k) {
        return ModelChunks.of(1, 0, model, k);
    }

    @Test
    void shouldStartARoundAfterAFailedRoundFromTheModelTheFailedRoundStartedFrom() throws Exception {
        Path dir = Path.of(System.getProperty("tributary.test.dir", "target/test-state"), "global-models-" + System.nanoTime());
        float[] initial = model(300);
        Path file = dir.resolve("initial.model");
        ModelFile.write(file, initial);
        TaskSchedule task = RoundStateMachineTest.TASK;
        InMemoryChain chain = new InMemoryChain(task);
        chain.model = new NodeChain.RegisteredModel(task.modelId(), ModelFile.root(initial), file.toUri().toString());
        GlobalModels models = new GlobalModels("127.0.0.1:1", chain, dir.resolve("cache"), 300);

        assertThat(models.startOf(task, 0)).hasValueSatisfying(m -> assertThat(m).containsExactly(initial));
        // round 0 neither committed nor failed yet: round 1 has no model to start from
        assertThat(models.startOf(task, 1)).isEmpty();
        chain.settlements.put(0, new NodeChain.Settlement(NodeChain.Settlement.State.FAILED, null));
        assertThat(models.startOf(task, 1)).hasValueSatisfying(m -> assertThat(m).containsExactly(initial));
    }

    @Test
    void shouldRefuseAnInitialModelWhoseRootIsNotTheRegisteredOne() throws Exception {
        Path dir = Path.of(System.getProperty("tributary.test.dir", "target/test-state"), "global-models-" + System.nanoTime());
        Path file = dir.resolve("initial.model");
        ModelFile.write(file, model(300));
        TaskSchedule task = RoundStateMachineTest.TASK;
        InMemoryChain chain = new InMemoryChain(task);
        chain.model = new NodeChain.RegisteredModel(task.modelId(), ModelFile.root(model(301)), file.toUri().toString());
        GlobalModels models = new GlobalModels("127.0.0.1:1", chain, dir.resolve("cache"), 300);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> models.startOf(task, 0))
                .isInstanceOf(IllegalArgumentException.class);
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
