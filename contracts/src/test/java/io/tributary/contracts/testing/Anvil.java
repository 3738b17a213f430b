package io.tributary.contracts.testing;

import java.io.File;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.http.HttpService;

/**
 * One anvil chain for a test, on a free 127.0.0.1 port, from the pinned npm package (system property
 * {@code tributary.anvil}, else the module's node_modules). Always {@link #close() closed} by the test.
 */
public final class Anvil implements AutoCloseable {

    /** Funded dev accounts of every test chain: enough for every role of {@code KeyRoles.defaults()}. */
    public static final int ACCOUNTS = 16;

    public final long chainId;
    public final Web3j web3j;
    private final Process process;
    private final HttpService service;
    private final Path log;

    private Anvil(long chainId, Process process, HttpService service, Path log) {
        this.chainId = chainId;
        this.process = process;
        this.service = service;
        this.web3j = Web3j.build(service);
        this.log = log;
    }

    /** Starts anvil and returns at once (several chains start in parallel); {@link #awaitReady()} next. */
    public static Anvil launch(long chainId, Path log, String... extraArgs) throws IOException {
        String anvil = System.getProperty("tributary.anvil", "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
        if (!Files.isExecutable(Path.of(anvil))) {
            throw new IllegalStateException("anvil not found at " + anvil + " (npm ci in contracts/ installs it)");
        }
        int port;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = socket.getLocalPort();
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        List<String> command = new ArrayList<>(List.of(anvil, "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--chain-id", Long.toString(chainId), "--accounts", Integer.toString(ACCOUNTS)));
        command.addAll(List.of(extraArgs));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        return new Anvil(chainId, process, new HttpService("http://127.0.0.1:" + port), log);
    }

    /** Starts anvil and waits until it answers with its chain id. */
    public static Anvil start(long chainId, Path log, String... extraArgs) throws IOException, InterruptedException {
        Anvil node = launch(chainId, log, extraArgs);
        try {
            return node.awaitReady();
        } catch (IOException | InterruptedException | RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /** Waits (20 s at most) until the chain answers {@code eth_chainId} with its id. */
    public Anvil awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                if (web3j.ethChainId().send().getChainId().longValue() == chainId) {
                    return this;
                }
            } catch (IOException notYet) {
                // anvil is still starting
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("anvil (chain " + chainId + ") did not start; see " + log);
            }
            Thread.sleep(50);
        }
    }

    /** Calls an anvil/evm method (evm_mine, evm_setAutomine, anvil_setCode, anvil_dropAllTransactions, ...). */
    public Object call(String method, Object... params) throws IOException {
        Response<?> response = new Request<>(method, List.of(params), service, RawResponse.class).send();
        if (response.hasError()) {
            throw new IOException(method + ": " + response.getError().getMessage());
        }
        return response.getResult();
    }

    /** A JSON-RPC response whose result is whatever JSON the method returns. */
    public static final class RawResponse extends Response<Object> {}

    public BigInteger balance(String address) throws IOException {
        return web3j.ethGetBalance(address, DefaultBlockParameterName.LATEST).send().getBalance();
    }

    public long nonce(String address, DefaultBlockParameterName block) throws IOException {
        return web3j.ethGetTransactionCount(address, block).send().getTransactionCount().longValueExact();
    }

    /** Timestamp of the latest block. */
    public long timestamp() throws IOException {
        return web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock()
                .getTimestamp().longValueExact();
    }

    @Override
    public void close() {
        web3j.shutdown();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
