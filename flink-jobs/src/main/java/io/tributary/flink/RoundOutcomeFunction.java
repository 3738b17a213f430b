package io.tributary.flink;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decides a round's outcome (key {@code task:round}) once the closer's summary and, unless the
 * closer already failed the round, every chunk's aggregate are in: the round fails if the closer
 * failed it or any chunk's aggregate failed. The decision must be taken for the whole round before
 * any chunk of the global model moves, so it is a stage of its own: every chunk gets an
 * {@code APPLY} (main output, to {@link ModelApplyFunction}) with its aggregate or the failure, and
 * the summary, marked with the outcome, goes to {@link RoundFinishFunction} ({@link #DECIDED}).
 * State is cleared at once.
 */
public class RoundOutcomeFunction extends KeyedProcessFunction<String, RoundMessage, RoundMessage> {

    /** The round's summary with {@code failed} / {@code reason} set, for the finisher. */
    public static final OutputTag<RoundMessage> DECIDED =
            new OutputTag<>("round-decided", TypeInformation.of(RoundMessage.class));

    private transient ValueState<RoundMessage> summary;
    private transient MapState<Integer, RoundMessage> results;

    @Override
    public void open(OpenContext ctx) {
        summary = getRuntimeContext().getState(new ValueStateDescriptor<>("summary", TypeInformation.of(RoundMessage.class)));
        results = getRuntimeContext().getMapState(new MapStateDescriptor<>("results", Types.INT,
                TypeInformation.of(RoundMessage.class)));
    }

    @Override
    public void processElement(RoundMessage m, Context ctx, Collector<RoundMessage> out) throws Exception {
        if (m.kind == RoundMessage.Kind.SUMMARY) {
            summary.update(m);
        } else {
            results.put(m.chunkIndex, m);
        }
        RoundMessage s = summary.value();
        if (s == null) {
            return;
        }
        TaskInfo t = s.task;
        String failure = s.reason;
        if (!s.failed) {
            int n = 0;
            for (RoundMessage r : results.values()) {
                n++;
                if (r.failed && failure == null) {
                    failure = r.reason;
                }
            }
            if (n < t.chunkCount()) {
                return;
            }
        }
        for (int c = 0; c < t.chunkCount(); c++) {
            RoundMessage apply = RoundMessage.of(RoundMessage.Kind.APPLY, s.taskId, s.round);
            apply.chunkIndex = c;
            apply.task = t;
            apply.failed = failure != null;
            apply.reason = failure;
            apply.payload = failure == null ? results.get(c).payload : null;
            out.collect(apply);
        }
        s.failed = failure != null;
        s.reason = failure;
        ctx.output(DECIDED, s);
        summary.clear();
        results.clear();
    }
}
