package io.tributary.ingest.testing;

import io.tributary.ingest.source.Web3jChainClient;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One anvil chain for a test: a child process on 127.0.0.1 and a free port, automining, with a few
 * JSON-RPC helpers (send from the first unlocked account, mine, reorg, roll back). Always closed.
 */
public final class AnvilTestChain implements AutoCloseable {

    private final Process process;
    private final int port;
    private final long chainId;
    private final Web3jChainClient rpc;
    private final String account;
    /** Kills anvil if the test JVM exits without closing it (a failed or killed test run). */
    private final Thread killOnExit;

    private AnvilTestChain(Process process, int port, long chainId, Web3jChainClient rpc, String account) {
        this.process = process;
        this.killOnExit = new Thread(process::destroyForcibly, "kill-anvil-" + process.pid());
        Runtime.getRuntime().addShutdownHook(killOnExit);
        this.port = port;
        this.chainId = chainId;
        this.rpc = rpc;
        this.account = account;
    }

    /** The anvil binary the build installs (system property {@code tributary.anvil}). */
    public static Path anvilBinary() {
        String p = System.getProperty("tributary.anvil",
                "../contracts/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
        return Path.of(p);
    }

    public static AnvilTestChain start(long chainId, Path dir) throws IOException, InterruptedException {
        return start(chainId, dir, freePort());
    }

    /** Starts anvil on a given port (e.g. one a connector already points at). */
    public static AnvilTestChain start(long chainId, Path dir, int port) throws IOException, InterruptedException {
        Path anvil = anvilBinary();
        if (!Files.isExecutable(anvil)) {
            throw new IOException("anvil not found at " + anvil + " (run npm ci in contracts/)");
        }
        Files.createDirectories(dir);
        Path log = dir.resolve("anvil-" + chainId + "-" + port + ".log");
        Process p = new ProcessBuilder(anvil.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--chain-id", Long.toString(chainId), "--accounts", "16")
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        Web3jChainClient rpc = new Web3jChainClient("http://127.0.0.1:" + port, Duration.ofSeconds(10));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                @SuppressWarnings("unchecked")
                List<String> accounts = (List<String>) rpc.call("eth_accounts", List.of());
                return new AnvilTestChain(p, port, chainId, rpc, accounts.get(0));
            } catch (IOException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    rpc.close();
                    p.destroyForcibly();
                    throw new IOException("anvil did not start; see " + log, e);
                }
                Thread.sleep(50);
            }
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public String rpcUrl() {
        return "http://127.0.0.1:" + port;
    }

    public long chainId() {
        return chainId;
    }

    public String account() {
        return account;
    }

    public Object call(String method, Object... params) throws IOException {
        return rpc.call(method, List.of(params));
    }

    public long head() throws IOException {
        return Long.decode((String) call("eth_blockNumber"));
    }

    /** Deploys {@code bytecode} (0x-hex, constructor arguments appended) and returns the contract address. */
    public String deploy(String creationCode) throws IOException {
        String tx = (String) call("eth_sendTransaction", Map.of("from", account, "data", creationCode, "gas", "0x1c9c380"));
        Map<?, ?> receipt = receipt(tx);
        if (!"0x1".equals(receipt.get("status"))) {
            throw new IOException("deployment reverted: " + receipt);
        }
        return ((String) receipt.get("contractAddress")).toLowerCase(java.util.Locale.ROOT);
    }

    /** Sends a transaction (automined into its own block) and returns its hash. */
    public String send(String to, String data) throws IOException {
        String tx = (String) call("eth_sendTransaction", txObject(to, data));
        Map<?, ?> receipt = receipt(tx);
        if (!"0x1".equals(receipt.get("status"))) {
            throw new IOException("transaction reverted: " + receipt);
        }
        return tx;
    }

    public Map<String, String> txObject(String to, String data) {
        return Map.of("from", account, "to", to, "data", data, "gas", "0x2dc6c0");
    }

    /** The receipt, waiting briefly: anvil mines a sent transaction a moment after answering. */
    public Map<?, ?> receipt(String txHash) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Object r = call("eth_getTransactionReceipt", txHash);
            if (r != null) {
                return (Map<?, ?>) r;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("no receipt for " + txHash);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for " + txHash, e);
            }
        }
    }

    public void mine(int blocks) throws IOException {
        call("anvil_mine", "0x" + Integer.toHexString(blocks));
    }

    /**
     * {@code anvil_reorg}: replaces the last {@code depth} blocks by as many new ones; each pair puts a
     * transaction into the new block at that offset (0 = the first replaced block). Height stays.
     */
    public void reorg(int depth, List<Map.Entry<Map<String, String>, Integer>> txAtOffset) throws IOException {
        List<Object> pairs = new ArrayList<>();
        for (Map.Entry<Map<String, String>, Integer> e : txAtOffset) {
            pairs.add(List.of(e.getKey(), e.getValue()));
        }
        call("anvil_reorg", depth, pairs);
    }

    /** {@code anvil_rollback}: drops the last {@code depth} blocks. */
    public void rollback(int depth) throws IOException {
        call("anvil_rollback", depth);
    }

    public static String hex(byte[] bytes) {
        return "0x" + HexFormat.of().formatHex(bytes);
    }

    @Override
    public void close() throws InterruptedException {
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
        rpc.close();
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
