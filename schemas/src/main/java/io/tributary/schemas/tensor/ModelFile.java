package io.tributary.schemas.tensor;

import io.tributary.schemas.merkle.MerkleTree;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A whole model as float32 coordinates: the initial-model file a ModelRegistry entry's {@code uri}
 * points to (FORMAT.md section 9), and the model tree whose root is {@code initialRoot} /
 * {@code modelRoot}.
 *
 * <p>File: the P coordinates as IEEE-754 binary32, little-endian, nothing else (4·P bytes). Model
 * tree: leaves of 64 coordinates (256 bytes, the last one padded with +0.0f), hashed with the
 * project's Merkle scheme (section 5).
 */
public final class ModelFile {

    /** Coordinates per model leaf. */
    public static final int LEAF_COORDS = 64;
    /** Bytes per model leaf. */
    public static final int LEAF_BYTES = LEAF_COORDS * Float.BYTES;

    private ModelFile() {}

    /** Number of model leaves of a model of {@code dimension} coordinates. */
    public static int leafCount(int dimension) {
        return (dimension + LEAF_COORDS - 1) / LEAF_COORDS;
    }

    /** The model's leaf bytes: the coordinates little-endian, padded with +0.0f to whole leaves. */
    public static byte[] leafBytes(float[] model) {
        byte[] bytes = new byte[leafCount(model.length) * LEAF_BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(model);
        return bytes;
    }

    /** The model tree over {@link #leafBytes}. */
    public static MerkleTree tree(float[] model) {
        return MerkleTree.ofLeafBytes(leafBytes(model), 0, leafCount(model.length), LEAF_BYTES, false);
    }

    /** The model root ({@code initialRoot} of a registered model, {@code modelRoot} of a round). */
    public static byte[] root(float[] model) {
        return tree(model).root();
    }

    /** The file's bytes (4·P, little-endian). */
    public static byte[] toBytes(float[] model) {
        byte[] bytes = new byte[model.length * Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(model);
        return bytes;
    }

    /** Parses a file's bytes; its length must be a positive multiple of 4. */
    public static float[] fromBytes(byte[] bytes) {
        if (bytes.length == 0 || bytes.length % Float.BYTES != 0) {
            throw new IllegalArgumentException("a model file holds 4 bytes per coordinate; got " + bytes.length + " bytes");
        }
        float[] model = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(model);
        return model;
    }

    /** Writes the file atomically (a temporary sibling, then a rename). */
    public static void write(Path file, float[] model) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        Files.write(tmp, toBytes(model));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads a model file from a {@code file:} path. */
    public static float[] read(Path file) throws IOException {
        return fromBytes(Files.readAllBytes(file));
    }

    /**
     * Reads a model from a registry URI ({@code file:}, {@code http:} or {@code https:}), checking
     * its dimension and that its root equals {@code expectedRoot}.
     *
     * @throws IOException when it cannot be read
     * @throws IllegalArgumentException when its size or root is not the expected one
     */
    public static float[] read(URI uri, int expectedDimension, byte[] expectedRoot) throws IOException {
        byte[] bytes;
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        switch (scheme) {
            case "file" -> bytes = Files.readAllBytes(Path.of(uri));
            case "http", "https" -> {
                try (InputStream in = uri.toURL().openStream()) {
                    bytes = in.readAllBytes();
                }
            }
            default -> throw new IOException("model URI scheme not supported (file, http, https): " + uri);
        }
        float[] model = fromBytes(bytes);
        if (model.length != expectedDimension) {
            throw new IllegalArgumentException("model at " + uri + " has " + model.length
                    + " coordinates, the task expects " + expectedDimension);
        }
        byte[] root = root(model);
        if (!java.util.Arrays.equals(root, expectedRoot)) {
            throw new IllegalArgumentException("model at " + uri + " has root 0x" + java.util.HexFormat.of().formatHex(root)
                    + ", the registry says 0x" + java.util.HexFormat.of().formatHex(expectedRoot));
        }
        return model;
    }
}
