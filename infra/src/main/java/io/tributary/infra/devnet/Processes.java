package io.tributary.infra.devnet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Liveness checks and orderly stopping of processes known by pid. */
public final class Processes {

    private Processes() {}

    /** Whether a process with this pid is running (a zombie counts as gone). */
    public static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The pids among these that are still running. */
    public static List<Long> alive(Collection<Long> pids) {
        List<Long> alive = new ArrayList<>();
        for (long pid : pids) {
            if (isAlive(pid)) {
                alive.add(pid);
            }
        }
        return alive;
    }

    /** Waits until none of the pids runs, or the timeout passes; returns the ones still running. */
    public static List<Long> awaitExit(Collection<Long> pids, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Long> alive = alive(pids);
        while (!alive.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            alive = alive(alive);
        }
        return alive;
    }

    /** Sends SIGTERM to the process, if it runs. */
    public static boolean terminate(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        return handle.isPresent() && handle.get().destroy();
    }

    /** Sends SIGKILL to the process, if it runs. */
    public static boolean kill(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        return handle.isPresent() && handle.get().destroyForcibly();
    }

    /**
     * Stops exactly these processes: SIGTERM to each, a grace period, then SIGKILL to stragglers.
     * Returns the pids that had to be killed.
     */
    public static List<Long> stop(Collection<Long> pids, Duration grace) throws InterruptedException {
        for (long pid : alive(pids)) {
            terminate(pid);
        }
        List<Long> stragglers = awaitExit(pids, grace);
        for (long pid : stragglers) {
            kill(pid);
        }
        awaitExit(stragglers, Duration.ofSeconds(5));
        return stragglers;
    }
}
