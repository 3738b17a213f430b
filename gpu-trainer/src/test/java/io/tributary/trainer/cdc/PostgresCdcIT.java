package io.tributary.trainer.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.merkle.MerkleTree;
import io.tributary.trainer.Mnist;
import io.tributary.trainer.data.Sample;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.apache.commons.io.file.PathUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class PostgresCdcIT {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresCdcIT.class);
    private static final Path BASE = Path.of(System.getProperty("tributary.test.dir", "target/it-state"), "cdc");
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static TestPostgres pg;

    @BeforeAll
    static void startPostgres() throws IOException {
        if (Files.exists(BASE)) {
            PathUtils.deleteDirectory(BASE);
        }
        pg = TestPostgres.start(BASE.resolve("pg"));
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (pg != null) {
            pg.close();
        }
    }

    private static PostgresCdcSource source(String table, String slot) throws IOException {
        return PostgresCdcSource.builder().url(pg.dataUrl(table)).stateDir(BASE.resolve(slot)).slotName(slot).build();
    }

    @Test
    void shouldDeliverEveryRowExactlyOnceAcrossAWorkerRestart() throws Exception {
        String table = "digits_restart";
        pg.createDigitsTable(table);
        List<Sample> digits = Mnist.all().subList(0, 400);
        try (Connection c = pg.connect()) {
            TestPostgres.insert(c, table, digits.subList(0, 50)); // before the worker starts: snapshot
        }
        AtomicReference<Throwable> inserterFailure = new AtomicReference<>();
        CountDownLatch restarted = new CountDownLatch(1);
        Thread inserter = new Thread(() -> {
            try (Connection c = pg.connect()) {
                for (int from = 50; from < 400; from += 10) {
                    if (from == 250 && !restarted.await(120, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the worker did not restart");
                    }
                    TestPostgres.insert(c, table, digits.subList(from, from + 10));
                    Thread.sleep(25);
                }
            } catch (Exception e) {
                inserterFailure.set(e);
            }
        }, "inserter");

        int beforeRestart;
        long t0 = System.nanoTime();
        try (PostgresCdcSource a = source(table, "w_restart")) {
            a.start();
            inserter.start();
            a.awaitReceived(120, WAIT);
            beforeRestart = a.received();
        } // stopped mid-stream: the inserter goes on
        LOG.info("first engine received {} rows in {} ms before it was stopped", beforeRestart,
                (System.nanoTime() - t0) / 1_000_000);
        assertThat(beforeRestart).isLessThanOrEqualTo(250);

        try (PostgresCdcSource b = source(table, "w_restart")) {
            assertThat(b.received()).isGreaterThanOrEqualTo(beforeRestart); // the log survived
            b.start();
            restarted.countDown(); // rows 251..400 arrive only while the restarted worker runs
            inserter.join(120_000);
            assertThat(inserterFailure.get()).isNull();
            b.awaitReceived(400, WAIT);
            Thread.sleep(1_000); // anything delivered twice would show up now
            LOG.info("second engine: {} rows in all, {} dropped as delivered again", b.received(),
                    b.duplicatesDropped());
            assertThat(b.received()).isEqualTo(400);
            // a clean stop stored the offsets of everything it persisted: nothing is read twice
            assertThat(b.duplicatesDropped()).isZero();
            RoundCut all = b.cut(0);
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < all.rows().size(); i++) {
                ids.add(ByteBuffer.wrap(all.rows().sample(i).rowId()).getLong());
            }
            assertThat(ids).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 400).boxed().toList());
            // the rows are exactly the digits inserted, in id (= insertion) order
            for (int i = 0; i < 400; i++) {
                Sample got = all.rows().sample(i);
                Sample sent = digits.get((int) ByteBuffer.wrap(got.rowId()).getLong() - 1);
                assertThat(got.label()).isEqualTo(sent.label());
                assertThat(got.features()).containsExactly(sent.features());
            }
        }
        try (RowLog raw = RowLog.open(BASE.resolve("w_restart").resolve("rows.log"))) {
            assertThat(raw.size()).isEqualTo(400);
        }
    }

    @Test
    void shouldNeitherLoseNorDuplicateRowsWhenTheWorkerCrashesBeforeItsOffsetsAreStored() throws Exception {
        String table = "digits_crash";
        pg.createDigitsTable(table);
        List<Sample> digits = Mnist.all().subList(1_000, 1_150);
        try (Connection c = pg.connect()) {
            TestPostgres.insert(c, table, digits.subList(0, 30));
        }
        int atCrash;
        try (PostgresCdcSource a = PostgresCdcSource.builder().url(pg.dataUrl(table))
                .stateDir(BASE.resolve("w_crash")).slotName("w_crash").maxBatchSize(10).crashAfterPersisting(60).build()) {
            a.start();
            a.awaitReceived(30, WAIT);
            try (Connection c = pg.connect()) {
                for (int from = 30; from < 150; from += 10) {
                    TestPostgres.insert(c, table, digits.subList(from, from + 10));
                    Thread.sleep(20);
                }
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (a.failure() == null && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(a.failure()).isNotNull();
            atCrash = a.received();
        }
        LOG.info("crashed with {} rows persisted", atCrash);
        assertThat(atCrash).isBetween(60, 69); // batches of at most 10 rows

        try (PostgresCdcSource b = source(table, "w_crash")) {
            assertThat(b.received()).isEqualTo(atCrash);
            b.start();
            b.awaitReceived(150, WAIT);
            Thread.sleep(1_000);
            LOG.info("after the crash: {} rows in all, {} delivered again and dropped", b.received(),
                    b.duplicatesDropped());
            assertThat(b.received()).isEqualTo(150);
            // the batch persisted but never acknowledged came again, and was not counted twice
            assertThat(b.duplicatesDropped()).isPositive();
            RoundCut all = b.cut(0);
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < all.rows().size(); i++) {
                ids.add(ByteBuffer.wrap(all.rows().sample(i).rowId()).getLong());
            }
            assertThat(ids).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 150).boxed().toList());
        }
    }

    @Test
    void shouldCutRoundsAtARecordedPositionAndMatchAnIndependentDataRoot() throws Exception {
        String table = "digits_rounds";
        pg.createDigitsTable(table);
        List<Sample> digits = Mnist.all().subList(5_000, 5_160);
        try (Connection c = pg.connect()) {
            TestPostgres.insert(c, table, digits.subList(0, 100));
        }
        RoundCut first;
        RoundCut second;
        try (PostgresCdcSource src = source(table, "w_rounds")) {
            src.start();
            src.awaitReceived(100, WAIT);
            first = src.cut(0);
            try (Connection c = pg.connect()) { // rows that arrive now feed the next round
                TestPostgres.insert(c, table, digits.subList(100, 130));
                TestPostgres.insert(c, table, digits.subList(130, 160));
            }
            src.awaitReceived(160, WAIT);
            second = src.cut(1);
            assertThat(src.cut(0).dataRoot()).isEqualTo(first.dataRoot());
            assertThat(src.cut(0).rowCount()).isEqualTo(100);
        }
        assertThat(first.rowCount()).isEqualTo(100);
        assertThat(second.rowCount()).isEqualTo(160);
        assertThat(second.lsn()).isGreaterThan(first.lsn());
        assertThat(first.dataRoot()).isEqualTo(independentDataRoot(table, 100));
        assertThat(second.dataRoot()).isEqualTo(independentDataRoot(table, 160));
        assertThat(first.dataRoot()).isNotEqualTo(second.dataRoot());

        // a restarted worker finds the cuts it already made
        try (PostgresCdcSource again = source(table, "w_rounds")) {
            RoundCut replay = again.cut(1);
            assertThat(replay.rowCount()).isEqualTo(160);
            assertThat(replay.lsn()).isEqualTo(second.lsn());
            assertThat(replay.dataRoot()).isEqualTo(second.dataRoot());
            assertThat(io.tributary.trainer.data.DataRoot.of(replay.rows())).isEqualTo(second.dataRoot());
        }
    }

    /**
     * dataRoot from the table itself, written from the documented leaf format: id (int64 BE) as an
     * 8-byte identity, label, feature count, features little-endian; leaves in id order.
     */
    private static byte[] independentDataRoot(String table, long maxId) throws Exception {
        List<byte[]> leaves = new ArrayList<>();
        try (Connection c = pg.connect();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT id, label, features FROM " + table + " WHERE id <= ? ORDER BY id")) {
            ps.setLong(1, maxId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Float[] f = (Float[]) rs.getArray(3).getArray();
                    ByteBuffer b = ByteBuffer.allocate(4 + 8 + 4 + 4 + 4 * f.length);
                    b.putInt(8).putLong(rs.getLong(1)).putInt(rs.getInt(2)).putInt(f.length);
                    b.order(ByteOrder.LITTLE_ENDIAN);
                    for (Float x : f) {
                        b.putFloat(x);
                    }
                    leaves.add(b.array());
                }
            }
        }
        assertThat(leaves).hasSize((int) maxId);
        return MerkleTree.ofLeaves(leaves).root();
    }

}
