package io.tributary.flink;

import io.tributary.schemas.Keys;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.RejectionReason;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each committed round to a {@link CommitmentSink} (on-chain: {@code commitRound}). A call
 * replayed after a failover is harmless: the sink is idempotent per (task, round). A
 * {@link CommitConflictException} (the chain or the writer holds different roots for the round) is
 * logged as an error, counted in {@code commitConflicts} and dead-lettered (reason
 * {@code CHAIN_REJECTED}, main output); the job goes on. Any other failure (the chain unreachable,
 * a revert) fails the job, which restarts from its last checkpoint and sends the call again.
 */
public class CommitRoundFunction extends ProcessFunction<CommitRoundCall, RawRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(CommitRoundFunction.class);

    private final CommitmentSink sink;
    private transient Counter conflicts;
    private transient Counter sent;

    public CommitRoundFunction(CommitmentSink sink) {
        this.sink = sink;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        conflicts = getRuntimeContext().getMetricGroup().counter("commitConflicts");
        sent = getRuntimeContext().getMetricGroup().counter("commitsSent");
        sink.open();
    }

    @Override
    public void processElement(CommitRoundCall call, Context ctx, Collector<RawRecord> out) throws Exception {
        try {
            sink.commitRound(call);
            sent.inc();
        } catch (CommitConflictException e) {
            conflicts.inc();
            LOG.error("COMMITMENT CONFLICT for round {} of task {}: {}", call.round, call.taskId, e.getMessage());
            String key = Keys.round(call.taskId, call.round);
            out.collect(DeadLetters.record(Topics.ROUND_COMMITMENTS.name(), Topics.ROUND_COMMITMENTS.serializeKey(key),
                    call.toString().getBytes(StandardCharsets.UTF_8), -1, -1, RejectionReason.CHAIN_REJECTED,
                    e.getMessage(), System.currentTimeMillis()));
        }
    }

    @Override
    public void close() throws Exception {
        sink.close();
    }
}
