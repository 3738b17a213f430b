package io.tributary.flink;

import java.io.IOException;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/** Adapts a {@link CommitmentSink} to Flink's {@link Sink}: one synchronous call per committed round. */
final class CommitmentSinkWriter implements Sink<CommitRoundCall> {

    private final CommitmentSink target;

    CommitmentSinkWriter(CommitmentSink target) {
        this.target = target;
    }

    @Override
    public SinkWriter<CommitRoundCall> createWriter(WriterInitContext context) throws IOException {
        try {
            target.open();
        } catch (Exception e) {
            throw new IOException("opening the commitment sink failed", e);
        }
        return new SinkWriter<>() {
            @Override
            public void write(CommitRoundCall call, Context ctx) throws IOException {
                try {
                    target.commitRound(call);
                } catch (Exception e) {
                    throw new IOException("commitRound failed for " + call, e);
                }
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() throws Exception {
                target.close();
            }
        };
    }
}
