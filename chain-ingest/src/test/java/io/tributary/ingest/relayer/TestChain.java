package io.tributary.ingest.relayer;

import io.tributary.ingest.testing.AnvilTestChain;

import io.tributary.contracts.tx.FeePolicy;
import io.tributary.contracts.tx.RetryPolicy;
import io.tributary.contracts.tx.RevertDecoder;
import io.tributary.contracts.tx.TransactionWriter;
import java.io.File;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/** An anvil chain on a free 127.0.0.1 port (automine), with a transaction writer for the deployer key. */
final class TestChain implements AutoCloseable {

    /** anvil's dev account 0 (a public test key): deploys and calls in tests. */
    static final Credentials DEPLOYER =
            Credentials.create("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    /** anvil's dev account 1: the relayer's submitter. */
    static final String SUBMITTER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

    final String name;
    final long chainId;
    final String rpcUrl;
    final Web3j web3j;
    final TransactionWriter deployer;
    private final Process process;

    private TestChain(String name, long chainId, String rpcUrl, Process process, TransactionWriter deployer, Web3j web3j) {
        this.name = name;
        this.chainId = chainId;
        this.rpcUrl = rpcUrl;
        this.process = process;
        this.deployer = deployer;
        this.web3j = web3j;
    }

    static TestChain start(String name, long chainId, Path dir) throws Exception {
        Path anvil = Path.of(System.getProperty("tributary.anvil",
                "../contracts/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"));
        if (!Files.isExecutable(anvil)) {
            throw new IllegalStateException("anvil not found at " + anvil.toAbsolutePath()
                    + " (the contracts module's build installs it)");
        }
        Files.createDirectories(dir);
        int port = AnvilTestChain.freePort();
        Process process = new ProcessBuilder(anvil.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                        "--chain-id", Long.toString(chainId), "--accounts", "16")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("anvil-" + name + ".log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        String url = "http://127.0.0.1:" + port;
        Web3j web3j = Web3j.build(new HttpService(url));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                try {
                    if (web3j.ethChainId().send().getChainId().longValue() == chainId) {
                        break;
                    }
                } catch (IOException starting) {
                    // not up yet
                }
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("anvil " + name + " did not start on port " + port);
                }
                Thread.sleep(50);
            }
            TransactionWriter writer = TransactionWriter.builder()
                    .web3j(web3j)
                    .credentials(DEPLOYER)
                    .chainId(chainId)
                    .stateDir(dir.resolve("deployer-" + name))
                    .feePolicy(new FeePolicy(BigInteger.TEN.pow(11), BigInteger.ONE, BigInteger.TEN.pow(9), 2))
                    .receiptPolling(Duration.ofMillis(50), 400)
                    .resendInterval(Duration.ofSeconds(1))
                    .feeCapWait(Duration.ofMillis(100), Duration.ofSeconds(10))
                    .retry(new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(5)))
                    .revertDecoder(RevertDecoder.withProjectErrors())
                    .build();
            return new TestChain(name, chainId, url, process, writer, web3j);
        } catch (Exception e) {
            web3j.shutdown();
            stop(process);
            throw e;
        }
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            deployer.close();
        } finally {
            web3j.shutdown();
            stop(process);
        }
    }
}
