package io.tributary.infra.devnet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Stopping a devnet from outside its supervisor, and cleaning up after one that died. */
public final class DevnetControl {

    private static final Logger LOG = LoggerFactory.getLogger(DevnetControl.class);

    private DevnetControl() {}

    /** What {@link #down} or {@link #cleanStale} did. */
    public record Stopped(Optional<Long> supervisorPid, List<Long> pids, List<Long> killed) {}

    /**
     * Removes what a dead devnet left in {@code dir}: its devnet.json, and any process it listed
     * that still runs (e.g. a chain whose supervisor was killed with SIGKILL). Only call this when
     * {@link DevnetLock#inspect} says {@link DevnetLock.State#STALE}.
     */
    public static Stopped cleanStale(Path dir) throws IOException, InterruptedException {
        Path file = DevnetInfo.file(dir);
        List<Long> pids = List.of();
        Optional<Long> supervisor = Optional.empty();
        try {
            DevnetInfo stale = DevnetInfo.read(file);
            pids = stale.pids();
            supervisor = Optional.of(stale.supervisorPid());
        } catch (IOException e) {
            LOG.warn("stale {} is unreadable ({}); removing it", file, e.toString());
        }
        List<Long> leftovers = Processes.alive(pids);
        List<Long> killed = leftovers.isEmpty() ? List.of() : Processes.stop(leftovers, Duration.ofSeconds(5));
        Files.deleteIfExists(file);
        return new Stopped(supervisor, leftovers, killed);
    }

    /**
     * Stops the devnet running in {@code dir}: SIGTERM to its supervisor (which stops its parts
     * and removes devnet.json), then SIGKILL to any listed process still running after
     * {@code grace}. Returns empty when nothing runs there.
     */
    public static Optional<Stopped> down(Path dir, Duration grace) throws IOException, InterruptedException {
        DevnetLock.Status status = DevnetLock.inspect(dir);
        if (status.state() == DevnetLock.State.ABSENT) {
            return Optional.empty();
        }
        if (status.state() == DevnetLock.State.STALE) {
            return Optional.of(cleanStale(dir));
        }
        Set<Long> pids = new LinkedHashSet<>();
        Optional<Long> supervisor = status.supervisorPid().isPresent()
                ? Optional.of(status.supervisorPid().getAsLong()) : Optional.empty();
        Path file = DevnetInfo.file(dir);
        if (Files.exists(file)) {
            DevnetInfo info = DevnetInfo.read(file);
            supervisor = Optional.of(info.supervisorPid());
            pids.addAll(info.pids());
        }
        if (supervisor.isEmpty()) {
            throw new IOException("a devnet holds the lock in " + dir + " but its supervisor pid is unknown");
        }
        long supervisorPid = supervisor.get();
        pids.add(supervisorPid);
        Processes.terminate(supervisorPid);
        List<Long> killed = new ArrayList<>();
        if (!Processes.awaitExit(List.of(supervisorPid), grace).isEmpty()) {
            LOG.warn("devnet supervisor {} did not stop within {}; killing it", supervisorPid, grace);
        }
        List<Long> stragglers = Processes.alive(pids);
        if (!stragglers.isEmpty()) {
            killed.addAll(Processes.stop(stragglers, Duration.ofSeconds(2)));
        }
        Files.deleteIfExists(file);
        List<Long> stillAlive = Processes.alive(pids);
        if (!stillAlive.isEmpty()) {
            throw new IOException("processes " + stillAlive + " of the devnet in " + dir + " survived SIGKILL");
        }
        return Optional.of(new Stopped(supervisor, List.copyOf(pids), killed));
    }
}
