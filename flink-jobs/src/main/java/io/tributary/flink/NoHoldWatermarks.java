package io.tributary.flink;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * For {@code updates.chunks}, whose records carry no time of their own: the stream never holds
 * back event time (its watermark is the maximum), so time is driven by the chains alone. Whether a
 * chunk is late is decided from the round's state, not from its timestamp.
 */
final class NoHoldWatermarks<T> implements WatermarkGenerator<T> {

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {}

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        output.emitWatermark(new Watermark(Long.MAX_VALUE));
    }
}
