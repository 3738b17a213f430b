package io.tributary.infra.devnet;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a devnet supervisor as a background JVM that outlives the command that started it: the same
 * {@code devnet up} command without {@code --detach}, in its own session, output to DIR/devnet.log.
 */
public final class DetachedDevnet {

    public static final String LOG_FILE = "devnet.log";

    private DetachedDevnet() {}

    /** Why a detached devnet did not come up, with the tail of its log. */
    public static final class StartFailedException extends IOException {
        private final List<String> logTail;

        StartFailedException(String message, List<String> logTail) {
            super(message);
            this.logTail = List.copyOf(logTail);
        }

        public List<String> logTail() {
            return logTail;
        }
    }

    /**
     * Launches {@code java <jvmFlags> -cp <classpath> <mainClass> <args>} detached and waits until
     * it has written DIR/devnet.json, or dies, or {@code timeout} passes (then it is stopped).
     */
    public static DevnetInfo launch(Path dir, List<String> jvmFlags, String classpath, String mainClass,
            List<String> args, Duration timeout) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path log = dir.resolve(LOG_FILE);
        List<String> command = new ArrayList<>();
        Path setsid = Path.of("/usr/bin/setsid");
        if (Files.isExecutable(setsid)) {
            command.add(setsid.toString()); // own session: a Ctrl-C in this terminal later won't reach it
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.add("-Xmx1536m"); // Kafka, Connect, the relayer, the intake and the Flink MiniCluster
        for (String property : List.of("tributary.home")) {
            String value = System.getProperty(property);
            if (value != null) {
                command.add("-D" + property + "=" + value);
            }
        }
        command.add("-Dtributary.classpath=" + classpath);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        Process child = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();

        // Interrupted (Ctrl-C) before the devnet is ready: stop it rather than leave it half started.
        Thread abandon = new Thread(() -> {
            try {
                Processes.stop(List.of(child.pid()), Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "devnet-abandon");
        Runtime.getRuntime().addShutdownHook(abandon);
        try {
            return await(child, dir, log, timeout);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(abandon);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs and stops the child
            }
        }
    }

    private static DevnetInfo await(Process child, Path dir, Path log, Duration timeout)
            throws IOException, InterruptedException {
        Path file = DevnetInfo.file(dir);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                DevnetInfo info = DevnetInfo.read(file);
                if (info.supervisorPid() == child.pid()) {
                    return info;
                }
            }
            if (!child.isAlive()) {
                throw new StartFailedException("the devnet supervisor exited with code " + child.exitValue()
                        + " before it was ready; its log is " + log, tail(log, 30));
            }
            Thread.sleep(200);
        }
        Processes.stop(List.of(child.pid()), Duration.ofSeconds(15));
        throw new StartFailedException("the devnet was not ready within " + timeout + " and was stopped; its log is "
                + log, tail(log, 30));
    }

    /** The last {@code lines} lines of a text file (empty if it does not exist). */
    public static List<String> tail(Path file, int lines) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> all = List.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n"));
        return all.subList(Math.max(0, all.size() - lines), all.size());
    }
}
