package io.tributary.flink.bench;

import io.tributary.flink.RoundMessage;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Takes the aggregated chunks: checks that each is a successful result of the expected size and
 * notes when the last one arrived.
 */
final class ResultSink implements Sink<RoundMessage> {

    private final String runId;
    private final int[] coordsPerChunk;

    ResultSink(String runId, int[] coordsPerChunk) {
        this.runId = runId;
        this.coordsPerChunk = coordsPerChunk.clone();
    }

    @Override
    public SinkWriter<RoundMessage> createWriter(WriterInitContext context) {
        BenchClock clock = BenchClock.of(runId);
        return new SinkWriter<>() {
            @Override
            public void write(RoundMessage m, Context ctx) {
                String wrong = null;
                if (m.kind != RoundMessage.Kind.RESULT || m.failed) {
                    wrong = "expected a successful RESULT, got " + m + (m.reason == null ? "" : ": " + m.reason);
                } else if (m.payload == null || m.payload.length != 4 * coordsPerChunk[m.chunkIndex]) {
                    wrong = "result of chunk " + m.chunkIndex + " has " + (m.payload == null ? 0 : m.payload.length)
                            + " bytes, expected " + 4 * coordsPerChunk[m.chunkIndex];
                }
                if (wrong != null && clock.problem == null) {
                    clock.problem = wrong;
                }
                clock.results.incrementAndGet();
                clock.lastResultNanos.accumulateAndGet(System.nanoTime(), Math::max);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
