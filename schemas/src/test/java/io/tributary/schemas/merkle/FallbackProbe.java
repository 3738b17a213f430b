package io.tributary.schemas.merkle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Run in a JVM of its own by {@link Sha256EngineFallbackIT}: builds a tree of 1,000 66-byte leaves
 * with the default engine and writes "{@code <engine> <root hex>}" to the file named by args[0].
 */
public final class FallbackProbe {

    private FallbackProbe() {}

    static byte[] leaves(int n) {
        byte[] data = new byte[n * 66];
        new SplittableRandom(17).nextBytes(data);
        return data;
    }

    public static void main(String[] args) throws IOException {
        byte[] root = MerkleTree.ofLeafBytes(leaves(1000), 0, 1000, 66, false).root();
        Files.writeString(Path.of(args[0]), Sha256Engine.fastest() + " " + HexFormat.of().formatHex(root));
    }
}
