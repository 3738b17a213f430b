package io.tributary.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.infra.devnet.DevnetInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./tributary flink ...}: runs the round aggregation job on a Flink cluster over the
 * JobManager's REST API ({@code /jars/upload}, {@code /jars/:id/run}, {@code /jobs/...}). Progress
 * goes to stderr; what a script wants (a job id, a savepoint path) is the one thing on stdout.
 */
@Command(
        name = "flink",
        mixinStandardHelpOptions = true,
        description = "Run the round aggregation job on a Flink cluster (REST API).",
        subcommands = {FlinkCommand.Submit.class, FlinkCommand.Savepoint.class, FlinkCommand.ListJobs.class})
public final class FlinkCommand implements Runnable {

    /** Job states after which a job never runs again. */
    static final Set<String> TERMINAL = Set.of("FAILED", "CANCELED", "FINISHED", "SUSPENDED");

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The job jar flink-jobs builds (maven-shade-plugin, classifier {@code job}). */
    static Path defaultJar(Environment env) {
        return env.home().resolve("flink-jobs/target/flink-jobs-" + Environment.version() + "-job.jar");
    }

    /**
     * The job's {@code --key value} program arguments: the devnet's Kafka first (when given), then
     * the {@code -D} pairs, which win. Keys are passed through; the job names its own options
     * (RoundAggregationJobMain) and refuses unknown ones.
     */
    static List<String> programArgs(DevnetInfo devnet, Map<String, String> options) {
        Map<String, String> merged = new LinkedHashMap<>();
        if (devnet != null) {
            merged.put("kafka.bootstrap-servers", devnet.kafka().bootstrapServers());
        }
        merged.putAll(options);
        List<String> args = new ArrayList<>();
        merged.forEach((k, v) -> {
            if (k.isBlank() || k.startsWith("-")) {
                throw new IllegalArgumentException("-D expects key=value with a job option as key, got '" + k + "'");
            }
            args.add("--" + k);
            args.add(v);
        });
        return args;
    }

    /** The options every subcommand shares. */
    static final class Cluster {
        @Option(names = "--rest", required = true, paramLabel = "URL",
                description = "REST address of the JobManager, e.g. http://127.0.0.1:8081.")
        URI rest;

        @Option(names = "--timeout", defaultValue = "PT2M", paramLabel = "DURATION",
                description = "How long to wait for the cluster (ISO-8601, default ${DEFAULT-VALUE}).")
        Duration timeout;

        FlinkRest client() {
            return new FlinkRest(rest, timeout);
        }
    }

    /** {@code flink submit}: upload the job jar, run it, wait until it runs. */
    @Command(
            name = "submit",
            mixinStandardHelpOptions = true,
            description = {
                "Upload the job jar to a running Flink cluster, start RoundAggregationJobMain (from a savepoint "
                        + "with --savepoint, every operator state must be restored) and wait until all its tasks run.",
                "Prints the job id on stdout."
            })
    static final class Submit implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Cluster cluster;

        @Option(names = "--jar", paramLabel = "PATH",
                description = "Job jar (default: flink-jobs/target/flink-jobs-<version>-job.jar of this checkout).")
        Path jar;

        @Option(names = "--savepoint", paramLabel = "PATH", description = "Savepoint (or retained checkpoint) to start from.")
        String savepoint;

        @Option(names = "--devnet", paramLabel = "DIR",
                description = "Devnet whose devnet.json gives the job its Kafka bootstrap servers.")
        Path devnet;

        @Option(names = "--parallelism", paramLabel = "N", description = "Job parallelism (default: the cluster's).")
        Integer parallelism;

        @Option(names = "-D", paramLabel = "KEY=VALUE",
                description = "A job option (e.g. -D models=1=784:4 -D checkpoint.interval=5s); repeatable.")
        Map<String, String> options = new LinkedHashMap<>();

        @Override
        public Integer call() throws IOException, InterruptedException {
            Path jarFile = jar != null ? jar : defaultJar(Environment.current());
            if (!Files.isRegularFile(jarFile)) {
                throw new IllegalArgumentException("job jar " + jarFile + " not found: build it with "
                        + "'mvn -B -ntp -pl flink-jobs -am package -DskipTests' (any ./tributary command builds it too), "
                        + "or pass --jar");
            }
            DevnetInfo info = devnet == null ? null : DevnetInfo.read(DevnetInfo.file(devnet));
            List<String> args = programArgs(info, options);
            PrintWriter err = spec.commandLine().getErr();
            FlinkRest rest = cluster.client();
            rest.checkReachable();

            err.printf("uploading %s (%d MB) to %s%n", jarFile.getFileName(), Files.size(jarFile) >> 20, cluster.rest);
            err.flush();
            String jarId = rest.upload(jarFile);
            String jobId = rest.run(jarId, args, savepoint, parallelism);
            err.printf("job %s submitted%s; waiting until it runs%n", jobId,
                    savepoint == null ? "" : " from savepoint " + savepoint);
            err.flush();
            rest.awaitRunning(jobId);
            err.printf("job %s is RUNNING%n", jobId);
            err.flush();
            spec.commandLine().getOut().println(jobId);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /** {@code flink savepoint}: trigger a savepoint (or stop with one) and wait for its path. */
    @Command(
            name = "savepoint",
            mixinStandardHelpOptions = true,
            description = {"Take a savepoint of a running job; with --stop, stop the job with it.",
                "Prints the savepoint's path on stdout."})
    static final class Savepoint implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Cluster cluster;

        @Option(names = "--job", required = true, paramLabel = "ID", description = "Job id.")
        String job;

        @Option(names = "--dir", required = true, paramLabel = "PATH",
                description = "Target directory (a path or URI the cluster can write).")
        String dir;

        @Option(names = "--stop", description = "Stop the job once the savepoint is taken (stop-with-savepoint).")
        boolean stop;

        @Override
        public Integer call() throws IOException, InterruptedException {
            FlinkRest rest = cluster.client();
            rest.checkReachable();
            String location = rest.savepoint(job, dir, stop);
            if (stop) {
                String state = rest.awaitTerminal(job);
                spec.commandLine().getErr().printf("job %s stopped (%s)%n", job, state);
            }
            spec.commandLine().getErr().flush();
            spec.commandLine().getOut().println(location);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /** {@code flink list}: the cluster's jobs. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the cluster's jobs: id, state, name (one per line).")
    static final class ListJobs implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Cluster cluster;

        @Override
        public Integer call() throws IOException, InterruptedException {
            FlinkRest rest = cluster.client();
            rest.checkReachable();
            for (JsonNode job : rest.get("/jobs/overview").path("jobs")) {
                spec.commandLine().getOut().printf("%s %s %s%n", job.path("jid").asText(), job.path("state").asText(),
                        job.path("name").asText());
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /**
     * The few calls of Flink's REST API the CLI makes. A non-2xx answer becomes an IOException that
     * carries Flink's own {@code errors} text; a refused connection says where nobody answered.
     */
    public static final class FlinkRest {
        private static final ObjectMapper JSON = new ObjectMapper();
        private static final Duration POLL = Duration.ofMillis(250);

        private final URI base;
        private final Duration timeout;
        private final HttpClient http;

        public FlinkRest(URI base, Duration timeout) {
            String s = base.toString();
            this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
            this.timeout = timeout;
            this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        }

        /** Fails with a clear message when no Flink JobManager answers at the address. */
        public void checkReachable() throws IOException, InterruptedException {
            JsonNode config = get("/config");
            if (!config.has("flink-version")) {
                throw new IOException(base + " answered /config without a flink-version: not a Flink REST endpoint");
            }
        }

        /** POST /jars/upload (multipart, field {@code jarfile}); returns the jar id. */
        public String upload(Path jar) throws IOException, InterruptedException {
            String boundary = "tributary-" + UUID.randomUUID();
            String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                    + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n";
            String tail = "\r\n--" + boundary + "--\r\n";
            HttpRequest request = HttpRequest.newBuilder(uri("/jars/upload"))
                    .timeout(timeout)
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.concat(
                            HttpRequest.BodyPublishers.ofString(head, StandardCharsets.UTF_8),
                            HttpRequest.BodyPublishers.ofFile(jar),
                            HttpRequest.BodyPublishers.ofString(tail, StandardCharsets.UTF_8)))
                    .build();
            JsonNode answer = send(request, "uploading " + jar.getFileName());
            String filename = answer.path("filename").asText("");
            if (filename.isEmpty()) {
                throw new IOException("the cluster accepted the upload but named no jar: " + answer);
            }
            return Path.of(filename).getFileName().toString();
        }

        /** POST /jars/:id/run; returns the job id. */
        public String run(String jarId, List<String> programArgs, String savepoint, Integer parallelism)
                throws IOException, InterruptedException {
            ObjectNode body = JSON.createObjectNode();
            body.putArray("programArgsList").addAll(programArgs.stream().map(JSON.getNodeFactory()::textNode).toList());
            if (savepoint != null) {
                body.put("savepointPath", savepoint);
                body.put("allowNonRestoredState", false);
            }
            if (parallelism != null) {
                body.put("parallelism", parallelism);
            }
            JsonNode answer = send(post("/jars/" + jarId + "/run", body), "running the job jar");
            String jobId = answer.path("jobid").asText("");
            if (jobId.isEmpty()) {
                throw new IOException("the cluster ran the jar but returned no job id: " + answer);
            }
            return jobId;
        }

        /**
         * Waits until the job and all its vertices are RUNNING; fails with the job's root exception
         * when it ends instead.
         */
        public void awaitRunning(String jobId) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            String state = "";
            while (System.nanoTime() < deadline) {
                JsonNode job = get("/jobs/" + jobId);
                state = job.path("state").asText();
                if (TERMINAL.contains(state)) {
                    throw new IOException("job " + jobId + " is " + state + " instead of RUNNING: " + rootException(jobId));
                }
                if ("RUNNING".equals(state) && allVerticesRunning(job)) {
                    return;
                }
                Thread.sleep(POLL.toMillis());
            }
            throw new IOException("job " + jobId + " did not reach RUNNING within " + timeout + " (last state " + state
                    + "); is a TaskManager with free slots registered?");
        }

        /** Waits until the job reached a terminal state; returns it. */
        public String awaitTerminal(String jobId) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                String state = get("/jobs/" + jobId).path("state").asText();
                if (TERMINAL.contains(state)) {
                    return state;
                }
                Thread.sleep(POLL.toMillis());
            }
            throw new IOException("job " + jobId + " did not end within " + timeout);
        }

        /** The job's state (RUNNING, FINISHED, ...). */
        public String state(String jobId) throws IOException, InterruptedException {
            return get("/jobs/" + jobId).path("state").asText();
        }

        /** Cancels the job (PATCH /jobs/:id?mode=cancel). */
        public void cancel(String jobId) throws IOException, InterruptedException {
            HttpRequest request = HttpRequest.newBuilder(uri("/jobs/" + jobId + "?mode=cancel")).timeout(timeout)
                    .method("PATCH", HttpRequest.BodyPublishers.noBody()).build();
            send(request, "cancelling job " + jobId);
        }

        /**
         * Triggers a savepoint ({@code POST /jobs/:id/savepoints}) or stop-with-savepoint
         * ({@code POST /jobs/:id/stop}) and polls the operation; returns the savepoint's location.
         */
        public String savepoint(String jobId, String targetDirectory, boolean stop)
                throws IOException, InterruptedException {
            ObjectNode body = JSON.createObjectNode();
            if (stop) {
                body.put("targetDirectory", targetDirectory);
                // No drain: draining sends a final Long.MAX_VALUE watermark, which would close every open round.
                body.put("drain", false);
            } else {
                body.put("target-directory", targetDirectory);
                body.put("cancel-job", false);
            }
            String path = "/jobs/" + jobId + (stop ? "/stop" : "/savepoints");
            String trigger = send(post(path, body), (stop ? "stopping" : "savepointing") + " job " + jobId)
                    .path("request-id").asText("");
            if (trigger.isEmpty()) {
                throw new IOException("the cluster returned no request id for the savepoint of job " + jobId);
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
                if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                    JsonNode operation = status.path("operation");
                    if (operation.hasNonNull("failure-cause")) {
                        throw new IOException("savepoint of job " + jobId + " failed: "
                                + describe(operation.path("failure-cause")));
                    }
                    return operation.path("location").asText();
                }
                Thread.sleep(POLL.toMillis());
            }
            throw new IOException("savepoint of job " + jobId + " did not complete within " + timeout);
        }

        /** GET a JSON resource. */
        public JsonNode get(String path) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(uri(path)).timeout(timeout).GET().build(), "GET " + path);
        }

        private String rootException(String jobId) throws IOException, InterruptedException {
            JsonNode exceptions = get("/jobs/" + jobId + "/exceptions");
            JsonNode history = exceptions.path("exceptionHistory").path("entries");
            if (history.isArray() && !history.isEmpty()) {
                return describe(history.get(0).path("stacktrace"));
            }
            return exceptions.path("root-exception").asText("(no exception recorded)");
        }

        private static boolean allVerticesRunning(JsonNode job) {
            JsonNode vertices = job.path("vertices");
            if (!vertices.isArray() || vertices.isEmpty()) {
                return false;
            }
            for (JsonNode v : vertices) {
                if (!"RUNNING".equals(v.path("status").asText())) {
                    return false;
                }
            }
            return true;
        }

        /**
         * A stack trace (or a JSON failure cause) cut to what says what went wrong: its first line and
         * every {@code Caused by:} line, the last of which is usually the reason.
         */
        static String describe(JsonNode cause) {
            String text = cause.isTextual() ? cause.asText() : cause.path("stack-trace").asText(cause.toString());
            List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
            if (lines.isEmpty()) {
                return text;
            }
            List<String> kept = new ArrayList<>();
            kept.add(lines.get(0));
            lines.stream().skip(1).filter(l -> l.startsWith("Caused by:")).forEach(kept::add);
            return String.join("\n  ", kept);
        }

        private HttpRequest post(String path, JsonNode body) {
            return HttpRequest.newBuilder(uri(path)).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
                    .build();
        }

        private URI uri(String path) {
            return URI.create(base + path);
        }

        private JsonNode send(HttpRequest request, String what) throws IOException, InterruptedException {
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (ConnectException | HttpConnectTimeoutException e) {
                throw new IOException("the Flink cluster at " + base + " is not reachable (" + what + ": "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                        + "); is the JobManager running, and is this its REST address (rest.port)?", e);
            }
            JsonNode body = response.body().isBlank() ? JSON.createObjectNode() : parse(response.body());
            if (response.statusCode() / 100 != 2) {
                JsonNode errors = body.path("errors");
                List<String> texts = new ArrayList<>();
                errors.forEach(e -> texts.add(describe(e)));
                String text = texts.isEmpty() ? response.body() : String.join("\n  ", texts);
                throw new IOException(what + " failed: HTTP " + response.statusCode() + " from " + request.uri()
                        + ": " + text);
            }
            return body;
        }

        private static JsonNode parse(String body) {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                return JSON.getNodeFactory().textNode(body);
            }
        }
    }
}
