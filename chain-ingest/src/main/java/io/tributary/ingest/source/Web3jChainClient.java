package io.tributary.ingest.source;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import okhttp3.OkHttpClient;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.http.HttpService;

/** {@link ChainClient} over JSON-RPC with web3j; headers of a range are fetched in one batch. */
public final class Web3jChainClient implements ChainClient {

    private static final HexFormat HEX = HexFormat.of();
    /** Headers asked in one JSON-RPC batch. */
    private static final int MAX_BATCH = 500;

    private final HttpService service;
    private final Web3j web3j;

    public Web3jChainClient(String rpcUrl, Duration timeout) {
        OkHttpClient http = new OkHttpClient.Builder()
                .connectTimeout(timeout).readTimeout(timeout).writeTimeout(timeout).build();
        this.service = new HttpService(rpcUrl, http);
        // an executor of its own: shutting down the default one would break every other client in the JVM
        this.web3j = Web3j.build(service, 1_000, java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "web3j-" + rpcUrl);
            t.setDaemon(true);
            return t;
        }));
    }

    @Override
    public long headNumber() throws IOException {
        return check("eth_blockNumber", web3j.ethBlockNumber().send()).getBlockNumber().longValueExact();
    }

    @Override
    public List<BlockHeader> headers(long from, long to) throws IOException {
        List<BlockHeader> out = new ArrayList<>();
        if (from > to) {
            return out;
        }
        if (from == to) {
            EthBlock.Block b = check("eth_getBlockByNumber", web3j.ethGetBlockByNumber(
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(from)), false).send()).getBlock();
            if (b != null) {
                out.add(header(b));
            }
            return out;
        }
        for (long start = from; start <= to; start += MAX_BATCH) {
            long end = Math.min(to, start + MAX_BATCH - 1);
            BatchRequest batch = web3j.newBatch();
            for (long n = start; n <= end; n++) {
                batch.add(web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(n)), false));
            }
            BatchResponse responses = batch.send();
            List<BlockHeader> chunk = new ArrayList<>();
            for (Response<?> r : responses.getResponses()) {
                EthBlock.Block b = check("eth_getBlockByNumber", (EthBlock) r).getBlock();
                if (b != null) {
                    chunk.add(header(b));
                }
            }
            // whatever order the batch answered in, keep the run of consecutive blocks from 'start'
            chunk.sort(java.util.Comparator.comparingLong(BlockHeader::number));
            for (BlockHeader h : chunk) {
                if (h.number() != from + out.size()) {
                    return out; // the chain ends here
                }
                out.add(h);
            }
            if (chunk.size() < end - start + 1) {
                return out;
            }
        }
        return out;
    }

    @Override
    public Optional<BlockHeader> headerByHash(String hash) throws IOException {
        EthBlock.Block b = check("eth_getBlockByHash", web3j.ethGetBlockByHash(hash, false).send()).getBlock();
        return Optional.ofNullable(b).map(Web3jChainClient::header);
    }

    @Override
    public List<RawLog> logs(long from, long to, Collection<String> addresses) throws IOException {
        Map<String, Object> filter = new HashMap<>();
        filter.put("fromBlock", "0x" + Long.toHexString(from));
        filter.put("toBlock", "0x" + Long.toHexString(to));
        filter.put("address", List.copyOf(addresses));
        return getLogs(filter);
    }

    @Override
    public List<RawLog> logsByBlockHash(String blockHash, Collection<String> addresses) throws IOException {
        Map<String, Object> filter = new HashMap<>();
        filter.put("blockHash", blockHash);
        filter.put("address", List.copyOf(addresses));
        return getLogs(filter);
    }

    /**
     * Reads the answer as a JSON tree and builds the logs from it directly: web3j's {@code Log}
     * objects cost more than the request itself on large ranges (every quantity goes through a regex
     * check and a BigInteger), and the connector needs none of that.
     */
    private List<RawLog> getLogs(Map<String, Object> filter) throws IOException {
        JsonNode result = check("eth_getLogs",
                new Request<>("eth_getLogs", List.of(filter), service, LogsResponse.class).send()).getResult();
        if (result == null || !result.isArray()) {
            throw new IOException("eth_getLogs answered no list of logs: " + result);
        }
        List<RawLog> out = new ArrayList<>(result.size());
        for (JsonNode log : result) {
            if (log.path("removed").asBoolean(false)) {
                continue;
            }
            JsonNode topicsNode = log.path("topics");
            List<byte[]> topics = new ArrayList<>(topicsNode.size());
            for (JsonNode t : topicsNode) {
                topics.add(bytes(t.asText()));
            }
            out.add(new RawLog(quantity(log, "blockNumber"), lower(text(log, "blockHash")),
                    lower(text(log, "transactionHash")), Math.toIntExact(quantity(log, "logIndex")),
                    lower(text(log, "address")), topics, bytes(text(log, "data"))));
        }
        return out;
    }

    /** An {@code eth_getLogs} answer whose result stays a JSON tree. */
    public static final class LogsResponse extends Response<JsonNode> {}

    private static String text(JsonNode log, String field) throws IOException {
        JsonNode v = log.get(field);
        if (v == null || !v.isTextual()) {
            throw new IOException("eth_getLogs: log without " + field + ": " + log);
        }
        return v.asText();
    }

    private static long quantity(JsonNode log, String field) throws IOException {
        String hex = text(log, field);
        if (!hex.startsWith("0x") || hex.length() < 3) {
            throw new IOException("eth_getLogs: " + field + " is no hex quantity: " + hex);
        }
        try {
            return Long.parseLong(hex, 2, hex.length(), 16);
        } catch (NumberFormatException e) {
            throw new IOException("eth_getLogs: " + field + " is no hex quantity: " + hex, e);
        }
    }

    /** Sends an arbitrary JSON-RPC call (e.g. {@code anvil_reorg} in tests) and returns its raw result. */
    public Object call(String method, List<?> params) throws IOException {
        return check(method, new Request<>(method, params, service, RawResponse.class).send()).getResult();
    }

    /** A response whose result is any JSON value. */
    public static final class RawResponse extends Response<Object> {}

    private static BlockHeader header(EthBlock.Block b) {
        return new BlockHeader(b.getNumber().longValueExact(), lower(b.getHash()), lower(b.getParentHash()),
                b.getTimestamp().longValueExact());
    }

    private static <R extends Response<?>> R check(String method, R response) throws RpcException {
        if (response.hasError()) {
            throw new RpcException(method, response.getError().getCode(), response.getError().getMessage());
        }
        return response;
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    static byte[] bytes(String hex) {
        if (hex == null || hex.isEmpty() || hex.equals("0x")) {
            return new byte[0];
        }
        String h = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
        return HEX.parseHex(h.length() % 2 == 0 ? h : "0" + h);
    }

    @Override
    public void close() {
        web3j.shutdown();
    }
}
