package io.tributary.infra.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.ingest.connect.ConnectRestClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** Asks every part of a devnet whether it answers, and what it says. */
public final class DevnetProbe {

    private DevnetProbe() {}

    /** One part's answer. */
    public record Check(String part, boolean ok, String detail) {}

    /** Chain ids and block heights, the broker's topics, Postgres's wal_level. */
    public static List<Check> probe(DevnetInfo info) throws InterruptedException {
        List<Check> checks = new ArrayList<>();
        for (DevnetInfo.Chain chain : info.chains()) {
            checks.add(probeChain(chain));
        }
        checks.add(probeKafka(info.kafka()));
        checks.add(probePostgres(info.postgres()));
        if (info.ingest() != null) {
            checks.add(probeConnector(info.ingest()));
        }
        if (info.metrics() != null) {
            for (DevnetInfo.Endpoint endpoint : info.metrics().endpoints()) {
                checks.add(probeMetrics(endpoint));
            }
        }
        return checks;
    }

    /** A metrics endpoint answers a scrape with the text format. */
    static Check probeMetrics(DevnetInfo.Endpoint endpoint) throws InterruptedException {
        String part = "metrics " + endpoint.part();
        try {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(endpoint.url()))
                            .timeout(Duration.ofSeconds(10)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            long series = r.body().lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).count();
            return new Check(part, r.statusCode() == 200, endpoint.url() + " HTTP " + r.statusCode() + ", " + series + " samples");
        } catch (java.io.IOException e) {
            return new Check(part, false, "no answer from " + endpoint.url() + ": " + e.getMessage());
        }
    }

    static Check probeChain(DevnetInfo.Chain chain) throws InterruptedException {
        try {
            JsonRpc rpc = new JsonRpc(chain.rpcUrl());
            long chainId = rpc.chainId();
            long height = rpc.blockNumber();
            return new Check(chain.name(), chainId == chain.chainId(),
                    "chain id " + chainId + ", block " + height + " (" + chain.rpcUrl() + ")");
        } catch (java.io.IOException e) {
            return new Check(chain.name(), false, "no answer from " + chain.rpcUrl() + ": " + e.getMessage());
        }
    }

    static Check probeKafka(DevnetInfo.Kafka kafka) {
        Properties props = new Properties();
        props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        props.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        try (Admin admin = Admin.create(props)) {
            Set<String> topics = new TreeSet<>(admin.listTopics().names().get(10, TimeUnit.SECONDS));
            boolean ok = topics.containsAll(kafka.topics());
            return new Check("kafka", ok, kafka.bootstrapServers() + " topics " + topics);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return new Check("kafka", false, "no answer from " + kafka.bootstrapServers() + ": " + e);
        }
    }

    static Check probeConnector(DevnetInfo.Ingest ingest) throws InterruptedException {
        try {
            JsonNode status = new ConnectRestClient(ingest.connectRestUrl(), Duration.ofSeconds(10))
                    .status(ingest.connectorName());
            String state = status.path("connector").path("state").asText("?");
            List<String> tasks = new ArrayList<>();
            status.path("tasks").forEach(t -> tasks.add(t.path("state").asText("?")));
            boolean ok = "RUNNING".equals(state) && !tasks.isEmpty() && tasks.stream().allMatch("RUNNING"::equals);
            return new Check("connector", ok, ingest.connectorName() + " " + state + ", tasks " + tasks
                    + " (" + ingest.connectRestUrl() + ")");
        } catch (java.io.IOException e) {
            return new Check("connector", false, "no answer from " + ingest.connectRestUrl() + ": " + e.getMessage());
        }
    }

    static Check probePostgres(DevnetInfo.Postgres postgres) {
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SHOW wal_level")) {
            rs.next();
            String walLevel = rs.getString(1);
            return new Check("postgres", "logical".equals(walLevel), postgres.jdbcUrl() + " wal_level=" + walLevel);
        } catch (java.sql.SQLException e) {
            return new Check("postgres", false, "no answer from " + postgres.jdbcUrl() + ": " + e.getMessage());
        }
    }
}
