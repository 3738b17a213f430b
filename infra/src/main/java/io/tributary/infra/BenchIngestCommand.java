package io.tributary.infra;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.contracts.deploy.KeyRoles;
import io.tributary.infra.devnet.ChainSpec;
import io.tributary.infra.devnet.Devnet;
import io.tributary.infra.devnet.DevnetConfig;
import io.tributary.infra.devnet.DevnetInfo;
import io.tributary.ingest.bench.IngestBench;
import io.tributary.ingest.bench.IngestBenchResult;
import io.tributary.ingest.connect.ConnectRestClient;
import io.tributary.schemas.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./tributary bench ingest}: starts a devnet of its own with only the home chain (anvil, KRaft
 * Kafka, the Connect worker with exactly-once source support, the deployed contracts), takes the
 * devnet's EVM log source connector out, and runs {@link IngestBench} with that connector's very
 * configuration: fill the chain with the token's Approval logs, then the bare {@code eth_getLogs}
 * loop and the connector over the same ranges. The devnet is stopped at the end.
 */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        description = {
            "EVM log source connector: fills a devnet home chain with Approval logs of the project token "
                    + "(mining off, many per block), then measures the connector from block 0 to the head "
                    + "against a bare eth_getLogs loop over the same ranges, measured in the same run.",
            "Writes logs_per_s, rpc_ceiling_logs_per_s, logs_vs_rpc_ceiling, events, blocks, ranges and the goals "
                    + "(>= 0.7 x the ceiling, >= 5,000 logs/s) with met / not met."
        })
final class BenchIngestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, description = "JSON file to write.")
    Path out;

    @Option(names = "--events", defaultValue = "20000", description = "Logs to fill the chain with (default ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--logs-per-block", defaultValue = "2000",
            description = "Logs per block (default ${DEFAULT-VALUE}; anvil's pending pool slows down as it grows, "
                    + "so much larger blocks only make the fill slower).")
    int logsPerBlock;

    @Option(names = "--connector-property", paramLabel = "KEY=VALUE",
            description = "Sets an option of the devnet's connector configuration for this run (repeatable), "
                    + "e.g. range.max.blocks=5 or producer.override.batch.size=1048576; the JSON lists them.")
    Map<String, String> connectorProperties = new java.util.LinkedHashMap<>();

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Where the benchmark's devnet keeps its files (default: target/bench-ingest in the repository).")
    Path dir;

    @Option(names = "--anvil", paramLabel = "PATH", description = "The anvil binary (default: the pinned one in contracts/node_modules).")
    Path anvil;

    @Override
    public Integer call() throws Exception {
        if (events < 1 || logsPerBlock < 1) {
            throw new IllegalArgumentException("need --events >= 1 and --logs-per-block >= 1");
        }
        PrintWriter console = spec.commandLine().getOut();
        Environment env = Environment.current();
        DevnetConfig config = new DevnetConfig(dir != null ? dir : env.home().resolve("target").resolve("bench-ingest"),
                anvil != null ? anvil : env.anvil(), env.cacheDir(),
                List.of(ChainSpec.defaults().get(0)), Topics.all().stream().map(Topics.Topic::name).toList(), 1);
        IngestBenchResult result;
        try (Devnet devnet = Devnet.start(config, line -> say(console, "devnet: " + line))) {
            DevnetInfo info = devnet.info();
            DevnetInfo.Chain home = info.home();
            ConnectRestClient connect = new ConnectRestClient(info.ingest().connectRestUrl(), Duration.ofSeconds(60));
            // the devnet's own connector has read the deployment; the benchmark runs the same configuration afresh
            Map<String, String> connectorConfig = connectorConfig(info.ingest().connectRestUrl(), info.ingest().connectorName());
            connect.deleteConnector(info.ingest().connectorName());
            KeyRoles roles = KeyRoles.defaults();
            List<String> senders = new ArrayList<>();
            senders.add(home.devKeys().get(roles.client()).address());
            roles.workers().forEach(w -> senders.add(home.devKeys().get(w).address()));
            IngestBench.Builder bench = IngestBench.builder();
            connectorProperties.forEach(bench::connectorOverride);
            result = bench
                    .connect(connect)
                    .bootstrapServers(info.kafka().bootstrapServers())
                    .connectorConfig(connectorConfig)
                    .chain(home.name())
                    .senders(senders)
                    .events(events)
                    .logsPerBlock(logsPerBlock)
                    .progress(line -> say(console, line))
                    .build()
                    .run();
        }
        result.write(out);
        say(console, String.format(java.util.Locale.ROOT,
                "tributary: ingest benchmark written to %s: %.0f logs/s, ceiling %.0f logs/s, ratio %.2f, goals %s",
                out.toAbsolutePath(), result.logsPerSecond(), result.rpcCeilingLogsPerSecond(), result.logsVsRpcCeiling(),
                result.ceilingGoalMet() && result.rateGoalMet() ? "met" : "not met"));
        return 0;
    }

    /** The configuration of a running connector, as its Connect worker holds it. */
    private static Map<String, String> connectorConfig(String restUrl, String name) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(restUrl + "/connectors/" + name + "/config"))
                        .timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + r.uri() + " answered " + r.statusCode() + ": " + r.body());
        }
        return new ObjectMapper().readValue(r.body(), new TypeReference<Map<String, String>>() {});
    }

    private static void say(PrintWriter console, String line) {
        console.println(line);
        console.flush();
    }
}
