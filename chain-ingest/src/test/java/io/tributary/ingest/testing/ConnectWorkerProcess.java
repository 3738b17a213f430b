package io.tributary.ingest.testing;

import io.tributary.ingest.connect.ConnectRestClient;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@link ConnectWorkerMain} as a child JVM on the test classpath; {@link #kill()} is SIGKILL. */
public final class ConnectWorkerProcess implements AutoCloseable {

    private final Process process;
    private final ConnectRestClient rest;
    private final Thread killOnExit;

    private ConnectWorkerProcess(Process process, ConnectRestClient rest) {
        this.process = process;
        this.rest = rest;
        this.killOnExit = new Thread(process::destroyForcibly, "kill-worker-" + process.pid());
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    public static ConnectWorkerProcess start(String bootstrap, String groupId, Path dir) throws Exception {
        Files.createDirectories(dir);
        int port = AnvilTestChain.freePort();
        Path log = dir.resolve("worker-" + port + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                ConnectWorkerMain.class.getName(), bootstrap, groupId, Integer.toString(port)))
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        ConnectWorkerProcess worker = new ConnectWorkerProcess(p, new ConnectRestClient("http://127.0.0.1:" + port,
                Duration.ofSeconds(60)));
        try {
            worker.rest.awaitReady();
        } catch (IOException | InterruptedException e) {
            worker.kill();
            throw new IOException("worker JVM did not come up; see " + log, e);
        }
        return worker;
    }

    public ConnectRestClient rest() {
        return rest;
    }

    /** SIGKILL: no shutdown hook, no commit, no goodbye to the group. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }
}
