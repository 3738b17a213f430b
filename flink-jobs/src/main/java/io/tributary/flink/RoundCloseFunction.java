package io.tributary.flink;

import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.RejectionReason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when a round closes (key {@code task:round}): when the watermark has passed the reveal
 * deadline (so the set of reveals is final) and every revealed worker's update has a verdict, or
 * at the latest when the watermark passes the close time (reveal deadline + grace). Workers are
 * accepted iff their update was accepted and their reveal not retracted. Fewer than the task's
 * {@code minContributors} -> the round fails (no commitment). A reveal retracted after the round
 * closed changes nothing: it is counted ({@code revealsRetractedAfterClose}) and dead-lettered. Emits {@code CLOSE} to every chunk
 * key (main output) and a {@code SUMMARY} to the finisher ({@link #SUMMARY}); then keeps only a
 * tombstone until the close time, so that everything is cleared once the round is over.
 *
 * <p>Metrics ({@link JobMetrics}): the gauge {@code rounds_open} per rule is the number of rounds
 * of this subtask that have seen a reveal and not closed yet. It is kept in memory, not in state:
 * after a restore from a checkpoint it counts a restored round only from the round's next input or
 * timer on (its close timer at the latest), so for a while it can be lower than the rounds in
 * state. The moment the watermark (the chain clock) is first seen past the round's reveal deadline
 * is kept, in state, as wall-clock millis and handed on in the summary
 * ({@link RoundMessage#deadlinePassedAtMillis}): {@link RoundFinishFunction} measures
 * {@code round_close_latency_seconds} from it.
 */
public class RoundCloseFunction extends KeyedProcessFunction<String, RoundMessage, RoundMessage> {

    private static final Logger LOG = LoggerFactory.getLogger(RoundCloseFunction.class);
    public static final OutputTag<RoundMessage> SUMMARY = new OutputTag<>("round-summary", TypeInformation.of(RoundMessage.class));

    private transient ValueState<TaskInfo> task;
    private transient MapState<String, Boolean> revealed;
    private transient MapState<String, RoundMessage> statuses;
    private transient ValueState<Boolean> closed;
    /** Wall-clock millis at which the watermark was seen past the round's reveal deadline. */
    private transient ValueState<Long> deadlinePassedAt;
    private transient Counter retractedAfterClose;
    /** Keys of the rounds open in this subtask, per rule ({@code rounds_open}). */
    private transient Map<AggregationRule, Set<String>> open;

    @Override
    public void open(OpenContext ctx) {
        task = getRuntimeContext().getState(new ValueStateDescriptor<>("task", TypeInformation.of(TaskInfo.class)));
        revealed = getRuntimeContext().getMapState(new MapStateDescriptor<>("revealed", Types.STRING, Types.BOOLEAN));
        statuses = getRuntimeContext().getMapState(new MapStateDescriptor<>("statuses", Types.STRING,
                TypeInformation.of(RoundMessage.class)));
        closed = getRuntimeContext().getState(new ValueStateDescriptor<>("closed", Types.BOOLEAN));
        deadlinePassedAt = getRuntimeContext().getState(new ValueStateDescriptor<>("deadline-passed-at", Types.LONG));
        retractedAfterClose = getRuntimeContext().getMetricGroup().counter("revealsRetractedAfterClose");
        MetricGroup tributary = JobMetrics.group(getRuntimeContext());
        open = new EnumMap<>(AggregationRule.class);
        for (AggregationRule r : AggregationRule.values()) {
            Set<String> keys = new HashSet<>();
            open.put(r, keys);
            JobMetrics.rule(tributary, r).gauge(JobMetrics.ROUNDS_OPEN, (Gauge<Integer>) keys::size);
        }
    }

    @Override
    public void processElement(RoundMessage m, Context ctx, Collector<RoundMessage> out) throws Exception {
        if (Boolean.TRUE.equals(closed.value())) {
            if (m.retracted) {
                retractedAfterClose.inc();
                LOG.warn("reveal of {} retracted after round {} of task {} closed; the commitment stands",
                        m.contributorId(), m.round, m.taskId);
                if (m.rawValue != null) {
                    ctx.output(AdmissionFunction.DEAD_LETTERS, DeadLetters.record(Topics.CHAIN_EVENTS.name(), m.rawKey,
                            m.rawValue, m.partition, m.offset, RejectionReason.RETRACTED, "reveal retracted after round "
                                    + m.round + " of task " + m.taskId + " closed: nothing was changed",
                            System.currentTimeMillis()));
                }
            }
            return;
        }
        if (task.value() == null) {
            task.update(m.task);
            ctx.timerService().registerEventTimeTimer(m.task.revealsFinalMillis(m.round));
            ctx.timerService().registerEventTimeTimer(m.task.closeTimeMillis(m.round));
        }
        open.get(m.task.rule).add(ctx.getCurrentKey());
        String id = m.contributorId();
        if (m.kind == RoundMessage.Kind.REVEAL) {
            revealed.put(id, m.retracted);
        } else {
            statuses.put(id, m);
            if (m.retracted) {
                revealed.put(id, true);
            }
        }
        if (ctx.timerService().currentWatermark() >= m.task.revealsFinalMillis(m.round)) {
            markDeadlinePassed();
            if (allDecided()) {
                close(ctx, out);
            }
        }
    }

    private boolean allDecided() throws Exception {
        for (Map.Entry<String, Boolean> e : revealed.entries()) {
            if (!e.getValue() && !statuses.contains(e.getKey())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RoundMessage> out) throws Exception {
        TaskInfo t = task.value();
        if (t == null) {
            return;
        }
        String[] key = ctx.getCurrentKey().split(":");
        int round = Integer.parseInt(key[1]);
        if (Boolean.TRUE.equals(closed.value())) {
            if (timestamp >= t.closeTimeMillis(round)) {
                clearAll();
            }
            return;
        }
        open.get(t.rule).add(ctx.getCurrentKey()); // a round restored from a checkpoint counts from here
        markDeadlinePassed(); // both timers are at or after the reveal deadline
        if (timestamp >= t.closeTimeMillis(round) || allDecided()) {
            close(ctx, out);
        }
    }

    /** Remembers when the watermark was first seen past the round's reveal deadline (wall clock). */
    private void markDeadlinePassed() throws Exception {
        if (deadlinePassedAt.value() == null) {
            deadlinePassedAt.update(System.currentTimeMillis());
        }
    }

    private void close(Context ctx, Collector<RoundMessage> out) throws Exception {
        TaskInfo t = task.value();
        String[] key = ctx.getCurrentKey().split(":");
        long taskId = Long.parseLong(key[0]);
        int round = Integer.parseInt(key[1]);
        List<RoundMessage> accepted = new ArrayList<>();
        int rejected = 0;
        for (RoundMessage s : statuses.values()) {
            boolean retracted = Boolean.TRUE.equals(revealed.get(s.contributorId()));
            if (s.accepted && !retracted) {
                accepted.add(s);
            } else {
                rejected++;
            }
        }
        accepted.sort(Comparator.comparingLong((RoundMessage s) -> s.chainId).thenComparing(s -> s.worker));
        String failure = null;
        if (accepted.size() < t.minContributors) {
            failure = accepted.size() + " accepted contributors, the task needs " + t.minContributors;
        } else if (t.rule == AggregationRule.MULTI_KRUM && accepted.size() <= 2 * t.ruleParam + 2) {
            failure = "multi-Krum with f = " + t.ruleParam + " needs more than " + (2 * t.ruleParam + 2)
                    + " accepted contributors, got " + accepted.size();
        }
        RoundMessage summary = RoundMessage.of(RoundMessage.Kind.SUMMARY, taskId, round);
        summary.task = t;
        summary.failed = failure != null;
        summary.reason = failure;
        summary.rejectedChunks = rejected;
        Long deadlinePassed = deadlinePassedAt.value();
        summary.deadlinePassedAtMillis = deadlinePassed == null ? System.currentTimeMillis() : deadlinePassed;
        summary.contributorChains = new long[accepted.size()];
        summary.contributorWorkers = new String[accepted.size()];
        summary.contributorWeights = new long[accepted.size()];
        summary.contributorRoots = new byte[32 * accepted.size()];
        for (int i = 0; i < accepted.size(); i++) {
            RoundMessage s = accepted.get(i);
            summary.contributorChains[i] = s.chainId;
            summary.contributorWorkers[i] = s.worker;
            summary.contributorWeights[i] = s.weight;
            System.arraycopy(s.updateRoot, 0, summary.contributorRoots, 32 * i, 32);
        }
        if (failure != null) {
            LOG.warn("round {} of task {} failed: {}", round, taskId, failure);
        }
        for (int c = 0; c < t.chunkCount(); c++) {
            RoundMessage close = RoundMessage.of(RoundMessage.Kind.CLOSE, taskId, round);
            close.chunkIndex = c;
            close.task = t;
            close.failed = summary.failed;
            close.contributorChains = summary.contributorChains;
            close.contributorWorkers = summary.contributorWorkers;
            out.collect(close);
        }
        ctx.output(SUMMARY, summary);
        open.get(t.rule).remove(ctx.getCurrentKey());
        deadlinePassedAt.clear();
        long closeAt = t.closeTimeMillis(round);
        if (ctx.timerService().currentWatermark() >= closeAt) {
            clearAll();
        } else {
            revealed.clear();
            statuses.clear();
            closed.update(true);
            ctx.timerService().deleteEventTimeTimer(t.revealsFinalMillis(round));
        }
    }

    private void clearAll() {
        deadlinePassedAt.clear();
        task.clear();
        revealed.clear();
        statuses.clear();
        closed.clear();
    }
}
