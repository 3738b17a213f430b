package io.tributary.infra.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One anvil chain, run as a child process on 127.0.0.1. */
final class AnvilNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AnvilNode.class);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    /** Funded dev keys per chain: enough for every role of {@code KeyRoles.defaults()}, with room to spare. */
    static final int ACCOUNTS = 16;

    private final ChainSpec spec;
    private final int port;
    private final Process process;
    private final List<DevnetInfo.DevKey> devKeys;

    private AnvilNode(ChainSpec spec, int port, Process process, List<DevnetInfo.DevKey> devKeys) {
        this.spec = spec;
        this.port = port;
        this.process = process;
        this.devKeys = devKeys;
    }

    /** Starts anvil for {@code spec} on {@code port} and returns once it answers with the right chain id. */
    static AnvilNode start(Path anvil, ChainSpec spec, int port, Path dir) throws IOException, InterruptedException {
        if (!Files.isExecutable(anvil)) {
            throw new IOException("anvil not found at " + anvil
                    + " (run `npm ci` in contracts/, or let ./tributary build it)");
        }
        Files.createDirectories(dir);
        Path configOut = dir.resolve(spec.name() + ".accounts.json");
        Path log = dir.resolve(spec.name() + ".log");
        Files.deleteIfExists(configOut);
        Process process = new ProcessBuilder(
                        anvil.toString(),
                        "--host", "127.0.0.1",
                        "--port", Integer.toString(port),
                        "--chain-id", Long.toString(spec.chainId()),
                        "--block-time", spec.anvilBlockTime(),
                        "--accounts", Integer.toString(ACCOUNTS),
                        "--config-out", configOut.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        LOG.debug("anvil {} started as pid {} on port {}", spec.name(), process.pid(), port);
        try {
            awaitReady(spec, port, process, configOut, log);
            return new AnvilNode(spec, port, process, readKeys(configOut));
        } catch (IOException | InterruptedException | RuntimeException e) {
            stop(process);
            throw e;
        }
    }

    private static void awaitReady(ChainSpec spec, int port, Process process, Path configOut, Path log)
            throws IOException, InterruptedException {
        JsonRpc rpc = new JsonRpc(rpcUrl(port));
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("anvil " + spec.name() + " exited with code " + process.exitValue()
                        + "; see " + log);
            }
            try {
                long chainId = rpc.chainId();
                if (chainId != spec.chainId()) {
                    throw new IOException("anvil " + spec.name() + " on port " + port + " reports chain id "
                            + chainId + ", expected " + spec.chainId());
                }
                if (Files.size(configOut) > 0) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new IOException("anvil " + spec.name() + " did not answer within " + STARTUP_TIMEOUT + "; see " + log, last);
    }

    private static List<DevnetInfo.DevKey> readKeys(Path configOut) throws IOException {
        JsonNode config = new ObjectMapper().readTree(configOut.toFile());
        JsonNode addresses = config.path("available_accounts");
        JsonNode keys = config.path("private_keys");
        if (!addresses.isArray() || addresses.size() == 0 || addresses.size() != keys.size()) {
            throw new IOException("unexpected anvil --config-out content in " + configOut);
        }
        List<DevnetInfo.DevKey> devKeys = new ArrayList<>();
        for (int i = 0; i < addresses.size(); i++) {
            devKeys.add(new DevnetInfo.DevKey(addresses.get(i).asText(), keys.get(i).asText()));
        }
        return List.copyOf(devKeys);
    }

    static String rpcUrl(int port) {
        return "http://127.0.0.1:" + port;
    }

    DevnetInfo.Chain info() {
        return new DevnetInfo.Chain(spec.name(), spec.chainId(), spec.role(), spec.blockTime().toMillis(),
                rpcUrl(port), "ws://127.0.0.1:" + port, devKeys, process.pid());
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        stop(process);
    }

    private static void stop(Process process) throws InterruptedException {
        Processes.stop(List.of(process.pid()), Duration.ofSeconds(5));
        process.waitFor();
    }
}
