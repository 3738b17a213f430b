package io.tributary.trainer.node;

import io.tributary.schemas.merkle.MerkleTree;
import io.tributary.schemas.tensor.EncodedUpdate;
import io.tributary.schemas.tensor.WireParams;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An encoded update as the worker keeps it between commit and publish: its leaf bytes (66 bytes a
 * leaf, from which the Merkle tree and every chunk's proof are rebuilt) and its chunks' bytes. Saved
 * before the commit, so a worker that restarts after committing reveals and publishes exactly the
 * update it committed to, without training again.
 *
 * <p>File format, version 1 (big-endian): {@code "TRUP" ‖ version u8 ‖ leafCount i32 ‖ leafBytes ‖
 * chunkCount i32 ‖ (length i32 ‖ bytes) per chunk}.
 */
public record StoredUpdate(MerkleTree tree, byte[] leafBytes, List<byte[]> chunks) {

    private static final int MAGIC = 0x54525550; // "TRUP"
    private static final int VERSION = 1;

    public StoredUpdate {
        chunks = List.copyOf(chunks);
    }

    public static StoredUpdate of(EncodedUpdate encoded) {
        return new StoredUpdate(encoded.tree(), encoded.leafBytes(), encoded.chunks());
    }

    public byte[] root() {
        return tree.root();
    }

    /** Sibling hashes from chunk {@code index}'s subtree root up to the update root. */
    public byte[][] chunkProof(int index, int chunkLeavesLog2) {
        return tree.subtreeProof(Math.min(chunkLeavesLog2, tree.depth()), index);
    }

    /** Writes the update to {@code file} (atomically, forced to disk). */
    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            OutputStream raw = Channels.newOutputStream(ch);
            DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(raw));
            out.writeInt(MAGIC);
            out.writeByte(VERSION);
            out.writeInt(leafBytes.length / WireParams.LEAF_BYTES);
            out.write(leafBytes);
            out.writeInt(chunks.size());
            for (byte[] c : chunks) {
                out.writeInt(c.length);
                out.write(c);
            }
            out.flush();
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads an update written by {@link #write}, checking that its root is {@code expectedRoot}. */
    public static StoredUpdate read(Path file, byte[] expectedRoot) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw))) {
            if (in.readInt() != MAGIC) {
                throw new IOException(file + " is not a stored update");
            }
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IOException(file + " has version " + version + "; this build reads " + VERSION);
            }
            int leaves = in.readInt();
            byte[] leafBytes = new byte[Math.multiplyExact(leaves, WireParams.LEAF_BYTES)];
            in.readFully(leafBytes);
            int count = in.readInt();
            List<byte[]> chunks = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] c = new byte[in.readInt()];
                in.readFully(c);
                chunks.add(c);
            }
            MerkleTree tree = MerkleTree.ofLeafBytes(leafBytes, 0, leaves, WireParams.LEAF_BYTES, false);
            if (!Arrays.equals(tree.root(), expectedRoot)) {
                throw new IOException(file + " does not hash to the committed update root");
            }
            return new StoredUpdate(tree, leafBytes, chunks);
        }
    }
}
