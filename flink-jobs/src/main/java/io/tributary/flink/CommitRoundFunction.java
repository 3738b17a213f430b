package io.tributary.flink;

import io.tributary.schemas.Keys;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.RejectionReason;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
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
 *
 * <p>Metrics ({@link JobMetrics}) of the transactions the sink sent and saw confirmed (a replayed
 * commit that sends nothing is not counted again): {@code commits_total}, {@code commit_gas_used}
 * (the last one's gas, 0 before the first), {@code commit_gas_used_total}, and
 * {@code commit_latency_seconds}: wall-clock seconds from the finisher's emission of the call
 * ({@link CommitRoundCall#emittedAtMillis}) to the sink's return with the confirmed receipt.
 */
public class CommitRoundFunction extends ProcessFunction<CommitRoundCall, RawRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(CommitRoundFunction.class);

    private final CommitmentSink sink;
    private transient Counter conflicts;
    private transient Counter commits;
    private transient Counter gasTotal;
    private transient Histogram latency;
    private transient volatile long lastGas;

    public CommitRoundFunction(CommitmentSink sink) {
        this.sink = sink;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        conflicts = getRuntimeContext().getMetricGroup().counter("commitConflicts");
        MetricGroup tributary = JobMetrics.group(getRuntimeContext());
        commits = tributary.counter(JobMetrics.COMMITS);
        gasTotal = tributary.counter(JobMetrics.COMMIT_GAS_USED_TOTAL);
        tributary.gauge(JobMetrics.COMMIT_GAS_USED, (Gauge<Long>) () -> lastGas);
        latency = tributary.histogram(JobMetrics.COMMIT_LATENCY, new JobMetrics.SecondsHistogram(JobMetrics.LATENCY_SAMPLES));
        sink.open();
    }

    @Override
    public void processElement(CommitRoundCall call, Context ctx, Collector<RawRecord> out) throws Exception {
        try {
            OptionalLong gas = sink.commitRound(call);
            if (gas.isPresent()) {
                commits.inc();
                lastGas = gas.getAsLong();
                gasTotal.inc(gas.getAsLong());
                latency.update(Math.max(0, System.currentTimeMillis() - call.emittedAtMillis));
            }
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
