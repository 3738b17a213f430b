package io.tributary.trainer.data;

import io.tributary.schemas.merkle.MerkleTree;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Data provenance: the Merkle root ({@code dataRoot}) of the rows a round trained on, with the
 * project's Merkle tree (FORMAT.md section 5: SHA-256, leaf hash {@code H(0x00 || leaf)}).
 *
 * <p><b>Row leaf, version 1</b> (all integers big-endian, features little-endian IEEE binary32):
 *
 * <pre>
 * idLength  uint32            length of the row identity
 * id        idLength bytes    the row identity (Postgres: the primary key as int64 big-endian)
 * label     int32
 * count     uint32            number of features
 * features  count x float32 little-endian
 * </pre>
 *
 * <p>The leaves are ordered by row identity (unsigned lexicographic order of the id bytes; for
 * non-negative int64 keys that is key order), so anyone holding the same rows recomputes the same
 * root whatever order they arrived in. Two rows with the same identity are refused. The root of
 * no rows is 32 zero bytes (the tree's empty node).
 */
public final class DataRoot {

    private DataRoot() {
    }

    /** The canonical leaf bytes of one row. */
    public static byte[] leaf(byte[] rowId, int label, float[] features) {
        ByteBuffer b = ByteBuffer.allocate(4 + rowId.length + 4 + 4 + 4 * features.length);
        b.order(ByteOrder.BIG_ENDIAN).putInt(rowId.length).put(rowId).putInt(label).putInt(features.length);
        b.order(ByteOrder.LITTLE_ENDIAN);
        for (float f : features) {
            b.putFloat(f);
        }
        return b.array();
    }

    public static byte[] leaf(Sample s) {
        return leaf(s.rowId(), s.label(), s.features());
    }

    /** Parses a leaf written by {@link #leaf} back into a sample. */
    public static Sample parseLeaf(byte[] leaf) {
        ByteBuffer b = ByteBuffer.wrap(leaf).order(ByteOrder.BIG_ENDIAN);
        int idLen = b.getInt();
        if (idLen < 0 || idLen > b.remaining() - 8) {
            throw new IllegalArgumentException("row leaf: bad id length " + idLen);
        }
        byte[] id = new byte[idLen];
        b.get(id);
        int label = b.getInt();
        int count = b.getInt();
        if (count < 0 || (long) count * 4 != b.remaining()) {
            throw new IllegalArgumentException("row leaf: " + count + " features do not match " + b.remaining()
                    + " remaining bytes");
        }
        b.order(ByteOrder.LITTLE_ENDIAN);
        float[] features = new float[count];
        for (int i = 0; i < count; i++) {
            features[i] = b.getFloat();
        }
        return new Sample(id, label, features);
    }

    /** The int64 big-endian row identity of a numeric primary key. */
    public static byte[] idOf(long primaryKey) {
        return ByteBuffer.allocate(8).putLong(primaryKey).array();
    }

    /** The dataRoot of {@code data}: Merkle root over its row leaves in row-identity order. */
    public static byte[] of(TrainingData data) {
        List<Sample> rows = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            rows.add(data.sample(i));
        }
        rows.sort((a, b) -> Arrays.compareUnsigned(a.rowId(), b.rowId()));
        List<byte[]> leaves = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            if (i > 0 && Arrays.equals(rows.get(i - 1).rowId(), rows.get(i).rowId())) {
                throw new IllegalArgumentException("two rows share the identity "
                        + java.util.HexFormat.of().formatHex(rows.get(i).rowId()));
            }
            leaves.add(leaf(rows.get(i)));
        }
        return leaves.isEmpty() ? MerkleTree.emptyNode(0) : MerkleTree.ofLeaves(leaves).root();
    }
}
