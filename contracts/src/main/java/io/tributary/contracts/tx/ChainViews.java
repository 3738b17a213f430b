package io.tributary.contracts.tx;

import java.io.IOException;

/**
 * Reads from a chain (web3j wrapper views, {@code eth_*} calls) with one failure type: whatever the
 * call throws becomes an {@link IOException} naming what was read, so callers handle an RPC
 * failure, a revert of a view and a malformed answer alike.
 */
public final class ChainViews {

    /** A read that may throw anything (web3j's {@code send()} throws {@code Exception}). */
    @FunctionalInterface
    public interface View<T> {
        T get() throws Exception;
    }

    private ChainViews() {}

    /**
     * Runs {@code view}; an IOException passes through, anything else is wrapped with
     * {@code what} ("TaskCoordinator view", "home chain view", ...) in its message.
     */
    public static <T> T read(String what, View<T> view) throws IOException {
        try {
            return view.get();
        } catch (IOException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + " interrupted", e);
        } catch (Exception e) {
            throw new IOException(what + " failed: " + e, e);
        }
    }
}
