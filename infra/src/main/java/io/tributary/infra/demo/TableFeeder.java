package io.tributary.infra.demo;

import io.tributary.infra.devnet.DevnetInfo;
import io.tributary.trainer.data.Sample;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's data silo: a table {@code (id bigint primary key, label int, features bytea)} in the
 * devnet's Postgres, holding one worker's MNIST share. A first part of the rows is inserted at once;
 * {@link #feed} inserts the rest a batch at a time while the task runs, so later rounds train on
 * rows that arrived during earlier ones (the worker reads them through Debezium).
 */
public final class TableFeeder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TableFeeder.class);
    /** Part of the rows in the table before the task starts. */
    static final double INITIAL_SHARE = 0.5;

    private final DevnetInfo.Postgres postgres;
    private final String table;
    private final List<Sample> rows;
    private final AtomicInteger inserted = new AtomicInteger();
    private final Connection connection;

    private TableFeeder(DevnetInfo.Postgres postgres, String table, List<Sample> rows, Connection connection) {
        this.postgres = postgres;
        this.table = table;
        this.rows = List.copyOf(rows);
        this.connection = connection;
    }

    /** Creates the table (empty) and inserts the first {@link #INITIAL_SHARE} of {@code rows}. */
    static TableFeeder create(DevnetInfo.Postgres postgres, String table, List<Sample> rows) throws SQLException {
        if (!table.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("table name must be a plain identifier, was " + table);
        }
        Connection c = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, label integer NOT NULL, features bytea NOT NULL)");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        TableFeeder feeder = new TableFeeder(postgres, table, rows, c);
        feeder.insertUpTo((int) Math.ceil(rows.size() * INITIAL_SHARE));
        return feeder;
    }

    /** The worker's {@code --data} URL for this table. */
    String cdcUrl() {
        return postgres.jdbcUrl() + "?table=" + table + "&user=" + encode(postgres.user()) + "&password="
                + encode(postgres.password());
    }

    /** Inserts the next {@code count} rows (fewer at the end); returns how many went in. */
    public synchronized int feed(int count) throws SQLException {
        int before = inserted.get();
        insertUpTo(Math.min(rows.size(), before + count));
        return inserted.get() - before;
    }

    /** Rows inserted so far, and in all. */
    public int inserted() {
        return inserted.get();
    }

    public int total() {
        return rows.size();
    }

    private void insertUpTo(int end) throws SQLException {
        int start = inserted.get();
        if (end <= start) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO " + table + " (id, label, features) VALUES (?, ?, ?)")) {
            for (int i = start; i < end; i++) {
                Sample s = rows.get(i);
                insert.setLong(1, i + 1L);
                insert.setInt(2, s.label());
                insert.setBytes(3, littleEndian(s.features()));
                insert.addBatch();
            }
            insert.executeBatch();
        }
        inserted.set(end);
        LOG.debug("table {}: {} of {} rows inserted", table, end, rows.size());
    }

    private static byte[] littleEndian(float[] features) {
        ByteBuffer b = ByteBuffer.allocate(features.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : features) {
            b.putFloat(f);
        }
        return b.array();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
