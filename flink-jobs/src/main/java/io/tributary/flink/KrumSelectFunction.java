package io.tributary.flink;

import java.math.BigInteger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Multi-Krum, stage 2 of 3 (key task:round): sums the chunks' exact partial squared distances into
 * the distances between whole updates, selects the {@code n - f} updates with the smallest Krum
 * scores ({@link AggregationRules#multiKrumSelect}) and sends the selection to every chunk key.
 * State: n(n-1)/2 sums per open round, cleared once the selection is sent.
 */
public class KrumSelectFunction extends KeyedProcessFunction<String, RoundMessage, RoundMessage> {

    private transient ValueState<String[]> sums;
    private transient ValueState<Integer> chunksSeen;

    @Override
    public void open(OpenContext ctx) {
        sums = getRuntimeContext().getState(new ValueStateDescriptor<>("distance-sums", Types.OBJECT_ARRAY(Types.STRING)));
        chunksSeen = getRuntimeContext().getState(new ValueStateDescriptor<>("chunks-seen", Types.INT));
    }

    @Override
    public void processElement(RoundMessage m, Context ctx, Collector<RoundMessage> out) throws Exception {
        String[] s = sums.value();
        String[] next = new String[m.values.length];
        for (int i = 0; i < next.length; i++) {
            BigInteger v = new BigInteger(m.values[i]);
            next[i] = (s == null ? v : v.add(new BigInteger(s[i]))).toString();
        }
        int seen = chunksSeen.value() == null ? 1 : chunksSeen.value() + 1;
        if (seen < m.task.chunkCount()) {
            sums.update(next);
            chunksSeen.update(seen);
            return;
        }
        int n = m.contributorWorkers.length;
        BigInteger[][] d = new BigInteger[n][n];
        for (int a = 0, k = 0; a < n; a++) {
            d[a][a] = BigInteger.ZERO;
            for (int b = a + 1; b < n; b++, k++) {
                d[a][b] = new BigInteger(next[k]);
                d[b][a] = d[a][b];
            }
        }
        int[] selected = AggregationRules.multiKrumSelect(d, m.task.ruleParam);
        String[] ids = new String[selected.length];
        for (int i = 0; i < selected.length; i++) {
            ids[i] = m.contributorWorkers[selected[i]];
        }
        for (int c = 0; c < m.task.chunkCount(); c++) {
            RoundMessage sel = RoundMessage.of(RoundMessage.Kind.KRUM_SELECT, m.taskId, m.round);
            sel.chunkIndex = c;
            sel.task = m.task;
            sel.contributorWorkers = ids;
            out.collect(sel);
        }
        sums.clear();
        chunksSeen.clear();
    }
}
