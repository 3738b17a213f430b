package io.tributary.trainer.cdc;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.tributary.trainer.data.DataRoot;
import io.tributary.trainer.data.Sample;
import io.tributary.trainer.data.TrainingData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's data silo (DESIGN decision 9): a Debezium embedded Postgres connector (pgoutput)
 * streams the rows of one table into the worker, which keeps them in a durable {@link RowLog}
 * under its state directory next to Debezium's file offset store.
 *
 * <p>The table is append-only training data: a numeric primary key, an integer label and the
 * features as {@code real[]} or {@code bytea} (little-endian float32s). Existing rows arrive by the
 * initial snapshot, new ones by streaming; updates and deletes are logged and ignored.
 *
 * <p><b>Exactly once across restarts.</b> Each batch is appended and forced to the row log before
 * the engine is told it was processed, and offsets are flushed after every batch; so the offsets
 * never run ahead of the log (no row skipped), and a row that is delivered again after a crash is
 * recognized by its primary key and dropped (no row counted twice).
 *
 * <p><b>Rounds.</b> {@link #cut(long)} fixes the rows of a round: every row received so far, up to
 * the log position of the last one, with its {@code dataRoot}; the cut is recorded durably, so asking
 * again (even after a restart) returns the same rows. Rows that arrive later feed the next round.
 */
public final class PostgresCdcSource implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresCdcSource.class);

    private final PostgresTable table;
    private final Path stateDir;
    private final String slotName;
    private final String idColumn;
    private final String labelColumn;
    private final String featuresColumn;
    private final int crashAfterRows;
    private final int maxBatchSize;
    private final Object lock = new Object();
    private final RowLog rows;
    private final RoundLog rounds;
    private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private ExecutorService executor;
    private volatile Throwable failure;
    private volatile boolean stopped;
    private long ignored;

    private PostgresCdcSource(Builder b) throws IOException {
        this.table = b.table;
        this.stateDir = b.stateDir;
        this.slotName = b.slotName;
        this.idColumn = b.idColumn;
        this.labelColumn = b.labelColumn;
        this.featuresColumn = b.featuresColumn;
        this.crashAfterRows = b.crashAfterRows;
        this.maxBatchSize = b.maxBatchSize;
        Files.createDirectories(stateDir);
        this.rows = RowLog.open(stateDir.resolve("rows.log"));
        this.rounds = RoundLog.open(stateDir.resolve("rounds.log"));
        if (rounds.maxRowCount() > rows.size()) {
            rows.close();
            throw new IOException("state dir " + stateDir + " is inconsistent: a round used " + rounds.maxRowCount()
                    + " rows, the row log holds " + rows.size());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the Debezium engine on its own thread (resuming from the stored offsets, if any). */
    public void start() {
        synchronized (lock) {
            if (engine != null) {
                throw new IllegalStateException("already started");
            }
            LOG.info("CDC source for {} starting with {} rows already received (slot {}, state {})", table,
                    rows.size(), slotName, stateDir);
            engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                    .using(engineProperties())
                    .notifying(this::handleBatch)
                    .using((success, message, error) -> {
                        if (!success && !stopped) {
                            failure = error != null ? error : new IllegalStateException(message);
                            LOG.error("CDC engine for {} stopped: {}", table, message, error);
                        }
                    })
                    .build();
            executor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "cdc-" + slotName);
                t.setDaemon(true);
                return t;
            });
            executor.execute(engine);
        }
    }

    Properties engineProperties() {
        Properties p = new Properties();
        p.setProperty("name", "tributary-cdc-" + slotName);
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        p.setProperty("offset.storage.file.filename", stateDir.resolve("offsets.dat").toString());
        p.setProperty("offset.flush.interval.ms", "0");
        p.setProperty("database.hostname", table.host());
        p.setProperty("database.port", Integer.toString(table.port()));
        p.setProperty("database.user", table.user());
        p.setProperty("database.password", table.password());
        p.setProperty("database.dbname", table.database());
        p.setProperty("topic.prefix", "tributary_" + slotName);
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", slotName);
        p.setProperty("publication.name", slotName + "_pub");
        p.setProperty("publication.autocreate.mode", "filtered");
        p.setProperty("table.include.list", table.qualifiedName());
        p.setProperty("snapshot.mode", "initial");
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty("binary.handling.mode", "bytes");
        p.setProperty("max.batch.size", Integer.toString(maxBatchSize));
        p.setProperty("max.queue.size", Integer.toString(Math.max(8192, 4 * maxBatchSize)));
        return p;
    }

    private void handleBatch(List<RecordChangeEvent<SourceRecord>> batch,
                             DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<RowLog.Entry> entries = new ArrayList<>();
        for (RecordChangeEvent<SourceRecord> event : batch) {
            RowLog.Entry e = toEntry(event.record());
            if (e != null) {
                entries.add(e);
            }
        }
        synchronized (lock) {
            try {
                int appended = rows.append(entries);
                if (appended < entries.size()) {
                    LOG.info("CDC {}: dropped {} rows delivered again", table, entries.size() - appended);
                }
            } catch (IOException e) {
                // the rows are not durable: do not acknowledge them, stop the engine
                throw new UncheckedIOException("cannot persist received rows to " + stateDir, e);
            }
            lock.notifyAll();
            if (crashAfterRows >= 0 && rows.size() >= crashAfterRows) {
                throw new IllegalStateException("fault injection: crash after persisting " + rows.size()
                        + " rows, before the engine stores their offsets");
            }
        }
        for (RecordChangeEvent<SourceRecord> event : batch) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
    }

    /** The row of an insert (or snapshot read) event; null for anything else. */
    private RowLog.Entry toEntry(SourceRecord record) {
        if (!(record.value() instanceof Struct envelope) || envelope.schema().field("op") == null) {
            return null; // tombstone, heartbeat, transaction marker
        }
        String op = envelope.getString("op");
        if (!"c".equals(op) && !"r".equals(op)) {
            ignore("operation " + op + " (the training table is append-only)");
            return null;
        }
        Struct after = envelope.getStruct("after");
        Struct source = envelope.getStruct("source");
        Object id = value(after, idColumn);
        Object label = value(after, labelColumn);
        Object features = value(after, featuresColumn);
        if (!(id instanceof Number pk) || !(label instanceof Number lab) || features == null) {
            ignore("row without a numeric " + idColumn + ", a numeric " + labelColumn + " and " + featuresColumn);
            return null;
        }
        float[] x = features(features);
        if (x == null) {
            ignore("row " + pk + ": " + featuresColumn + " is neither real[] nor bytea of float32s");
            return null;
        }
        if (lab.intValue() < 0) {
            ignore("row " + pk + ": negative label " + lab);
            return null;
        }
        Object lsn = source == null ? null : value(source, "lsn");
        return new RowLog.Entry(lsn instanceof Number n ? n.longValue() : -1,
                new Sample(DataRoot.idOf(pk.longValue()), lab.intValue(), x));
    }

    private static Object value(Struct s, String field) {
        if (s == null) {
            return null;
        }
        Field f = s.schema().field(field);
        return f == null ? null : s.get(f);
    }

    private static float[] features(Object v) {
        if (v instanceof List<?> list) {
            float[] x = new float[list.size()];
            for (int i = 0; i < x.length; i++) {
                if (!(list.get(i) instanceof Number n)) {
                    return null;
                }
                x[i] = n.floatValue();
            }
            return x;
        }
        ByteBuffer b = v instanceof byte[] bytes ? ByteBuffer.wrap(bytes)
                : v instanceof ByteBuffer bb ? bb.duplicate() : null;
        if (b == null || b.remaining() % 4 != 0) {
            return null;
        }
        b.order(ByteOrder.LITTLE_ENDIAN);
        float[] x = new float[b.remaining() / 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = b.getFloat();
        }
        return x;
    }

    private void ignore(String why) {
        synchronized (lock) {
            ignored++;
        }
        LOG.warn("CDC {}: ignoring {}", table, why);
    }

    /** Why the engine stopped on its own (an error), or null while it runs or after a normal close. */
    public Throwable failure() {
        return failure;
    }

    /** Rows received so far (durably). */
    public int received() {
        synchronized (lock) {
            return rows.size();
        }
    }

    /** Rows delivered again after a restart and dropped. */
    public long duplicatesDropped() {
        synchronized (lock) {
            return rows.duplicates();
        }
    }

    /** Change events that were not training rows (updates, deletes, malformed rows). */
    public long ignored() {
        synchronized (lock) {
            return ignored;
        }
    }

    /** Waits until at least {@code count} rows were received. */
    public void awaitReceived(int count, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (rows.size() < count) {
                if (failure != null) {
                    throw new IllegalStateException("CDC engine failed", failure);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("received " + rows.size() + " of " + count + " rows from " + table);
                }
                lock.wait(Math.max(1, Math.min(left / 1_000_000, 200)));
            }
        }
    }

    /**
     * The rows of round {@code round}: the cut recorded for it, or, the first time, every row
     * received so far (recorded durably before returning).
     */
    public RoundCut cut(long round) throws IOException {
        synchronized (lock) {
            RoundLog.Cut c = rounds.get(round);
            if (c == null) {
                int n = rows.size();
                TrainingData data = TrainingData.of(rows.rows(n));
                c = new RoundLog.Cut(round, n, rows.lsn(n - 1), DataRoot.of(data));
                rounds.append(c);
                LOG.info("CDC {}: round {} trains on {} rows up to lsn {}", table, round, n, c.lsn());
                return new RoundCut(round, n, c.lsn(), c.dataRoot(), data);
            }
            TrainingData data = TrainingData.of(rows.rows(c.rowCount()));
            return new RoundCut(round, c.rowCount(), c.lsn(), c.dataRoot(), data);
        }
    }

    /** Stops the engine first, then its executor (STACK.md), then closes the logs. */
    @Override
    public void close() throws IOException {
        stopped = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        try {
            if (engine != null) {
                try {
                    engine.close();
                } catch (IllegalStateException alreadyDown) {
                    // the engine stopped on its own (see failure()); nothing left to stop
                    LOG.debug("CDC engine for {} was already down: {}", table, alreadyDown.getMessage());
                }
            }
        } finally {
            try {
                if (executor != null) {
                    executor.shutdown();
                    if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                        LOG.warn("CDC engine thread for {} did not stop in 30 s", table);
                        executor.shutdownNow();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                synchronized (lock) {
                    rows.close();
                }
            }
        }
    }

    public static final class Builder {
        private PostgresTable table;
        private Path stateDir;
        private String slotName;
        private String idColumn = "id";
        private String labelColumn = "label";
        private String featuresColumn = "features";
        private int crashAfterRows = -1;
        private int maxBatchSize = 2048;

        private Builder() {
        }

        /** {@code jdbc:postgresql://HOST:PORT/DB?table=T[&user=U&password=P]}. */
        public Builder url(String url) {
            this.table = PostgresTable.parse(url);
            return this;
        }

        public Builder table(PostgresTable table) {
            this.table = table;
            return this;
        }

        /** The worker's own directory: row log, round cuts and Debezium offsets live there. */
        public Builder stateDir(Path stateDir) {
            this.stateDir = stateDir;
            return this;
        }

        /** The replication slot (one per worker and table): lowercase letters, digits and _. */
        public Builder slotName(String slotName) {
            this.slotName = slotName;
            return this;
        }

        public Builder columns(String id, String label, String features) {
            this.idColumn = id;
            this.labelColumn = label;
            this.featuresColumn = features;
            return this;
        }

        /** Most change events handed over (and forced to the row log) at once; default 2048. */
        public Builder maxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        /**
         * Fault injection for tests: once the row log holds {@code rows} rows, the batch handler
         * fails after persisting its rows and before acknowledging them, as a crash there would.
         */
        Builder crashAfterPersisting(int rows) {
            this.crashAfterRows = rows;
            return this;
        }

        public PostgresCdcSource build() throws IOException {
            if (table == null) {
                throw new IllegalArgumentException("url (jdbc:postgresql://...?table=T) must be set");
            }
            if (stateDir == null) {
                throw new IllegalArgumentException("stateDir must be set");
            }
            if (slotName == null || !slotName.matches("[a-z0-9_]{1,50}")) {
                throw new IllegalArgumentException("slotName must be 1-50 of [a-z0-9_], got " + slotName);
            }
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + maxBatchSize);
            }
            for (String c : new String[] {idColumn, labelColumn, featuresColumn}) {
                if (c == null || !PostgresTable.identifier(c)) {
                    throw new IllegalArgumentException("bad column name " + c);
                }
            }
            return new PostgresCdcSource(this);
        }
    }
}
