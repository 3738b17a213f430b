package io.tributary.trainer.cdc;

import io.tributary.trainer.data.Sample;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * A real PostgreSQL 14 for ITs: embedded binaries (cached under ~/.cache/tributary/postgres), data
 * under target/, 127.0.0.1 on a free port, {@code wal_level=logical}. Always close it.
 */
public final class TestPostgres implements AutoCloseable {

    private final EmbeddedPostgres postgres;
    private final int port;

    private TestPostgres(EmbeddedPostgres postgres, int port) {
        this.postgres = postgres;
        this.port = port;
    }

    public static TestPostgres start(Path dataDir) throws IOException {
        Path binaries = Path.of(System.getProperty("tributary.postgres.binaries",
                System.getProperty("user.home") + "/.cache/tributary/postgres"));
        Files.createDirectories(binaries);
        Files.createDirectories(dataDir.getParent());
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(binaries.toFile())
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(true)
                .setRegisterShutdownHook(true)
                .setPort(port)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "10")
                .setServerConfig("max_wal_senders", "10")
                .start();
        return new TestPostgres(pg, port);
    }

    /** The worker's data URL for {@code table}. */
    public String dataUrl(String table) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?table=" + table + "&user=postgres&password=postgres";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "postgres");
    }

    /** Creates {@code table(id bigserial primary key, label int, features real[])}. */
    public void createDigitsTable(String table) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (id bigserial PRIMARY KEY, label int NOT NULL, features real[] NOT NULL)");
        }
    }

    /** Inserts the samples' labels and features in one transaction; ids come from the sequence. */
    public static void insert(Connection c, String table, List<Sample> samples) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (label, features) VALUES (?, ?)")) {
            for (Sample s : samples) {
                Float[] boxed = new Float[s.features().length];
                for (int i = 0; i < boxed.length; i++) {
                    boxed[i] = s.features()[i];
                }
                Array arr = c.createArrayOf("float4", boxed);
                ps.setInt(1, s.label());
                ps.setArray(2, arr);
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
        } finally {
            c.setAutoCommit(auto);
        }
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
