package io.tributary.ingest.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The few calls of Kafka Connect's REST API the project needs, against any worker of a cluster. */
public final class ConnectRestClient {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectRestClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String restUrl;
    private final Duration requestTimeout;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code restUrl} like {@code http://127.0.0.1:8083}; {@code requestTimeout} also bounds the waits. */
    public ConnectRestClient(String restUrl, Duration requestTimeout) {
        this.restUrl = Objects.requireNonNull(restUrl, "restUrl");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    public String restUrl() {
        return restUrl;
    }

    /** Waits until the worker serves {@code GET /connectors}. */
    public void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (send(HttpRequest.newBuilder(uri("/connectors")).GET()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new IOException("Connect worker at " + restUrl + " not ready within " + requestTimeout, last);
    }

    /** Creates or updates connector {@code name}. */
    public void putConnector(String name, Map<String, String> config) throws IOException, InterruptedException {
        Map<String, String> c = new HashMap<>(config);
        c.putIfAbsent("name", name);
        expect(retrying(HttpRequest.newBuilder(uri("/connectors/" + name + "/config"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(c)))), 200, 201);
    }

    /** Restarts the connector and all its tasks. */
    public void restartConnector(String name) throws IOException, InterruptedException {
        expect(retrying(HttpRequest.newBuilder(uri("/connectors/" + name + "/restart?includeTasks=true&onlyFailed=false"))
                .POST(HttpRequest.BodyPublishers.noBody())), 200, 202, 204);
    }

    public void deleteConnector(String name) throws IOException, InterruptedException {
        expect(retrying(HttpRequest.newBuilder(uri("/connectors/" + name)).DELETE()), 200, 204, 404);
    }

    /** The connector's status document ({@code connector.state}, {@code tasks[].state}, traces). */
    public JsonNode status(String name) throws IOException, InterruptedException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/connectors/" + name + "/status")).GET());
        if (r.statusCode() == 404) {
            return JSON.createObjectNode();
        }
        expect(r, 200);
        return JSON.readTree(r.body());
    }

    /** Waits until the connector and {@code tasks} tasks are RUNNING; fails early if one FAILED. */
    public void awaitRunning(String name, int tasks) throws IOException, InterruptedException {
        awaitRunning(name, tasks, requestTimeout);
    }

    /**
     * Waits up to {@code timeout} until the connector and {@code tasks} tasks are RUNNING (after a
     * worker crash the group first waits out the dead member's session); fails early if one FAILED.
     */
    public void awaitRunning(String name, int tasks, java.time.Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode s = null;
        while (System.nanoTime() < deadline) {
            s = status(name);
            JsonNode taskList = s.path("tasks");
            for (JsonNode t : taskList) {
                if ("FAILED".equals(t.path("state").asText())) {
                    throw new IOException("task " + t.path("id").asText() + " of " + name + " failed: "
                            + t.path("trace").asText());
                }
            }
            long running = 0;
            for (JsonNode t : taskList) {
                if ("RUNNING".equals(t.path("state").asText())) {
                    running++;
                }
            }
            if ("RUNNING".equals(s.path("connector").path("state").asText()) && running == tasks
                    && taskList.size() == tasks) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException("connector " + name + " not running with " + tasks + " tasks within " + timeout
                + "; last status " + s);
    }

    private URI uri(String path) {
        return URI.create(restUrl + path);
    }

    /** Sends, retrying while the worker is (re)joining its group (409) or briefly unavailable. */
    private HttpResponse<String> retrying(HttpRequest.Builder request) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        while (true) {
            HttpResponse<String> r = send(request);
            if ((r.statusCode() != 409 && r.statusCode() != 503 && r.statusCode() != 500) || System.nanoTime() > deadline) {
                return r;
            }
            LOG.debug("Connect answered {} ({}); retrying", r.statusCode(), r.body());
            Thread.sleep(200);
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(requestTimeout).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(HttpResponse<String> r, int... ok) throws IOException {
        for (int code : ok) {
            if (r.statusCode() == code) {
                return;
            }
        }
        throw new IOException(r.request().method() + " " + r.request().uri() + " answered " + r.statusCode() + ": " + r.body());
    }
}
