package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.ModelChunk;
import io.tributary.schemas.avro.RejectionReason;
import io.tributary.schemas.avro.RoundCommitment;
import io.tributary.schemas.avro.RoundOutcome;
import io.tributary.schemas.tensor.ModelFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * Harness tests of the global model across rounds: loading the initial model, applying decided
 * rounds in order per (task, chunk), finishing a round from the new model, and the commit stage.
 */
class GlobalModelOperatorsTest {

    private static final long TASK = 21;
    private static final TaskInfo T = Fixtures.taskInfo(TASK, AggregationRule.FEDAVG, 0, 1);

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    private static float[] floats(byte[] b) {
        float[] out = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    private static RoundMessage init(int chunk, byte[] payload, String failure) {
        RoundMessage m = RoundMessage.of(RoundMessage.Kind.INIT, TASK, -1);
        m.chunkIndex = chunk;
        m.task = T;
        m.payload = payload;
        m.failed = failure != null;
        m.reason = failure;
        return m;
    }

    private static RoundMessage apply(int round, int chunk, byte[] aggregate) {
        RoundMessage m = RoundMessage.of(RoundMessage.Kind.APPLY, TASK, round);
        m.chunkIndex = chunk;
        m.task = T;
        m.payload = aggregate;
        m.failed = aggregate == null;
        m.reason = aggregate == null ? "too few contributors" : null;
        return m;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, RoundMessage, RoundMessage> applier() throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(new ModelApplyFunction(), RoundMessage::modelKey,
                Types.STRING);
    }

    private static List<RoundMessage> out(KeyedOneInputStreamOperatorTestHarness<String, RoundMessage, ?> h) {
        List<RoundMessage> list = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                list.add((RoundMessage) r.getValue());
            }
        }
        return list;
    }

    @Test
    void shouldApplyDecidedRoundsInOrderOnTheInitialModelAndClearStateWhenTheTaskEnds() throws Exception {
        try (var h = applier()) {
            h.open();
            // round 1 is decided before round 0 and before the initial model arrives: it waits
            h.processElement(apply(1, 0, floats(0.25f, -1f)), 0);
            h.processElement(init(0, floats(1f, 2f), null), 0);
            assertThat(out(h)).isEmpty();
            h.processElement(apply(0, 0, floats(0.5f, 0.125f)), 0);
            List<RoundMessage> models = out(h);
            assertThat(models).extracting(m -> m.round).containsExactly(0, 1);
            assertThat(floats(models.get(0).payload)).containsExactly(1.5f, 2.125f);
            assertThat(floats(models.get(1).payload)).containsExactly(1.75f, 1.125f);
            // the task's last round (rounds = 3) fails: the model stays, then everything is cleared
            h.processElement(apply(2, 0, null), 0);
            RoundMessage last = out(h).get(2);
            assertThat(last.failed).isTrue();
            assertThat(last.reason).isEqualTo("too few contributors");
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void shouldAddTheAggregateWithOneFloatAdditionPerCoordinate() {
        float old = 0.1f;
        float q = (float) Math.scalb(3.0, -20);
        assertThat(floats(ModelApplyFunction.add(floats(old), floats(q)))).containsExactly(old + q);
        assertThatThrownBy(() -> ModelApplyFunction.add(floats(1f), floats(1f, 2f)))
                .hasMessageContaining("1 coordinates, its aggregate 2");
    }

    @Test
    void shouldFailEveryRoundWhenTheInitialModelIsUnusable() throws Exception {
        try (var h = applier()) {
            h.open();
            h.processElement(init(1, null, "initial model 1 of task 21 unusable: root mismatch"), 0);
            h.processElement(apply(0, 1, floats(1f)), 0);
            assertThat(out(h)).singleElement().satisfies(m -> {
                assertThat(m.failed).isTrue();
                assertThat(m.reason).contains("unusable");
                assertThat(m.payload).isNull();
            });
        }
    }

    @Test
    void shouldSkipARoundWithoutOutcomeOnceItsCloseTimeHasPassed() throws Exception {
        try (var h = applier()) {
            h.open();
            h.processElement(init(0, floats(1f), null), 0);
            h.processElement(apply(1, 0, floats(0.5f)), 0);
            assertThat(out(h)).isEmpty();
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.processWatermark(new Watermark(Fixtures.closeMillis(0)));
            assertThat(out(h)).singleElement().satisfies(m -> {
                assertThat(m.round).isEqualTo(1);
                assertThat(floats(m.payload)).containsExactly(1.5f);
            });
            // round 0 decided after all: too late, the model cannot go back
            h.processElement(apply(0, 0, floats(7f)), 0);
            assertThat(out(h).get(1).failed).isTrue();
            assertThat(out(h).get(1).reason).contains("cannot go back");
        }
    }

    private static LoaderHarness loader() throws Exception {
        return new LoaderHarness();
    }

    /** The loader's harness (keyed by task, models broadcast). */
    static final class LoaderHarness implements AutoCloseable {
        final org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness<Long, TaskInfo, ModelInfo, RoundMessage> h;

        LoaderHarness() throws Exception {
            h = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new ModelLoadFunction(),
                    t -> t.taskId, Types.LONG, ModelLoadFunction.MODELS);
            h.open();
        }

        List<RoundMessage> inits() {
            return h.extractOutputValues();
        }

        List<RejectionReason> deadLetters() {
            var q = h.getSideOutput(AdmissionFunction.DEAD_LETTERS);
            return q == null ? List.of() : q.stream()
                    .map(r -> Topics.DEADLETTER.deserializeValue(r.getValue().value).getReason()).toList();
        }

        @Override
        public void close() throws Exception {
            h.close();
        }
    }

    private static ModelInfo model(byte[] root, String uri) {
        return ChainEvents.modelRegistered(Fixtures.modelRegisteredEvent(Fixtures.MODEL, root, uri));
    }

    @Test
    void shouldSendEveryChunkOfTheInitialModelWhenTaskAndModelAreBothKnownInAnyOrder() throws Exception {
        float[] initial = Fixtures.initialModel(8);
        String uri = Fixtures.modelFile(initial, "loader-ok");
        try (var l = loader()) {
            l.h.processElement(T, 0);
            assertThat(l.inits()).isEmpty();
            l.h.processBroadcastElement(model(ModelFile.root(initial), uri), 0);
            List<RoundMessage> inits = l.inits();
            assertThat(inits).hasSize(Fixtures.chunkCount()).allSatisfy(m -> assertThat(m.failed).isFalse());
            float[] joined = new float[0];
            for (RoundMessage m : inits.stream().sorted(Comparator.comparingInt(m -> m.chunkIndex)).toList()) {
                float[] part = floats(m.payload);
                float[] next = java.util.Arrays.copyOf(joined, joined.length + part.length);
                System.arraycopy(part, 0, next, joined.length, part.length);
                joined = next;
            }
            assertThat(joined).containsExactly(initial);
            assertThat(((org.apache.flink.runtime.state.heap.HeapKeyedStateBackend<?>) l.h.getOperator()
                    .getKeyedStateBackend()).numKeyValueStateEntries()).isZero();
            // a second task of the same model: the model is known, loaded at once
            TaskInfo other = Fixtures.taskInfo(TASK + 1, AggregationRule.FEDAVG, 0, 1);
            l.h.processElement(other, 0);
            assertThat(l.inits()).hasSize(2 * Fixtures.chunkCount());
        }
    }

    @Test
    void shouldDeadLetterAModelWithAnotherRootOrNoFileAndFailTheTasksRounds() throws Exception {
        float[] initial = Fixtures.initialModel(9);
        String uri = Fixtures.modelFile(initial, "loader-bad-root");
        try (var l = loader()) {
            l.h.processBroadcastElement(model(new byte[32], uri), 0);
            l.h.processElement(T, 0);
            assertThat(l.deadLetters()).containsExactly(RejectionReason.BAD_HASH);
            assertThat(l.inits()).hasSize(Fixtures.chunkCount())
                    .allSatisfy(m -> assertThat(m.failed).isTrue());
        }
        try (var l = loader()) {
            l.h.processBroadcastElement(model(ModelFile.root(initial), uri + ".missing"), 0);
            l.h.processElement(T, 0);
            assertThat(l.deadLetters()).containsExactly(RejectionReason.MALFORMED);
        }
        try (var l = loader()) {
            l.h.processBroadcastElement(model(ModelFile.root(initial),
                    Fixtures.modelFile(new float[Fixtures.DIMENSION + 1], "loader-wrong-size")), 0);
            l.h.processElement(T, 0);
            assertThat(l.deadLetters()).containsExactly(RejectionReason.WRONG_SHAPE);
        }
    }

    private static RoundMessage summary(boolean failed) {
        RoundMessage s = RoundMessage.of(RoundMessage.Kind.SUMMARY, TASK, 0);
        s.task = T;
        s.failed = failed;
        s.reason = failed ? "1 accepted contributors, the task needs 2" : null;
        s.contributorChains = new long[] {Fixtures.HOME};
        s.contributorWorkers = new String[] {Fixtures.worker(1)};
        s.contributorWeights = new long[] {7};
        s.contributorRoots = new byte[32];
        return s;
    }

    @Test
    void shouldFinishTheRoundFromTheNewModelWithModelFilesTreeAndClearItsState() throws Exception {
        float[] model = Fixtures.initialModel(10);
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new RoundFinishFunction(),
                RoundMessage::roundKey, Types.STRING)) {
            h.open();
            h.processElement(summary(false), 0);
            for (int c = 0; c < Fixtures.chunkCount(); c++) {
                RoundMessage m = RoundMessage.of(RoundMessage.Kind.MODEL, TASK, 0);
                m.chunkIndex = c;
                m.task = T;
                m.payload = ModelLoadFunction.slice(model, T, c);
                h.processElement(m, 0);
            }
            List<ModelChunk> chunks = h.extractOutputValues().stream()
                    .map(r -> Topics.MODEL_CHUNKS.deserializeValue(r.value)).toList();
            assertThat(chunks).hasSize(Fixtures.chunkCount());
            byte[] root = ModelFile.root(model);
            assertThat(chunks).allSatisfy(mc -> assertThat(mc.getModelRoot()).isEqualTo(ByteBuffer.wrap(root)));
            assertThat(h.getSideOutput(RoundFinishFunction.CALLS)).singleElement()
                    .satisfies(r -> assertThat(r.getValue().modelRoot).isEqualTo(root));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void shouldGiveOnlyAFailedCommitmentWhenAnyChunkOfTheNewModelFailed() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new RoundFinishFunction(),
                RoundMessage::roundKey, Types.STRING)) {
            h.open();
            for (int c = 0; c < Fixtures.chunkCount(); c++) {
                RoundMessage m = RoundMessage.of(RoundMessage.Kind.MODEL, TASK, 0);
                m.chunkIndex = c;
                m.task = T;
                m.failed = true;
                m.reason = "initial model unusable";
                h.processElement(m, 0);
            }
            h.processElement(summary(false), 0);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.getSideOutput(RoundFinishFunction.CALLS)).isNull();
            RoundCommitment rc = Topics.ROUND_COMMITMENTS.deserializeValue(
                    h.getSideOutput(RoundFinishFunction.COMMITMENTS).peek().getValue().value);
            assertThat(rc.getOutcome()).isEqualTo(RoundOutcome.FAILED);
            assertThat(rc.getFailureReason()).isEqualTo("initial model unusable");
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void shouldSendEveryChunkTheAggregateOrTheFailureOnceTheRoundIsDecided() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new RoundOutcomeFunction(),
                RoundMessage::roundKey, Types.STRING)) {
            h.open();
            h.processElement(summary(true), 0);
            assertThat(h.extractOutputValues()).hasSize(Fixtures.chunkCount())
                    .allSatisfy(m -> assertThat(m.failed).isTrue());
            assertThat(h.getSideOutput(RoundOutcomeFunction.DECIDED)).singleElement()
                    .satisfies(r -> assertThat(r.getValue().failed).isTrue());
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void shouldDeadLetterAConflictingCommitAndFailTheJobOnAnyOtherError() throws Exception {
        CommitRoundCall call = new CommitRoundCall();
        call.taskId = TASK;
        call.round = 0;
        call.modelRoot = new byte[32];
        call.contributionsRoot = new byte[32];
        call.chainWeights = new long[] {1};
        CommitmentSink conflicting = c -> {
            throw new CommitConflictException("the home chain holds other roots", null);
        };
        try (var h = ProcessFunctionTestHarnesses.forProcessFunction(new CommitRoundFunction(conflicting))) {
            h.processElement(call, 0);
            assertThat(h.extractOutputValues()).singleElement().satisfies(r -> {
                var d = Topics.DEADLETTER.deserializeValue(r.value);
                assertThat(d.getReason()).isEqualTo(RejectionReason.CHAIN_REJECTED);
                assertThat(d.getDetail()).isEqualTo("the home chain holds other roots");
                assertThat(d.getSourceTopic()).isEqualTo(Topics.ROUND_COMMITMENTS.name());
            });
        }
        CommitmentSink down = c -> {
            throw new java.io.IOException("connection refused");
        };
        try (var h = ProcessFunctionTestHarnesses.forProcessFunction(new CommitRoundFunction(down))) {
            assertThatThrownBy(() -> h.processElement(call, 0)).hasMessageContaining("connection refused");
        }
    }

    @Test
    void shouldRefuseAnOnChainSinkWithoutItsSettingsNamingEachOne() throws Exception {
        assertThatThrownBy(() -> OnChainCommitmentSink.builder().rpcUrl("ws://x").build())
                .hasMessageContaining("rpcUrl must be an http(s) URL")
                .hasMessageContaining("chainId must be positive")
                .hasMessageContaining("coordinator must be a 0x address")
                .hasMessageContaining("key is required")
                .hasMessageContaining("stateDir is required");
        var conf = RoundAggregationJobMain.parse(new String[] {"--commit.on-chain", "true",
            "--commit.rpc-url", "http://127.0.0.1:8545"});
        assertThatThrownBy(() -> RoundAggregationJobMain.commitmentSink(conf))
                .hasMessageContaining("--commit.chain-id is required with --commit.on-chain true");
        assertThat(OnChainCommitmentSink.builder().rpcUrl("http://127.0.0.1:8545").chainId(31337)
                .coordinator("0x" + "12".repeat(20)).key("dev:aggregator")
                .stateDir(java.nio.file.Path.of("target", "w")).build().toString())
                .doesNotContain("dev:").contains("31337");
        assertThat(OnChainCommitmentSink.resolveKey("dev:aggregator").getAddress())
                .isEqualToIgnoringCase("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    }
}
