package io.tributary.contracts.tx;

import java.io.File;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.http.HttpService;

/** An anvil chain started by a test on a free 127.0.0.1 port, stopped by {@link #close()}. */
final class TestAnvil implements AutoCloseable {

    private final Process process;
    private final HttpService service;
    final Web3j web3j;
    final long chainId;

    private TestAnvil(Process process, HttpService service, long chainId) {
        this.process = process;
        this.service = service;
        this.web3j = Web3j.build(service);
        this.chainId = chainId;
    }

    static TestAnvil start(long chainId, Path dir) throws IOException, InterruptedException {
        String anvil = System.getProperty("tributary.anvil",
                "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
        if (!Files.isExecutable(Path.of(anvil))) {
            throw new IllegalStateException("anvil not found at " + anvil + " (npm ci in contracts/ installs it)");
        }
        int port;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = socket.getLocalPort();
        }
        Files.createDirectories(dir);
        Process process = new ProcessBuilder(anvil, "--host", "127.0.0.1", "--port", Integer.toString(port),
                        "--chain-id", Long.toString(chainId))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("anvil.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        TestAnvil node = new TestAnvil(process, new HttpService("http://127.0.0.1:" + port), chainId);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                if (node.web3j.ethChainId().send().getChainId().longValue() == chainId) {
                    return node;
                }
            } catch (IOException notYet) {
                // anvil is still starting
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                node.close();
                throw new IOException("anvil did not start on port " + port + "; see " + dir.resolve("anvil.log"));
            }
            Thread.sleep(50);
        }
    }

    /** Calls an anvil/evm method that tests need (evm_setAutomine, evm_mine, anvil_dropAllTransactions, ...). */
    Object call(String method, Object... params) throws IOException {
        Response<?> response = new Request<>(method, List.of(params), service, RawResponse.class).send();
        if (response.hasError()) {
            throw new IOException(method + ": " + response.getError().getMessage());
        }
        return response.getResult();
    }

    static final class RawResponse extends Response<Object> {}

    BigInteger balance(String address) throws IOException {
        return web3j.ethGetBalance(address, DefaultBlockParameterName.LATEST).send().getBalance();
    }

    long nonce(String address, DefaultBlockParameterName block) throws IOException {
        return web3j.ethGetTransactionCount(address, block).send().getTransactionCount().longValueExact();
    }

    @Override
    public void close() throws InterruptedException {
        web3j.shutdown();
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
