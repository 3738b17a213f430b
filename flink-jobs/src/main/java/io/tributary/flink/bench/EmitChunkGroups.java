package io.tributary.flink.bench;

import io.tributary.flink.RoundMessage;
import io.tributary.schemas.avro.AggregationRule;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Chained to a number-sequence source: element {@code c} becomes everything chunk {@code c}'s key
 * receives in a round from its first {@code contributors} updates (chunks, verdicts and, unless the
 * round is to stay open, the close), so
 * each key's messages leave one source subtask in order. Elements past the last chunk (the
 * open-round run, whose source does not end) emit nothing and only pace the source so that it
 * stays responsive to checkpoints.
 */
final class EmitChunkGroups implements FlatMapFunction<Long, RoundMessage> {

    private final String roundId;
    private final String runId;
    private final AggregationRule rule;
    private final int ruleParam;
    private final int contributors;
    private final boolean close;

    EmitChunkGroups(String roundId, String runId, AggregationRule rule, int ruleParam, int contributors,
                    boolean close) {
        this.contributors = contributors;
        this.roundId = roundId;
        this.runId = runId;
        this.rule = rule;
        this.ruleParam = ruleParam;
        this.close = close;
    }

    @Override
    public void flatMap(Long index, Collector<RoundMessage> out) throws InterruptedException {
        BenchRound round = BenchRound.get(roundId);
        if (index >= round.chunkCount()) {
            Thread.sleep(1);
            return;
        }
        BenchClock clock = BenchClock.of(runId);
        clock.firstEmitNanos.accumulateAndGet(System.nanoTime(), Math::min);
        for (RoundMessage m : round.messages(index.intValue(), round.task(rule, ruleParam), contributors, close)) {
            out.collect(m);
        }
        clock.groupsEmitted.incrementAndGet();
    }
}
