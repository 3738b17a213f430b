package io.tributary.flink;

import java.util.HashMap;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Event time from confirmed block timestamps (DESIGN decision 4), per chain: the watermark is the
 * smallest latest timestamp over the chains heard from within the idleness timeout, so a fast chain
 * cannot run ahead of a slower one that shares the partition, and a chain that went quiet stops
 * holding the others back after {@code idlenessMillis} of processing time. With no active chain the
 * output is marked idle and does not hold back the rest of the job either. An idleness of
 * {@code Long.MAX_VALUE} turns idleness off (replays).
 */
final class ChainClockWatermarks<T> implements WatermarkGenerator<T> {

    private final ToLongFunction<T> chainOf;
    private final ToLongFunction<T> millisOf;
    private final long idlenessMillis;
    private final Map<Long, long[]> chains = new HashMap<>(); // chainId -> {latest ts, last heard (wall ms)}
    private long emitted = Long.MIN_VALUE;

    ChainClockWatermarks(ToLongFunction<T> chainOf, ToLongFunction<T> millisOf, long idlenessMillis) {
        this.chainOf = chainOf;
        this.millisOf = millisOf;
        this.idlenessMillis = idlenessMillis;
    }

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
        long chain = chainOf.applyAsLong(event);
        long ts = millisOf.applyAsLong(event);
        long[] c = chains.computeIfAbsent(chain, k -> new long[] {Long.MIN_VALUE, 0});
        c[0] = Math.max(c[0], ts);
        c[1] = System.currentTimeMillis();
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        long now = System.currentTimeMillis();
        long min = Long.MAX_VALUE;
        for (long[] c : chains.values()) {
            if (idlenessMillis == Long.MAX_VALUE || now - c[1] <= idlenessMillis) {
                min = Math.min(min, c[0]);
            }
        }
        if (min == Long.MAX_VALUE) {
            if (idlenessMillis != Long.MAX_VALUE) {
                output.markIdle();
            }
            return;
        }
        if (min > emitted) {
            emitted = min;
            output.emitWatermark(new Watermark(min));
        }
    }
}
