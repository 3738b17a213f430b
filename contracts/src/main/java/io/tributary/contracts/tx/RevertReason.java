package io.tributary.contracts.tx;

import java.util.List;

/**
 * A decoded revert: {@code Error(string)}, {@code Panic(uint256)}, a known custom error with its
 * arguments, or an unknown selector with the raw data.
 *
 * @param kind what was recognised
 * @param selector the 4-byte selector as {@code 0x........}, or empty when there was no data
 * @param name {@code Error}, {@code Panic}, the custom error's name, or empty
 * @param arguments decoded arguments, rendered as text
 * @param data the raw revert data ({@code 0x...})
 */
public record RevertReason(Kind kind, String selector, String name, List<String> arguments, String data) {

    public enum Kind { NO_DATA, ERROR_STRING, PANIC, CUSTOM_ERROR, UNKNOWN }

    public RevertReason {
        arguments = List.copyOf(arguments);
    }

    /** Human-readable: {@code "not enough stake"}, {@code "Panic(0x11: arithmetic overflow)"}, {@code "X(1, 2)"}. */
    @Override
    public String toString() {
        return switch (kind) {
            case NO_DATA -> "reverted without data";
            case ERROR_STRING -> arguments.get(0);
            case PANIC, CUSTOM_ERROR -> name + "(" + String.join(", ", arguments) + ")";
            case UNKNOWN -> "unknown error " + selector + " (data " + data + ")";
        };
    }
}
