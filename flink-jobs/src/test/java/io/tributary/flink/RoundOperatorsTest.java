package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.RejectionReason;
import io.tributary.schemas.tensor.ChunkAccumulator;
import io.tributary.schemas.tensor.ChunkDecoder;
import io.tributary.schemas.tensor.EncodedUpdate;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** Harness tests of the per-chunk aggregation and the round closer: results, dead letters, cleared state. */
class RoundOperatorsTest {

    private static final long TASK = 9;

    private static RoundMessage chunk(TaskInfo t, int worker, int c, EncodedUpdate u, long weight) {
        RoundMessage m = Fixtures.chunkMessage(TASK, 0, Fixtures.HOME, Fixtures.worker(worker), c, weight,
                u.chunks().get(c));
        m.task = t;
        return m;
    }

    private static RoundMessage verdict(TaskInfo t, int worker, int c, boolean accepted, String reason) {
        RoundMessage v = RoundMessage.of(RoundMessage.Kind.VERDICT, TASK, 0);
        v.chunkIndex = c;
        v.chainId = Fixtures.HOME;
        v.worker = Fixtures.worker(worker);
        v.accepted = accepted;
        v.reason = reason;
        v.detail = "test";
        v.task = t;
        return v;
    }

    private static RoundMessage close(TaskInfo t, int c, int... workers) {
        RoundMessage m = RoundMessage.of(RoundMessage.Kind.CLOSE, TASK, 0);
        m.chunkIndex = c;
        m.task = t;
        m.contributorChains = new long[workers.length];
        m.contributorWorkers = new String[workers.length];
        for (int i = 0; i < workers.length; i++) {
            m.contributorChains[i] = Fixtures.HOME;
            m.contributorWorkers[i] = Fixtures.worker(workers[i]);
        }
        return m;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, RoundMessage, RoundMessage> aggregator()
            throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(new ChunkAggregateFunction(),
                RoundMessage::chunkKey, Types.STRING);
    }

    private static List<RejectionReason> reasons(KeyedOneInputStreamOperatorTestHarness<String, RoundMessage, ?> h) {
        var q = h.getSideOutput(AdmissionFunction.DEAD_LETTERS);
        return q == null ? List.of() : q.stream()
                .map(r -> Topics.DEADLETTER.deserializeValue(r.getValue().value).getReason()).toList();
    }

    @Test
    void shouldEqualTheCodecsFedAvgAndLeaveNoStateOrTimersAfterTheRound() throws Exception {
        TaskInfo t = Fixtures.taskInfo(TASK, AggregationRule.FEDAVG, 0, 1);
        List<EncodedUpdate> u = Fixtures.updates(3, 21);
        int c = 1;
        try (var h = aggregator()) {
            h.processElement(new StreamRecord<>(close(t, c, 0, 1, 2))); // the close may come first
            for (int w = 0; w < 3; w++) {
                h.processElement(new StreamRecord<>(chunk(t, w, c, u.get(w), 10 + w)));
                h.processElement(new StreamRecord<>(verdict(t, w, c, true, AdmissionFunction.ACCEPTED)));
            }
            ChunkAccumulator acc = new ChunkAccumulator(Fixtures.params(16), c);
            ChunkDecoder d = new ChunkDecoder(Fixtures.params(16));
            for (int w = 0; w < 3; w++) {
                acc.add(d.decode(u.get(w).chunks().get(c)), 10 + w);
            }
            List<RoundMessage> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).payload).isEqualTo(ChunkAggregateFunction.floats(acc.mean(), Fixtures.EXP_MIN));

            // Only the tombstone is left until the close time, then nothing.
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            h.processWatermark(Fixtures.closeMillis(0));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void shouldDeadLetterTheChunkOfARejectedUpdateAndLateChunksAfterTheRound() throws Exception {
        TaskInfo t = Fixtures.taskInfo(TASK, AggregationRule.MEDIAN, 0, 1);
        List<EncodedUpdate> u = Fixtures.updates(2, 22);
        try (var h = aggregator()) {
            h.processElement(new StreamRecord<>(chunk(t, 0, 0, u.get(0), 5)));
            h.processElement(new StreamRecord<>(chunk(t, 1, 0, u.get(1), 5)));
            h.processElement(new StreamRecord<>(verdict(t, 0, 0, true, AdmissionFunction.ACCEPTED)));
            h.processElement(new StreamRecord<>(verdict(t, 1, 0, false, RejectionReason.OUT_OF_BOUND.name())));
            h.processElement(new StreamRecord<>(close(t, 0, 0)));
            h.processElement(new StreamRecord<>(chunk(t, 2, 0, u.get(1), 5)));
            assertThat(reasons(h)).containsExactly(RejectionReason.OUT_OF_BOUND, RejectionReason.LATE);
            assertThat(h.extractOutputValues()).hasSize(1);
        }
    }

    @Test
    void shouldFailTheChunkWhenARevealIsRetractedAfterItsUpdateWasFolded() throws Exception {
        TaskInfo t = Fixtures.taskInfo(TASK, AggregationRule.FEDAVG, 0, 1);
        List<EncodedUpdate> u = Fixtures.updates(2, 23);
        try (var h = aggregator()) {
            for (int w = 0; w < 2; w++) {
                h.processElement(new StreamRecord<>(chunk(t, w, 0, u.get(w), 5)));
                h.processElement(new StreamRecord<>(verdict(t, w, 0, true, AdmissionFunction.ACCEPTED)));
            }
            h.processElement(new StreamRecord<>(verdict(t, 1, 0, false, RejectionReason.RETRACTED.name())));
            h.processElement(new StreamRecord<>(close(t, 0, 0)));
            RoundMessage r = h.extractOutputValues().get(0);
            assertThat(r.failed).isTrue();
            assertThat(r.reason).contains("retracted");
        }
    }

    private static RoundMessage status(TaskInfo t, RoundMessage.Kind kind, int worker, boolean accepted) {
        RoundMessage s = RoundMessage.of(kind, TASK, 0);
        s.chainId = Fixtures.HOME;
        s.worker = Fixtures.worker(worker);
        s.updateRoot = new byte[32];
        s.weight = 7;
        s.accepted = accepted;
        s.task = t;
        return s;
    }

    @Test
    void shouldCloseOnceRevealsAreFinalAndEveryUpdateIsDecidedThenClearEverything() throws Exception {
        TaskInfo t = Fixtures.taskInfo(TASK, AggregationRule.FEDAVG, 0, 2);
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new RoundCloseFunction(),
                RoundMessage::roundKey, Types.STRING)) {
            for (int w = 0; w < 3; w++) {
                h.processElement(new StreamRecord<>(status(t, RoundMessage.Kind.REVEAL, w, false)));
            }
            h.processElement(new StreamRecord<>(status(t, RoundMessage.Kind.STATUS, 0, true)));
            h.processElement(new StreamRecord<>(status(t, RoundMessage.Kind.STATUS, 1, false)));
            h.processWatermark(Fixtures.revealDeadline(0) * 1000);
            assertThat(h.extractOutputValues()).isEmpty(); // worker 2 undecided: wait for the grace period
            h.processElement(new StreamRecord<>(status(t, RoundMessage.Kind.STATUS, 2, true)));

            List<RoundMessage> closes = h.extractOutputValues();
            assertThat(closes).hasSize(Fixtures.chunkCount()).allMatch(c -> !c.failed
                    && c.contributorWorkers.length == 2);
            RoundMessage summary = h.getSideOutput(RoundCloseFunction.SUMMARY).peek().getValue();
            assertThat(summary.failed).isFalse();
            assertThat(summary.contributorWorkers).containsExactly(Fixtures.worker(0), Fixtures.worker(2));
            assertThat(summary.rejectedChunks).isEqualTo(1);

            h.processWatermark(Fixtures.closeMillis(0));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void shouldDeadLetterAndCountARetractionThatReachesTheCloserAfterTheRoundClosed() throws Exception {
        TaskInfo t = Fixtures.taskInfo(TASK, AggregationRule.FEDAVG, 0, 1);
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new RoundCloseFunction(),
                RoundMessage::roundKey, Types.STRING)) {
            h.processElement(new StreamRecord<>(status(t, RoundMessage.Kind.REVEAL, 0, false)));
            h.processElement(new StreamRecord<>(status(t, RoundMessage.Kind.STATUS, 0, true)));
            h.processWatermark(Fixtures.revealDeadline(0) * 1000);
            assertThat(h.extractOutputValues()).hasSize(Fixtures.chunkCount()); // closed, before the close time

            RoundMessage retracted = status(t, RoundMessage.Kind.STATUS, 0, false);
            retracted.retracted = true;
            retracted.reason = RejectionReason.RETRACTED.name();
            RawRecord event = Fixtures.raw(Fixtures.revealEvent(io.tributary.schemas.avro.ChangeOp.d, TASK, 0,
                    Fixtures.HOME, Fixtures.worker(0), new byte[32], 10));
            retracted.rawKey = event.key;
            retracted.rawValue = event.value;
            h.processElement(new StreamRecord<>(retracted));

            assertThat(reasons(h)).containsExactly(RejectionReason.RETRACTED);
            assertThat(h.extractOutputValues()).hasSize(Fixtures.chunkCount()); // nothing new: the round stands
            h.processWatermark(Fixtures.closeMillis(0));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void shouldReportTheRoundFailedWhenTooFewContributorsAreAcceptedByTheCloseTime() throws Exception {
        TaskInfo t = Fixtures.taskInfo(TASK, AggregationRule.FEDAVG, 0, 3);
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new RoundCloseFunction(),
                RoundMessage::roundKey, Types.STRING)) {
            h.processElement(new StreamRecord<>(status(t, RoundMessage.Kind.REVEAL, 0, false)));
            h.processElement(new StreamRecord<>(status(t, RoundMessage.Kind.REVEAL, 1, false)));
            h.processElement(new StreamRecord<>(status(t, RoundMessage.Kind.STATUS, 0, true)));
            h.processWatermark(Fixtures.closeMillis(0));
            RoundMessage summary = h.getSideOutput(RoundCloseFunction.SUMMARY).peek().getValue();
            assertThat(summary.failed).isTrue();
            assertThat(summary.reason).contains("1 accepted contributors, the task needs 3");
            assertThat(h.extractOutputValues()).allMatch(c -> c.failed);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
