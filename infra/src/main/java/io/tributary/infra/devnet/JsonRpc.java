package io.tributary.infra.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A minimal Ethereum JSON-RPC client over HTTP, enough to ask a chain whether it is alive. */
public final class JsonRpc {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final URI uri;
    private final HttpClient http;
    private final AtomicLong ids = new AtomicLong();

    public JsonRpc(String url) {
        this.uri = URI.create(url);
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    /** Calls {@code method} with {@code params} and returns the result; a JSON-RPC error is an IOException. */
    public JsonNode call(String method, Object... params) throws IOException, InterruptedException {
        ObjectNode body = MAPPER.createObjectNode()
                .put("jsonrpc", "2.0")
                .put("id", ids.incrementAndGet())
                .put("method", method);
        body.set("params", MAPPER.valueToTree(params));
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(method + " on " + uri + ": HTTP " + response.statusCode() + " " + response.body());
        }
        JsonNode reply = MAPPER.readTree(response.body());
        if (reply.hasNonNull("error")) {
            throw new IOException(method + " on " + uri + ": " + reply.get("error"));
        }
        return reply.get("result");
    }

    /** {@code eth_chainId} as a number. */
    public long chainId() throws IOException, InterruptedException {
        return quantity(call("eth_chainId"));
    }

    /** {@code eth_blockNumber} as a number. */
    public long blockNumber() throws IOException, InterruptedException {
        return quantity(call("eth_blockNumber"));
    }

    /** Parses a JSON-RPC hex quantity such as {@code "0x7a69"}. */
    public static long quantity(JsonNode node) throws IOException {
        String text = node == null ? "" : node.asText();
        if (!text.startsWith("0x") || text.length() < 3) {
            throw new IOException("not a hex quantity: " + node);
        }
        return Long.parseLong(text.substring(2), 16);
    }
}
