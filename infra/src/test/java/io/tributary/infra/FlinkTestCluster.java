package io.tributary.infra;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.infra.devnet.FreePorts;
import io.tributary.infra.devnet.Processes;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone Flink session cluster from the Maven artifacts: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and one TaskManager ({@code TaskManagerRunner}) as
 * two JVMs, configured by a {@code config.yaml} under {@code dir/conf} (127.0.0.1, free ports, small
 * memory), with their logs in {@code dir/*.log}. {@link #close()} stops both, and a JVM shutdown
 * hook kills them should the test JVM end first.
 *
 * <p>Their classpath is this test JVM's minus this checkout's own classes and minus the libraries
 * the job jar must bring itself (the Kafka connector and clients, web3j, Avro, Arrow): a job that
 * runs here runs because its jar is complete, as on a cluster built from the Flink distribution.
 */
final class FlinkTestCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FlinkTestCluster.class);

    /** Repository paths of libraries only the job jar may provide. */
    private static final List<String> JOB_LIBRARIES = List.of("/org/apache/flink/flink-connector-kafka/",
            "/org/apache/kafka/", "/org/web3j/", "/org/apache/avro/", "/org/apache/arrow/");

    /** What Flink's own start scripts open on Java 17 (the distribution's env.java.opts.all), in short. */
    private static final List<String> FLINK_JVM_FLAGS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private final Process jobManager;
    private final Process taskManager;
    private final URI rest;
    private final Path dir;
    private final Thread killOnExit;

    private FlinkTestCluster(Process jobManager, Process taskManager, URI rest, Path dir) {
        this.jobManager = jobManager;
        this.taskManager = taskManager;
        this.rest = rest;
        this.dir = dir;
        this.killOnExit = new Thread(() -> {
            taskManager.destroyForcibly();
            jobManager.destroyForcibly();
        }, "kill-flink-cluster");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** Starts both JVMs and waits until the TaskManager's slot is registered. */
    static FlinkTestCluster start(Path dir, Path home) throws IOException, InterruptedException {
        Path conf = dir.resolve("conf");
        Files.createDirectories(conf);
        List<Integer> ports = FreePorts.allocate(3);
        URI rest = URI.create("http://127.0.0.1:" + ports.get(1));
        Files.writeString(conf.resolve("config.yaml"), config(dir, ports), StandardCharsets.UTF_8);
        String classpath = classpath(home);

        Process jm = launch(dir, "jobmanager", "384m", classpath,
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", conf);
        Process tm;
        try {
            // A TaskManager that finds no ResourceManager retries only after 10 s: let the JobManager come up first.
            awaitRest(jm, rest, Duration.ofSeconds(60), dir);
            tm = launch(dir, "taskmanager", "400m", classpath,
                    "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", conf);
        } catch (IOException | InterruptedException | RuntimeException e) {
            Processes.stop(List.of(jm.pid()), Duration.ofSeconds(5));
            throw e;
        }
        FlinkTestCluster cluster = new FlinkTestCluster(jm, tm, rest, dir);
        try {
            cluster.awaitSlot(Duration.ofSeconds(90));
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    URI rest() {
        return rest;
    }

    long jobManagerPid() {
        return jobManager.pid();
    }

    long taskManagerPid() {
        return taskManager.pid();
    }

    private static String config(Path dir, List<Integer> ports) {
        Path abs = dir.toAbsolutePath();
        return String.join("\n",
                "jobmanager.rpc.address: 127.0.0.1",
                "jobmanager.bind-host: 127.0.0.1",
                "jobmanager.rpc.port: " + ports.get(0),
                "jobmanager.memory.process.size: 768m",
                "rest.address: 127.0.0.1",
                "rest.bind-address: 127.0.0.1",
                "rest.port: " + ports.get(1),
                "blob.server.port: " + ports.get(2),
                "web.submit.enable: true",
                "web.upload.dir: " + abs.resolve("uploads"),
                "taskmanager.host: 127.0.0.1",
                "taskmanager.bind-host: 127.0.0.1",
                "taskmanager.rpc.port: 0",
                "taskmanager.data.port: 0",
                "taskmanager.numberOfTaskSlots: 1",
                "taskmanager.cpu.cores: 1",
                // A TaskManager started without Flink's scripts needs every memory pool set explicitly.
                "taskmanager.memory.framework.heap.size: 64m",
                "taskmanager.memory.framework.off-heap.size: 64m",
                "taskmanager.memory.task.heap.size: 256m",
                "taskmanager.memory.task.off-heap.size: 0m",
                "taskmanager.memory.network.min: 32m",
                "taskmanager.memory.network.max: 32m",
                "taskmanager.memory.managed.size: 96m",
                "taskmanager.memory.jvm-metaspace.size: 192m",
                "taskmanager.memory.jvm-overhead.min: 128m",
                "taskmanager.memory.jvm-overhead.max: 128m",
                "parallelism.default: 1",
                "restart-strategy.type: none",
                "io.tmp.dirs: " + abs.resolve("tmp"),
                "execution.checkpointing.dir: file://" + abs.resolve("checkpoints"),
                "") ;
    }

    private static String classpath(Path home) {
        String own = home.toAbsolutePath().normalize().toString() + File.separator;
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !Path.of(e).toAbsolutePath().normalize().toString().startsWith(own))
                .filter(e -> JOB_LIBRARIES.stream().noneMatch(e::contains))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static Process launch(Path dir, String name, String heap, String classpath, String mainClass, Path conf)
            throws IOException {
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.add("-XX:MaxDirectMemorySize=256m");
        command.addAll(Environment.jvmFlags());
        command.addAll(FLINK_JVM_FLAGS);
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
        command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        command.add("-Dorg.slf4j.simpleLogger.log.org.apache.kafka=warn");
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.add("--configDir");
        command.add(conf.toAbsolutePath().toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        LOG.info("{} started (pid {}), log {}", name, p.pid(), log);
        return p;
    }

    private static void awaitRest(Process jm, URI rest, Duration timeout, Path dir)
            throws IOException, InterruptedException {
        FlinkCommand.FlinkRest client = new FlinkCommand.FlinkRest(rest, Duration.ofSeconds(5));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && jm.isAlive()) {
            try {
                client.checkReachable();
                return;
            } catch (IOException notYet) {
                Thread.sleep(250);
            }
        }
        throw new IOException("the JobManager's REST endpoint " + rest + " did not come up; see " + dir.resolve("jobmanager.log"));
    }

    private void awaitSlot(Duration timeout) throws IOException, InterruptedException {
        FlinkCommand.FlinkRest client = new FlinkCommand.FlinkRest(rest, Duration.ofSeconds(5));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!jobManager.isAlive() || !taskManager.isAlive()) {
                throw new IOException("a Flink JVM exited during start-up; logs: " + tail("jobmanager") + "\n"
                        + tail("taskmanager"));
            }
            try {
                JsonNode overview = client.get("/overview");
                if (overview.path("taskmanagers").asInt() >= 1 && overview.path("slots-available").asInt() >= 1) {
                    return;
                }
            } catch (IOException notYet) {
                // the REST endpoint is not up yet
            }
            Thread.sleep(250);
        }
        throw new IOException("no TaskManager slot within " + timeout + "; logs under " + dir);
    }

    /** The last lines of a JVM's log, for failure messages. */
    String tail(String name) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(name + ".log"), StandardCharsets.UTF_8);
            return name + ".log:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return name + ".log unreadable: " + e.getMessage();
        }
    }

    /** Stops the TaskManager, then the JobManager: SIGTERM, 15 s, SIGKILL. */
    @Override
    public void close() throws InterruptedException {
        List<Long> killed = new ArrayList<>(Processes.stop(List.of(taskManager.pid()), Duration.ofSeconds(15)));
        killed.addAll(Processes.stop(List.of(jobManager.pid()), Duration.ofSeconds(15)));
        if (!killed.isEmpty()) {
            LOG.warn("Flink JVMs {} did not stop on SIGTERM and were killed", killed);
        }
        taskManager.waitFor();
        jobManager.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }
}
