package io.tributary.flink;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * For {@code updates.chunks}, whose records carry no time of their own: the stream is always idle,
 * so it never holds back event time and time is driven by the chains alone (its records still flow;
 * idleness only takes it out of the watermark). Whether a chunk is late is decided from the round's
 * state, not from its timestamp. It must not emit the maximum watermark instead: once the chains'
 * inputs are idle too, that maximum would become everyone's event time and close every round at once.
 */
final class NoHoldWatermarks<T> implements WatermarkGenerator<T> {

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {}

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        output.markIdle();
    }
}
