package io.tributary.infra.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.infra.devnet.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's {@code prometheus} package, which {@code ./tributary test}
 * fetches into {@code .cache/prometheus}) on a free loopback port, and its HTTP API.
 */
public final class PrometheusProcess implements AutoCloseable {

    /** Where the binary is named, by the launcher or by hand. */
    public static final String BINARY_ENV = "TRIBUTARY_PROMETHEUS";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusProcess(Process process, String base) {
        this.process = process;
        this.base = base;
    }

    /** The Prometheus binary: $TRIBUTARY_PROMETHEUS, the project cache, or the one on PATH. */
    public static Path binary() {
        String named = System.getenv(BINARY_ENV);
        if (named != null && !named.isBlank()) {
            Path p = Path.of(named);
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(BINARY_ENV + "=" + named + " is not an executable file");
            }
            return p;
        }
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of("..", ".cache", "prometheus", "usr", "bin", "prometheus"));
        candidates.add(Path.of(".cache", "prometheus", "usr", "bin", "prometheus"));
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "prometheus"));
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst().map(Path::toAbsolutePath)
                .orElseThrow(() -> new IllegalStateException("no Prometheus binary: run `./tributary test`, which fetches "
                        + "Debian's prometheus package into .cache/prometheus, or set " + BINARY_ENV + " to its binary"));
    }

    /** Starts Prometheus on {@code config}, keeping its data in {@code dataDir}; returns once it is ready. */
    public static PrometheusProcess start(Path config, Path dataDir, Path log) throws IOException, InterruptedException {
        int port = FreePorts.allocate(1).get(0);
        Files.createDirectories(dataDir);
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process process = new ProcessBuilder(binary().toString(),
                "--config.file=" + config.toAbsolutePath(),
                "--storage.tsdb.path=" + dataDir.toAbsolutePath(),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        PrometheusProcess prometheus = new PrometheusProcess(process, "http://127.0.0.1:" + port);
        try {
            prometheus.awaitReady(Duration.ofSeconds(60), log);
        } catch (IOException | InterruptedException | RuntimeException e) {
            prometheus.close();
            throw e;
        }
        return prometheus;
    }

    private void awaitReady(Duration timeout, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("Prometheus exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("Prometheus not ready after " + timeout.toSeconds() + " s: " + Files.readString(log));
            }
            Thread.sleep(200);
        }
    }

    /** GET {@code /api/v1/<path>?<query>}; fails unless Prometheus answers "success". Returns {@code data}. */
    public JsonNode api(String path, String... params) throws IOException, InterruptedException {
        StringBuilder url = new StringBuilder(base).append("/api/v1/").append(path);
        for (int i = 0; i < params.length; i += 2) {
            url.append(i == 0 ? '?' : '&').append(params[i]).append('=')
                    .append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url.toString()))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new IOException("Prometheus refused " + path + " " + String.join(" ", params) + ": HTTP "
                    + r.statusCode() + " " + r.body());
        }
        return body.get("data");
    }

    /** The series of {@code expr} over [start, end] at {@code step} ({@code data.result}, a matrix). */
    public JsonNode queryRange(String expr, Instant start, Instant end, Duration step) throws IOException, InterruptedException {
        return api("query_range", "query", expr, "start", Long.toString(start.getEpochSecond()),
                "end", Long.toString(end.getEpochSecond()), "step", step.toSeconds() + "s").get("result");
    }

    /** Every metric name Prometheus has stored. */
    public Set<String> metricNames() throws IOException, InterruptedException {
        Set<String> names = new TreeSet<>();
        api("label/__name__/values").forEach(n -> names.add(n.asText()));
        return names;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
