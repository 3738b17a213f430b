package io.tributary.ingest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.ingest.source.AdaptiveRange;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The RPC side alone: the {@code eth_getLogs} ranges the connector asks for, fetched by a bare loop
 * (one HTTP POST per range, the answer parsed into a JSON tree and its logs counted) and nothing
 * else. Its logs per second are what the node can deliver to one reader, the ceiling of the connector.
 */
final class RpcCeiling {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One pass over every range: logs returned and seconds taken. */
    record Pass(long logs, double seconds) {
        double logsPerSecond() {
            return logs / seconds;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI rpc;
    private final List<String> addresses;

    RpcCeiling(String rpcUrl, Collection<String> addresses) {
        this.rpc = URI.create(rpcUrl);
        this.addresses = List.copyOf(addresses);
    }

    /**
     * The ranges a connector task asks of a chain that holds still at {@code last}, from
     * {@code first}: the task's own {@link AdaptiveRange} with the connector's settings, grown after
     * every two full ranges, never refused (anvil has no range limit).
     */
    static List<BlockRange> connectorRanges(long first, long last, int initial, int min, int max) {
        AdaptiveRange range = new AdaptiveRange(Math.max(min, Math.min(max, initial)), min, max, 2);
        List<BlockRange> out = new ArrayList<>();
        for (long from = first; from <= last; ) {
            long to = Math.min(last, from + range.size() - 1);
            out.add(new BlockRange(from, to));
            range.succeeded(to - from + 1 == range.size());
            from = to + 1;
        }
        return out;
    }

    /** Fetches every range once. */
    Pass pass(List<BlockRange> ranges) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        long logs = 0;
        for (BlockRange r : ranges) {
            logs += logs(r);
        }
        return new Pass(logs, (System.nanoTime() - t0) / 1e9);
    }

    /** The fastest of {@code passes} passes. */
    record Best(Pass pass, int passes) {}

    /**
     * Passes over the ranges until {@code minPasses} are done and {@code minSeconds} have passed;
     * keeps the fastest (the ceiling is what the node can do, not what it did while busy).
     */
    Best best(List<BlockRange> ranges, int minPasses, double minSeconds) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Pass best = null;
        int i = 0;
        for (; i < minPasses || (System.nanoTime() - t0) / 1e9 < minSeconds; i++) {
            Pass p = pass(ranges);
            if (best == null || p.logsPerSecond() > best.logsPerSecond()) {
                best = p;
            }
        }
        return new Best(best, i);
    }

    private long logs(BlockRange r) throws IOException, InterruptedException {
        Map<String, Object> filter = new LinkedHashMap<>();
        filter.put("fromBlock", "0x" + Long.toHexString(r.from()));
        filter.put("toBlock", "0x" + Long.toHexString(r.to()));
        filter.put("address", addresses);
        byte[] body = JSON.writeValueAsBytes(Map.of("jsonrpc", "2.0", "id", 1, "method", "eth_getLogs",
                "params", List.of(filter)));
        HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(rpc).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (answer.statusCode() != 200) {
            throw new IOException("eth_getLogs " + r + ": HTTP " + answer.statusCode());
        }
        JsonNode result = JSON.readTree(answer.body()).path("result");
        if (!result.isArray()) {
            throw new IOException("eth_getLogs " + r + " answered no list: " + new String(answer.body(),
                    java.nio.charset.StandardCharsets.UTF_8).substring(0, Math.min(300, answer.body().length)));
        }
        return result.size();
    }
}
