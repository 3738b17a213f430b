package io.tributary.trainer.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.trainer.data.DataRoot;
import io.tributary.trainer.data.Sample;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

class RowLogTest {

    private Path dir;

    @BeforeEach
    void setUp(TestInfo info) throws IOException {
        dir = Path.of(System.getProperty("tributary.test.dir", "target/test-state"), "rowlog",
                info.getTestMethod().orElseThrow().getName());
        if (Files.exists(dir)) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        }
        Files.createDirectories(dir);
    }

    private static RowLog.Entry row(long id) {
        return new RowLog.Entry(1000 + id, new Sample(DataRoot.idOf(id), (int) (id % 10), new float[] {id, -id}));
    }

    @Test
    void shouldKeepRowsAcrossReopenAndDropRowsDeliveredAgain() throws IOException {
        Path file = dir.resolve("rows.log");
        try (RowLog log = RowLog.open(file)) {
            assertThat(log.append(List.of(row(1), row(2), row(3)))).isEqualTo(3);
            assertThat(log.append(List.of(row(3), row(4), row(4)))).isEqualTo(1);
            assertThat(log.duplicates()).isEqualTo(2);
        }
        try (RowLog log = RowLog.open(file)) {
            assertThat(log.size()).isEqualTo(4);
            assertThat(log.rows(4)).extracting(s -> ByteBuffer.wrap(s.rowId()).getLong()).containsExactly(1L, 2L, 3L, 4L);
            assertThat(log.rows(4).get(2)).isEqualTo(row(3).sample());
            assertThat(log.lsn(3)).isEqualTo(1004);
            // a restarted engine delivering rows again: only the new one is kept
            assertThat(log.append(List.of(row(2), row(3), row(4), row(5)))).isEqualTo(1);
            assertThat(log.size()).isEqualTo(5);
        }
    }

    @Test
    void shouldCutATornTailAndAppendAfterTheLastGoodRow() throws IOException {
        Path file = dir.resolve("rows.log");
        try (RowLog log = RowLog.open(file)) {
            log.append(List.of(row(1), row(2)));
        }
        long good = Files.size(file);
        // a crash in the middle of the third record: length and half a payload
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.allocate(10).putInt(40).putInt(7).flip());
        }
        try (RowLog log = RowLog.open(file)) {
            assertThat(log.size()).isEqualTo(2);
            assertThat(Files.size(file)).isEqualTo(good);
            log.append(List.of(row(3)));
        }
        // a flipped byte in the last record fails its checksum: that record is dropped
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 6] ^= 1;
        Files.write(file, bytes);
        try (RowLog log = RowLog.open(file)) {
            assertThat(log.size()).isEqualTo(2);
        }
    }

    @Test
    void shouldRecordRoundCutsDurablyAndIgnoreATornLine() throws IOException {
        Path file = dir.resolve("rounds.log");
        RoundLog rounds = RoundLog.open(file);
        rounds.append(new RoundLog.Cut(0, 10, 77, new byte[32]));
        rounds.append(new RoundLog.Cut(1, 25, 99, new byte[] {1, 2}));
        Files.writeString(file, "2 30 1", StandardOpenOption.APPEND);
        RoundLog again = RoundLog.open(file);
        assertThat(again.get(0).rowCount()).isEqualTo(10);
        assertThat(again.get(1).dataRoot()).containsExactly(1, 2);
        assertThat(again.get(2)).isNull();
        assertThat(again.maxRowCount()).isEqualTo(25);
        again.append(new RoundLog.Cut(2, 31, 120, new byte[] {3}));
        assertThat(RoundLog.open(file).get(2).rowCount()).isEqualTo(31);
        assertThat(Files.readString(file)).doesNotContain("2 30 1\n");
    }
}
