package io.tributary.infra.devnet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

/**
 * The lock a devnet supervisor holds on {@code DIR/devnet.lock} for as long as it runs. The
 * operating system drops the lock when the process dies, however it dies, so a held lock means a
 * live devnet and a devnet.json without a held lock is stale.
 *
 * <p>POSIX drops all of a process's locks on a file when any descriptor of it is closed, so the
 * holder never inspects its own lock file; {@link #inspect} is for other processes.
 */
public final class DevnetLock implements AutoCloseable {

    public static final String FILE_NAME = "devnet.lock";

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private DevnetLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** What is found in a devnet directory. */
    public enum State {
        /** No devnet has run here, or the last one stopped cleanly. */
        ABSENT,
        /** A supervisor holds the lock. */
        RUNNING,
        /** A devnet.json is left from a devnet whose supervisor is gone. */
        STALE
    }

    /** The state of {@code dir} and, when a devnet runs there, its supervisor pid. */
    public record Status(State state, OptionalLong supervisorPid) {}

    /** Takes the lock for {@code dir} or fails, naming the supervisor that holds it. */
    public static DevnetLock acquire(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new DevnetRunningException(dir, readPid(file));
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
        channel.force(true);
        return new DevnetLock(file, channel, lock);
    }

    /** Looks at {@code dir} from outside: is a devnet running there, or is a stale one left? */
    public static Status inspect(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (Files.exists(file)) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null) {
                    return new Status(State.RUNNING, readPid(file));
                }
                lock.release();
            }
        }
        return new Status(Files.exists(DevnetInfo.file(dir)) ? State.STALE : State.ABSENT, OptionalLong.empty());
    }

    private static OptionalLong readPid(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return text.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Releases the lock and removes the lock file. */
    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }

    /** A devnet already runs in the directory. */
    public static final class DevnetRunningException extends IOException {
        private final OptionalLong supervisorPid;

        DevnetRunningException(Path dir, OptionalLong supervisorPid) {
            super("a devnet is already running in " + dir
                    + supervisorPid.stream().mapToObj(p -> " (supervisor pid " + p + ")").findFirst().orElse("")
                    + "; stop it with: ./tributary devnet down --dir " + dir);
            this.supervisorPid = supervisorPid;
        }

        public OptionalLong supervisorPid() {
            return supervisorPid;
        }
    }
}
