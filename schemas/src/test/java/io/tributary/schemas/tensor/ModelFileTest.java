package io.tributary.schemas.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.schemas.merkle.MerkleTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ModelFileTest {

    private static float[] model(int dim, long seed) {
        Random r = new Random(seed);
        float[] m = new float[dim];
        for (int i = 0; i < dim; i++) {
            m[i] = (float) r.nextGaussian();
        }
        return m;
    }

    @Test
    void shouldRoundTripThroughAFileWhenWrittenAndRead() throws Exception {
        float[] m = model(101_770, 7);
        Path dir = Files.createDirectories(Path.of("target", "model-file-test"));
        Path f = dir.resolve("initial.f32");
        ModelFile.write(f, m);
        assertEquals(4L * m.length, Files.size(f));
        assertArrayEquals(m, ModelFile.read(f));
        assertArrayEquals(m, ModelFile.read(f.toUri(), m.length, ModelFile.root(m)));
    }

    @Test
    void shouldPadTheLastLeafWithPositiveZeroWhenTheDimensionIsNotAMultipleOf64() {
        float[] m = model(65, 1);
        byte[] leaves = ModelFile.leafBytes(m);
        assertEquals(2 * ModelFile.LEAF_BYTES, leaves.length);
        for (int i = 65 * 4; i < leaves.length; i++) {
            assertEquals(0, leaves[i]);
        }
        assertArrayEquals(MerkleTree.ofLeafBytes(leaves, 0, 2, 256, false).root(), ModelFile.root(m));
    }

    @Test
    void shouldRefuseAModelWhoseRootOrSizeDiffersFromTheRegistry() throws Exception {
        float[] m = model(200, 3);
        Path f = Files.createDirectories(Path.of("target", "model-file-test")).resolve("other.f32");
        ModelFile.write(f, m);
        float[] other = m.clone();
        other[199] += 1f;
        IllegalArgumentException root = assertThrows(IllegalArgumentException.class,
                () -> ModelFile.read(f.toUri(), 200, ModelFile.root(other)));
        assertTrue(root.getMessage().contains("registry says"), root.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelFile.read(f.toUri(), 201, ModelFile.root(m)));
        assertThrows(IllegalArgumentException.class, () -> ModelFile.fromBytes(new byte[7]));
    }
}
