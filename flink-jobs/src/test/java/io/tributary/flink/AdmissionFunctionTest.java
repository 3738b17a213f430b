package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.ChangeOp;
import io.tributary.schemas.avro.DeadLetter;
import io.tributary.schemas.avro.RejectionReason;
import io.tributary.schemas.tensor.EncodedUpdate;
import io.tributary.schemas.tensor.TensorEncoder;
import io.tributary.schemas.tensor.WireParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdmissionFunctionTest {

    private static final long TASK = 7;
    private static final String W = Fixtures.worker(1);

    private KeyedBroadcastOperatorTestHarness<String, RoundMessage, TaskInfo, RoundMessage> h;
    private EncodedUpdate update;

    @BeforeEach
    void setUp() throws Exception {
        h = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new AdmissionFunction(3_600_000), RoundMessage::workerKey, Types.STRING, AdmissionFunction.TASKS);
        update = Fixtures.updates(1, 5).get(0);
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    /** Event time reaches {@code millis} on both inputs. */
    private void advance(long millis) throws Exception {
        h.processWatermark(new Watermark(millis));
        h.processBroadcastWatermark(new Watermark(millis));
    }

    private void postTask() throws Exception {
        h.processBroadcastElement(new StreamRecord<>(Fixtures.taskInfo(TASK, AggregationRule.FEDAVG, 0, 1)));
    }

    private void reveal(byte[] root, long samples) throws Exception {
        h.processElement(new StreamRecord<>(Fixtures.revealMessage(ChangeOp.c, TASK, 0, Fixtures.HOME, W, root, samples)));
    }

    private void chunk(int c, long weight, byte[] payload) throws Exception {
        h.processElement(new StreamRecord<>(Fixtures.chunkMessage(TASK, 0, Fixtures.HOME, W, c, weight, payload)));
    }

    private void allChunks(EncodedUpdate u, long weight) throws Exception {
        for (int c = 0; c < u.chunks().size(); c++) {
            chunk(c, weight, u.chunks().get(c));
        }
    }

    private List<RejectionReason> deadLetterReasons() {
        List<RejectionReason> out = new ArrayList<>();
        var q = h.getSideOutput(AdmissionFunction.DEAD_LETTERS);
        if (q != null) {
            for (StreamRecord<RawRecord> r : q) {
                DeadLetter d = Topics.DEADLETTER.deserializeValue(r.getValue().value);
                assertThat(d.getProducer()).isEqualTo(DeadLetters.PRODUCER);
                out.add(d.getReason());
            }
        }
        return out;
    }

    private List<RoundMessage> main(RoundMessage.Kind kind) {
        return h.extractOutputValues().stream().filter(m -> m.kind == kind).toList();
    }

    private int stateEntries() {
        return ((HeapKeyedStateBackend<?>) h.getOperator().getKeyedStateBackend()).numKeyValueStateEntries();
    }

    @Test
    void shouldAdmitEveryChunkAndAcceptTheUpdateWhenItMatchesTheReveal() throws Exception {
        postTask();
        reveal(update.root(), 100);
        allChunks(update, 100);

        assertThat(main(RoundMessage.Kind.CHUNK)).extracting(m -> m.chunkIndex).containsExactly(0, 1, 2);
        assertThat(main(RoundMessage.Kind.VERDICT)).hasSize(Fixtures.chunkCount()).allMatch(v -> v.accepted);
        assertThat(h.getSideOutput(AdmissionFunction.STATUS)).extracting(r -> r.getValue().kind)
                .containsExactly(RoundMessage.Kind.REVEAL, RoundMessage.Kind.STATUS);
        assertThat(deadLetterReasons()).isEmpty();
    }

    @Test
    void shouldClearStateAndTimersWhenTheRoundCloses() throws Exception {
        postTask();
        reveal(update.root(), 100);
        allChunks(update, 100);
        assertThat(stateEntries()).isPositive();
        assertThat(h.numEventTimeTimers()).isEqualTo(1);

        advance(Fixtures.closeMillis(0));

        assertThat(stateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void shouldAdmitChunksThatArrivedBeforeTheirTaskAndReveal() throws Exception {
        allChunks(update, 100);
        reveal(update.root(), 100);
        assertThat(main(RoundMessage.Kind.CHUNK)).isEmpty();
        postTask();
        assertThat(main(RoundMessage.Kind.CHUNK)).hasSize(Fixtures.chunkCount());
        assertThat(main(RoundMessage.Kind.VERDICT)).allMatch(v -> v.accepted);
        assertThat(deadLetterReasons()).isEmpty();
    }

    @Test
    void shouldDeadLetterUnknownTaskWhenNoTaskIsPostedInTime() throws Exception {
        advance(5_000);
        chunk(0, 100, update.chunks().get(0));
        advance(5_000 + 3_599_999);
        assertThat(deadLetterReasons()).isEmpty();
        advance(5_000 + 3_600_000);
        assertThat(deadLetterReasons()).containsExactly(RejectionReason.UNKNOWN_TASK);
        assertThat(stateEntries()).isZero();
    }

    @Test
    void shouldKeepInputsOfAnUnknownTaskUntilTheInputEndsWhenTimeHasNotStarted() throws Exception {
        chunk(0, 100, update.chunks().get(0));
        advance(Long.MAX_VALUE - 1);
        assertThat(deadLetterReasons()).isEmpty();
        advance(Long.MAX_VALUE);
        assertThat(deadLetterReasons()).containsExactly(RejectionReason.UNKNOWN_TASK);
    }

    @Test
    void shouldDeadLetterUnknownRound() throws Exception {
        postTask();
        h.processElement(new StreamRecord<>(Fixtures.chunkMessage(TASK, 9, Fixtures.HOME, W, 0, 100,
                update.chunks().get(0))));
        assertThat(deadLetterReasons()).containsExactly(RejectionReason.UNKNOWN_ROUND);
    }

    @Test
    void shouldDeadLetterNoRevealWhenTheRoundClosesWithoutOne() throws Exception {
        postTask();
        chunk(0, 100, update.chunks().get(0));
        assertThat(deadLetterReasons()).isEmpty();
        advance(Fixtures.closeMillis(0));
        assertThat(deadLetterReasons()).containsExactly(RejectionReason.NO_REVEAL);
        assertThat(stateEntries()).isZero();
    }

    @Test
    void shouldDeadLetterBadHashWhenTheChunkIsUnderAnotherRoot() throws Exception {
        postTask();
        byte[] other = update.root().clone();
        other[0] ^= 1;
        reveal(other, 100);
        chunk(0, 100, update.chunks().get(0));
        assertThat(deadLetterReasons()).containsExactly(RejectionReason.BAD_HASH);
    }

    @Test
    void shouldDeadLetterBadHashWhenALeafWasAltered() throws Exception {
        postTask();
        reveal(update.root(), 100);
        byte[] tampered = update.chunks().get(0).clone();
        tampered[tampered.length - 20] ^= 1; // a mantissa of the last leaf
        chunk(0, 100, tampered);
        assertThat(deadLetterReasons()).containsExactly(RejectionReason.BAD_HASH);
    }

    @Test
    void shouldDeadLetterDuplicateChunks() throws Exception {
        postTask();
        reveal(update.root(), 100);
        chunk(0, 100, update.chunks().get(0));
        chunk(0, 100, update.chunks().get(0));
        assertThat(deadLetterReasons()).containsExactly(RejectionReason.DUPLICATE);
        assertThat(main(RoundMessage.Kind.CHUNK)).hasSize(1);
    }

    @Test
    void shouldDeadLetterWrongShapeAndTruncatedChunks() throws Exception {
        postTask();
        reveal(update.root(), 100);
        WireParams bigger = Fixtures.params(16).toBuilder().dimension(Fixtures.DIMENSION + 64).build();
        try (TensorEncoder enc = new TensorEncoder(bigger)) {
            chunk(0, 100, enc.encode(new float[bigger.dimension()], 1).chunks().get(0));
        }
        byte[] full = update.chunks().get(1);
        chunk(1, 100, Arrays.copyOf(full, full.length - 9));
        assertThat(deadLetterReasons()).containsExactly(RejectionReason.WRONG_SHAPE, RejectionReason.TRUNCATED);
    }

    @Test
    void shouldDeadLetterBadExponentWhenABlockIsBelowTheTasksRange() throws Exception {
        postTask();
        WireParams finer = Fixtures.params(16).toBuilder().exponentRange(Fixtures.EXP_MIN - 8, Fixtures.EXP_MAX).build();
        float[] tiny = new float[Fixtures.DIMENSION];
        Arrays.fill(tiny, 1e-7f);
        EncodedUpdate u;
        try (TensorEncoder enc = new TensorEncoder(finer)) {
            u = enc.encode(tiny, 3);
        }
        reveal(u.root(), 100);
        chunk(0, 100, u.chunks().get(0));
        assertThat(deadLetterReasons()).containsExactly(RejectionReason.BAD_EXPONENT);
    }

    @Test
    void shouldRejectTheWholeUpdateWhenItsNormExceedsTheClipBound() throws Exception {
        postTask();
        WireParams loose = Fixtures.params(16).toBuilder().l2Bound(4.0).build();
        EncodedUpdate big;
        try (TensorEncoder enc = new TensorEncoder(loose)) {
            big = enc.encode(Fixtures.randomUpdate(new SplittableRandom(1), 3.0), 9);
        }
        reveal(big.root(), 100);
        allChunks(big, 100);
        List<RoundMessage> verdicts = main(RoundMessage.Kind.VERDICT);
        assertThat(verdicts).hasSize(Fixtures.chunkCount()).allMatch(v -> !v.accepted
                && RejectionReason.OUT_OF_BOUND.name().equals(v.reason));
        RoundMessage status = h.getSideOutput(AdmissionFunction.STATUS).stream().map(StreamRecord::getValue)
                .filter(m -> m.kind == RoundMessage.Kind.STATUS).findFirst().orElseThrow();
        assertThat(status.accepted).isFalse();
    }

    @Test
    void shouldAcceptAnUpdateClippedExactlyToTheBound() throws Exception {
        postTask();
        EncodedUpdate atBound;
        try (TensorEncoder enc = new TensorEncoder(Fixtures.params(16))) {
            atBound = enc.encode(Fixtures.randomUpdate(new SplittableRandom(2), 50.0), 4); // clipped to 1.0
        }
        reveal(atBound.root(), 100);
        allChunks(atBound, 100);
        assertThat(main(RoundMessage.Kind.VERDICT)).allMatch(v -> v.accepted);
    }

    @Test
    void shouldDeadLetterMalformedWhenTheChunkClaimsAnotherWeight() throws Exception {
        postTask();
        reveal(update.root(), 100);
        chunk(0, 999, update.chunks().get(0));
        assertThat(deadLetterReasons()).containsExactly(RejectionReason.MALFORMED);
    }

    @Test
    void shouldDeadLetterLateChunksAfterTheRoundClosed() throws Exception {
        postTask();
        reveal(update.root(), 100);
        advance(Fixtures.closeMillis(0));
        chunk(0, 100, update.chunks().get(0));
        assertThat(deadLetterReasons()).containsExactly(RejectionReason.LATE);
    }

    @Test
    void shouldDeadLetterChunksOfARetractedRevealAndTellTheAggregators() throws Exception {
        postTask();
        reveal(update.root(), 100);
        chunk(0, 100, update.chunks().get(0));
        h.processElement(new StreamRecord<>(Fixtures.revealMessage(ChangeOp.d, TASK, 0, Fixtures.HOME, W,
                update.root(), 100)));
        chunk(1, 100, update.chunks().get(1));

        assertThat(deadLetterReasons()).containsExactly(RejectionReason.RETRACTED);
        assertThat(main(RoundMessage.Kind.VERDICT)).hasSize(Fixtures.chunkCount())
                .allMatch(v -> !v.accepted && RejectionReason.RETRACTED.name().equals(v.reason));
    }

    @Test
    void shouldAlertWithADeadLetterWhenARevealIsRetractedAfterClose() throws Exception {
        postTask();
        reveal(update.root(), 100);
        allChunks(update, 100);
        advance(Fixtures.closeMillis(0));
        h.processElement(new StreamRecord<>(Fixtures.revealMessage(ChangeOp.d, TASK, 0, Fixtures.HOME, W,
                update.root(), 100)));
        DeadLetter d = Topics.DEADLETTER.deserializeValue(
                h.getSideOutput(AdmissionFunction.DEAD_LETTERS).peek().getValue().value);
        assertThat(d.getReason()).isEqualTo(RejectionReason.RETRACTED);
        assertThat(d.getSourceTopic()).isEqualTo(Topics.CHAIN_EVENTS.name());
        assertThat(d.getDetail()).contains("after round 0");
    }
}
