package io.tributary.flink.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one benchmark job reports back to the driver in the same JVM (the MiniCluster's operators
 * are serialized copies, so they report through static, per-run entries): when the source emitted
 * its first message, how many chunk groups it emitted, when the sink saw the last result, how many
 * results came and the first problem seen.
 */
final class BenchClock {

    private static final Map<String, BenchClock> RUNS = new ConcurrentHashMap<>();

    final AtomicLong firstEmitNanos = new AtomicLong(Long.MAX_VALUE);
    final AtomicLong groupsEmitted = new AtomicLong();
    final AtomicLong lastResultNanos = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong results = new AtomicLong();
    volatile String problem;

    static BenchClock open(String runId) {
        BenchClock c = new BenchClock();
        RUNS.put(runId, c);
        return c;
    }

    static BenchClock of(String runId) {
        BenchClock c = RUNS.get(runId);
        if (c == null) {
            throw new IllegalStateException("no benchmark run " + runId + " in this JVM");
        }
        return c;
    }

    static void close(String runId) {
        RUNS.remove(runId);
    }

    /** Seconds from the first emitted message to the last result. */
    double seconds() {
        return (lastResultNanos.get() - firstEmitNanos.get()) / 1e9;
    }
}
