package io.tributary.trainer.cdc;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a worker's table lives, parsed from its {@code --data} argument:
 * {@code jdbc:postgresql://HOST[:PORT]/DB?table=[SCHEMA.]T[&user=U][&password=P]}. The schema
 * defaults to {@code public}, the port to 5432.
 */
public record PostgresTable(String host, int port, String database, String schema, String table, String user,
                            String password) {

    private static final String PREFIX = "jdbc:postgresql://";

    public static PostgresTable parse(String url) {
        if (url == null || !url.startsWith(PREFIX)) {
            throw new IllegalArgumentException("expected " + PREFIX + "HOST:PORT/DB?table=T, got " + url);
        }
        URI uri = URI.create("postgresql://" + url.substring(PREFIX.length()));
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host in " + url);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String db = path.startsWith("/") ? path.substring(1) : path;
        if (db.isEmpty()) {
            throw new IllegalArgumentException("no database in " + url);
        }
        Map<String, String> q = query(uri.getRawQuery());
        String table = q.get("table");
        if (table == null || table.isBlank()) {
            throw new IllegalArgumentException("no ?table=T in " + url);
        }
        String schema = "public";
        int dot = table.indexOf('.');
        if (dot >= 0) {
            schema = table.substring(0, dot);
            table = table.substring(dot + 1);
        }
        if (!identifier(schema) || !identifier(table)) {
            throw new IllegalArgumentException("table must be [schema.]name of letters, digits and _, got "
                    + q.get("table"));
        }
        return new PostgresTable(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), db, schema, table,
                q.getOrDefault("user", "postgres"), q.getOrDefault("password", ""));
    }

    /** The JDBC URL of the database (no table, no credentials). */
    public String jdbcUrl() {
        return PREFIX + host + ":" + port + "/" + database;
    }

    /** {@code schema.table}, as Debezium's include list names it. */
    public String qualifiedName() {
        return schema + "." + table;
    }

    @Override
    public String toString() {
        return "PostgresTable{" + jdbcUrl() + " " + qualifiedName() + " user=" + user + "}";
    }

    static boolean identifier(String s) {
        return s.matches("[A-Za-z_][A-Za-z0-9_]*");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
