package io.tributary.trainer.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.schemas.merkle.MerkleTree;
import io.tributary.schemas.tensor.ChunkDecoder;
import io.tributary.schemas.tensor.DecodedChunk;
import io.tributary.schemas.tensor.WireParams;
import io.tributary.trainer.LocalUpdate;
import io.tributary.trainer.MlpSpec;
import io.tributary.trainer.PreparedUpdate;
import io.tributary.trainer.UpdatePreparer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The update a worker saves before committing: it reads back to the committed root and publishes valid chunks. */
class StoredUpdateTest {

    private static final int DIM = MlpSpec.mnist().parameterCount();

    @Test
    void shouldReadBackTheSavedUpdateWithChunksThatDecodeAndProveToTheRoot() throws Exception {
        WireParams params = RoundStateMachineTest.TASK.wireParams(DIM, 8);
        float[] delta = new float[DIM];
        SplittableRandom rng = new SplittableRandom(9);
        for (int i = 0; i < DIM; i++) {
            delta[i] = (float) (rng.nextGaussian() * 0.02); // norm ~ 6.4, clipped to the task's 4.0
        }
        PreparedUpdate prepared;
        try (UpdatePreparer preparer = new UpdatePreparer(params)) {
            prepared = preparer.prepare(new LocalUpdate(delta, 321), 11);
        }
        assertThat(prepared.clipped()).isTrue();
        Path file = Path.of(System.getProperty("tributary.test.dir", "target/test-state"), "stored-update-" + System.nanoTime(),
                "u.update");
        StoredUpdate.of(prepared.encoded()).write(file);

        StoredUpdate back = StoredUpdate.read(file, prepared.updateRoot());
        assertThat(back.root()).isEqualTo(prepared.updateRoot());
        assertThat(back.chunks()).hasSize(params.chunkCount()).hasSizeGreaterThan(1);
        ChunkDecoder decoder = new ChunkDecoder(params);
        for (int i = 0; i < back.chunks().size(); i++) {
            DecodedChunk c = decoder.decode(back.chunks().get(i), ChunkDecoder.Verification.FULL);
            assertThat(c.chunkIndex()).isEqualTo(i);
            assertThat(c.updateRoot()).isEqualTo(prepared.updateRoot());
            byte[][] proof = back.chunkProof(i, params.chunkLeavesLog2());
            assertThat(proof).isDeepEqualTo(c.proof());
            assertThat(MerkleTree.verify(c.chunkRoot(), i, proof, prepared.updateRoot())).isTrue();
        }
    }

    @Test
    void shouldRefuseASavedUpdateThatDoesNotHashToTheCommittedRoot() throws Exception {
        WireParams params = WireParams.builder().dimension(256).chunkLeavesLog2(1).exponentRange(-24, 0).l2Bound(1.0)
                .maxWeight(100).maxContributors(4).build();
        PreparedUpdate prepared;
        try (UpdatePreparer preparer = new UpdatePreparer(params)) {
            prepared = preparer.prepare(new LocalUpdate(new float[256], 1), 1);
        }
        Path file = Path.of(System.getProperty("tributary.test.dir", "target/test-state"), "stored-update-" + System.nanoTime(),
                "u.update");
        StoredUpdate.of(prepared.encoded()).write(file);
        byte[] bytes = Files.readAllBytes(file);
        bytes[20] ^= 1; // a leaf byte
        Files.write(file, bytes);
        assertThatThrownBy(() -> StoredUpdate.read(file, prepared.updateRoot())).hasMessageContaining("does not hash");
    }
}
