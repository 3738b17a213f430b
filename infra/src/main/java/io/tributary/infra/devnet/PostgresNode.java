package io.tributary.infra.devnet;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The devnet's PostgreSQL 14 (embedded binaries), configured for logical decoding so Debezium can
 * stream a table. Binaries are extracted once into a cache directory; data lives under the devnet.
 */
final class PostgresNode implements AutoCloseable {

    static final String USER = "postgres";
    /** Local connections use trust authentication; this password is accepted and not checked. */
    static final String PASSWORD = "postgres";

    private final EmbeddedPostgres postgres;
    private final int port;
    private final long pid;

    private PostgresNode(EmbeddedPostgres postgres, int port, long pid) {
        this.postgres = postgres;
        this.port = port;
        this.pid = pid;
    }

    static PostgresNode start(Path dataDir, Path binariesDir, int port, Path log) throws IOException {
        Files.createDirectories(binariesDir);
        Files.createDirectories(dataDir.getParent());
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(binariesDir.toFile())
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(true)
                .setRegisterShutdownHook(false)
                .setPort(port)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "10")
                .setServerConfig("max_wal_senders", "10")
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        try {
            return new PostgresNode(postgres, port, postmasterPid(dataDir));
        } catch (IOException | RuntimeException e) {
            postgres.close();
            throw e;
        }
    }

    /** The postmaster writes its pid on the first line of postmaster.pid. */
    private static long postmasterPid(Path dataDir) throws IOException {
        List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.US_ASCII);
        if (lines.isEmpty()) {
            throw new IOException("empty postmaster.pid in " + dataDir);
        }
        return Long.parseLong(lines.get(0).trim());
    }

    DevnetInfo.Postgres info() {
        return new DevnetInfo.Postgres("jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER, PASSWORD, pid);
    }

    long pid() {
        return pid;
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
