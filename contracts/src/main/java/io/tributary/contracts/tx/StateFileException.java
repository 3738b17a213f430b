package io.tributary.contracts.tx;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The writer's state file cannot be used. The writer refuses to start rather than guess: the file is
 * what prevents a second effect for an idempotency key, so it is never silently reset.
 */
public final class StateFileException extends IOException {

    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** Unparsable, truncated, or its checksum does not match its content. */
        CORRUPT,
        /** Written by a newer (or unknown) version of the format. */
        UNSUPPORTED_VERSION,
        /** Belongs to another chain or another key. */
        WRONG_IDENTITY,
        /** Another writer holds the state directory. */
        LOCKED
    }

    private final Reason reason;
    private final transient Path file;

    public StateFileException(Reason reason, Path file, String message, Throwable cause) {
        super("[" + reason + "] " + file + ": " + message, cause);
        this.reason = reason;
        this.file = file;
    }

    public Reason reason() {
        return reason;
    }

    public Path file() {
        return file;
    }
}
