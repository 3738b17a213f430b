package io.tributary.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataRootTest {

    @Test
    void shouldEncodeARowLeafAsDocumented() {
        byte[] leaf = DataRoot.leaf(DataRoot.idOf(258), 7, new float[] {1.0f, -2.5f});
        assertThat(HexFormat.of().formatHex(leaf)).isEqualTo(
                "00000008" + "0000000000000102" + "00000007" + "00000002" + "0000803f" + "000020c0");
        assertThat(DataRoot.parseLeaf(leaf)).isEqualTo(new Sample(DataRoot.idOf(258), 7, new float[] {1.0f, -2.5f}));
    }

    @Test
    void shouldMatchAnIndependentSha256RecomputationWhateverTheRowOrder() throws Exception {
        List<Sample> rows = new ArrayList<>();
        for (long id : new long[] {5, 1, 300, 2, 4}) {
            rows.add(new Sample(DataRoot.idOf(id), (int) (id % 10), new float[] {id * 0.5f, -id, 0.25f}));
        }
        byte[] root = DataRoot.of(TrainingData.of(rows));
        List<Sample> reversed = new ArrayList<>(rows);
        java.util.Collections.reverse(reversed);
        assertThat(DataRoot.of(TrainingData.of(reversed))).isEqualTo(root);

        // by hand, from FORMAT.md section 5: leaves sorted by id, H(0x00||leaf), padded with 0^32 to 8
        long[] sorted = {1, 2, 4, 5, 300};
        byte[][] level = new byte[8][];
        for (int i = 0; i < 8; i++) {
            if (i < sorted.length) {
                long id = sorted[i];
                ByteBuffer b = ByteBuffer.allocate(4 + 8 + 4 + 4 + 12);
                b.putInt(8).putLong(id).putInt((int) (id % 10)).putInt(3).order(ByteOrder.LITTLE_ENDIAN)
                        .putFloat(id * 0.5f).putFloat(-id).putFloat(0.25f);
                level[i] = sha(new byte[] {0}, b.array());
            } else {
                level[i] = new byte[32];
            }
        }
        for (int width = 8; width > 1; width /= 2) {
            byte[][] up = new byte[width / 2][];
            for (int i = 0; i < width / 2; i++) {
                up[i] = sha(new byte[] {1}, level[2 * i], level[2 * i + 1]);
            }
            level = up;
        }
        assertThat(root).isEqualTo(level[0]);
    }

    @Test
    void shouldGiveTheEmptyNodeForNoRowsAndRefuseDuplicateIdentities() {
        assertThat(DataRoot.of(TrainingData.of(List.of()))).isEqualTo(new byte[32]);
        Sample a = new Sample(DataRoot.idOf(1), 0, new float[] {1});
        Sample b = new Sample(DataRoot.idOf(1), 1, new float[] {2});
        assertThatThrownBy(() -> DataRoot.of(TrainingData.of(List.of(a, b)))).hasMessageContaining("identity");
    }

    private static byte[] sha(byte[]... parts) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }
}
