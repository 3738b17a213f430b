package io.tributary.contracts.deploy;

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
 * One automining anvil chain started by a test on a free 127.0.0.1 port, stopped by {@link #close()}.
 * The code size limit is raised as on the devnet (TaskCoordinator is above EIP-170's 24 KiB).
 */
final class TestChain implements AutoCloseable {

    /** Funded accounts (anvil's default ten, and two more workers for the life-cycle test). */
    static final int ACCOUNTS = 12;

    final String name;
    final long chainId;
    final boolean home;
    final Web3j web3j;
    private final Process process;
    private final HttpService service;

    private TestChain(String name, long chainId, boolean home, Process process, HttpService service) {
        this.name = name;
        this.chainId = chainId;
        this.home = home;
        this.process = process;
        this.service = service;
        this.web3j = Web3j.build(service);
    }

    /** The devnet's three chains, started in parallel. */
    static List<TestChain> devnetChains(Path dir) throws IOException, InterruptedException {
        List<TestChain> chains = new ArrayList<>();
        try {
            chains.add(launch("home", 31337, true, dir));
            chains.add(launch("arbitrum-local", 412346, false, dir));
            chains.add(launch("avalanche-local", 43112, false, dir));
            for (TestChain chain : chains) {
                chain.awaitReady(dir);
            }
            return chains;
        } catch (IOException | InterruptedException | RuntimeException e) {
            closeAll(chains);
            throw e;
        }
    }

    static void closeAll(List<TestChain> chains) {
        for (TestChain chain : chains) {
            chain.close();
        }
    }

    private static TestChain launch(String name, long chainId, boolean home, Path dir) throws IOException {
        String anvil = System.getProperty("tributary.anvil", "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
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
                        "--chain-id", Long.toString(chainId),
                        "--accounts", Integer.toString(ACCOUNTS))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".anvil.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        return new TestChain(name, chainId, home, process, new HttpService("http://127.0.0.1:" + port));
    }

    private void awaitReady(Path dir) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                if (web3j.ethChainId().send().getChainId().longValue() == chainId) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("anvil " + name + " did not start; see " + dir.resolve(name + ".anvil.log"));
            }
            Thread.sleep(50);
        }
    }

    /** Calls an anvil/evm method (evm_mine, evm_setNextBlockTimestamp, anvil_setCode, ...). */
    Object rpc(String method, Object... params) throws IOException {
        Response<?> response = new Request<>(method, List.of(params), service, Raw.class).send();
        if (response.hasError()) {
            throw new IOException(method + ": " + response.getError().getMessage());
        }
        return response.getResult();
    }

    static final class Raw extends Response<Object> {}

    long nonce(String address) throws IOException {
        return web3j.ethGetTransactionCount(address, DefaultBlockParameterName.LATEST).send()
                .getTransactionCount().longValueExact();
    }

    BigInteger balance(String address) throws IOException {
        return web3j.ethGetBalance(address, DefaultBlockParameterName.LATEST).send().getBalance();
    }

    long timestamp() throws IOException {
        return web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock()
                .getTimestamp().longValueExact();
    }

    /** Mines a block at exactly {@code time}; later automined blocks follow from there. */
    void mineAt(long time) throws IOException {
        rpc("evm_setNextBlockTimestamp", time);
        rpc("evm_mine");
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
