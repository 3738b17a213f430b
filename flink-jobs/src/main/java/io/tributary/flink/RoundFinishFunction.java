package io.tributary.flink;

import io.tributary.schemas.Keys;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.ChainWeight;
import io.tributary.schemas.avro.ModelChunk;
import io.tributary.schemas.avro.RoundCommitment;
import io.tributary.schemas.avro.RoundOutcome;
import io.tributary.schemas.merkle.Contribution;
import io.tributary.schemas.merkle.MerkleTree;
import io.tributary.schemas.tensor.ModelFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes a round (key {@code task:round}) once its decided summary ({@link RoundOutcomeFunction})
 * and every chunk of the new global model ({@link ModelApplyFunction}) are in: the model tree and
 * {@code modelRoot} ({@link ModelFile}, FORMAT.md section 9), the contributions tree
 * ({@link Contribution}, leaves sorted by chain id then worker address), the {@code models.chunks}
 * records (main output; chunk c covers leaves {@code c·2^k ..} with its subtree proof up to
 * {@code modelRoot}), one {@code rounds.commitments} record ({@link #COMMITMENTS}) and the
 * {@code commitRound} call ({@link #CALLS}). A failed round (closer, aggregate, or no usable
 * initial model) gives only a FAILED commitment. Its state is cleared at once.
 *
 * <p>Metrics ({@link JobMetrics}), per rule: {@code rounds_closed_total} per outcome
 * ({@code committed}: a COMMITTED commitment and a {@code commitRound} call went out; {@code failed}:
 * a FAILED commitment), and {@code round_close_latency_seconds}: the wall-clock seconds from the
 * moment the round closer saw the watermark, i.e. the chain clock, pass the round's reveal deadline
 * ({@link RoundMessage#deadlinePassedAtMillis}) to the moment this function emits the round's
 * commitment, whatever the outcome. It includes the wait for late chunks and verdicts (up to the
 * close grace), the aggregation, the model update and the Merkle trees; across TaskManagers it
 * is subject to their clocks' skew, and after a restore to the time the job was down.
 */
public class RoundFinishFunction extends KeyedProcessFunction<String, RoundMessage, RawRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(RoundFinishFunction.class);
    public static final OutputTag<RawRecord> COMMITMENTS = new OutputTag<>("commitments", TypeInformation.of(RawRecord.class));
    public static final OutputTag<CommitRoundCall> CALLS = new OutputTag<>("commit-calls", TypeInformation.of(CommitRoundCall.class));

    private transient ValueState<RoundMessage> summary;
    private transient MapState<Integer, RoundMessage> models;
    private transient Map<AggregationRule, Counter> committed;
    private transient Map<AggregationRule, Counter> failed;
    private transient Map<AggregationRule, Histogram> closeLatency;

    @Override
    public void open(OpenContext ctx) {
        summary = getRuntimeContext().getState(new ValueStateDescriptor<>("summary", TypeInformation.of(RoundMessage.class)));
        models = getRuntimeContext().getMapState(new MapStateDescriptor<>("models", Types.INT,
                TypeInformation.of(RoundMessage.class)));
        MetricGroup tributary = JobMetrics.group(getRuntimeContext());
        committed = new EnumMap<>(AggregationRule.class);
        failed = new EnumMap<>(AggregationRule.class);
        for (AggregationRule r : AggregationRule.values()) {
            MetricGroup rule = JobMetrics.rule(tributary, r);
            committed.put(r, rule.addGroup(JobMetrics.OUTCOME, JobMetrics.COMMITTED).counter(JobMetrics.ROUNDS_CLOSED));
            failed.put(r, rule.addGroup(JobMetrics.OUTCOME, JobMetrics.FAILED).counter(JobMetrics.ROUNDS_CLOSED));
        }
        closeLatency = JobMetrics.latencyPerRule(tributary, JobMetrics.ROUND_CLOSE_LATENCY);
    }

    @Override
    public void processElement(RoundMessage m, Context ctx, Collector<RawRecord> out) throws Exception {
        if (m.kind == RoundMessage.Kind.SUMMARY) {
            summary.update(m);
        } else {
            models.put(m.chunkIndex, m);
        }
        RoundMessage s = summary.value();
        if (s == null) {
            return;
        }
        TaskInfo t = s.task;
        String failure = s.failed ? s.reason : null;
        int n = 0;
        for (RoundMessage r : models.values()) {
            n++;
            if (r.failed && failure == null) {
                failure = r.reason;
            }
        }
        if (n < t.chunkCount()) {
            return;
        }
        if (failure != null) {
            ctx.output(COMMITMENTS, commitment(s, RoundOutcome.FAILED, null, null, failure));
            failed.get(t.rule).inc();
            LOG.warn("round {} of task {} failed: {}", s.round, s.taskId, failure);
        } else {
            finish(s, ctx, out);
            committed.get(t.rule).inc();
        }
        if (s.deadlinePassedAtMillis > 0) {
            closeLatency.get(t.rule).update(Math.max(0, System.currentTimeMillis() - s.deadlinePassedAtMillis));
        }
        summary.clear();
        models.clear();
    }

    private void finish(RoundMessage s, Context ctx, Collector<RawRecord> out) throws Exception {
        TaskInfo t = s.task;
        float[] model = new float[t.dimension];
        int coordsPerChunk = ModelFile.LEAF_COORDS << t.chunkLeavesLog2;
        for (int c = 0; c < t.chunkCount(); c++) {
            ByteBuffer.wrap(models.get(c).payload).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                    .get(model, c * coordsPerChunk, Math.min(coordsPerChunk, t.dimension - c * coordsPerChunk));
        }
        MerkleTree tree = ModelFile.tree(model);
        byte[] modelRoot = tree.root();
        int level = Math.min(t.chunkLeavesLog2, tree.depth());
        for (int c = 0; c < t.chunkCount(); c++) {
            List<ByteBuffer> proof = new ArrayList<>();
            for (byte[] sib : tree.subtreeProof(level, c)) {
                proof.add(ByteBuffer.wrap(sib));
            }
            ModelChunk mc = ModelChunk.newBuilder()
                    .setTaskId(s.taskId).setRound(s.round).setChunkIndex(c).setChunkCount(t.chunkCount())
                    .setModelRoot(ByteBuffer.wrap(modelRoot)).setProof(proof)
                    .setPayload(ByteBuffer.wrap(models.get(c).payload)).build();
            out.collect(new RawRecord(Topics.MODEL_CHUNKS.name(),
                    Topics.MODEL_CHUNKS.serializeKey(Keys.chunk(s.taskId, s.round, c)),
                    Topics.MODEL_CHUNKS.serializeValue(mc)));
        }
        List<Contribution> contributions = contributions(s);
        byte[] contributionsRoot = Contribution.tree(contributions).root();
        ctx.output(COMMITMENTS, commitment(s, RoundOutcome.COMMITTED, modelRoot, contributionsRoot, null));
        CommitRoundCall call = new CommitRoundCall();
        call.taskId = s.taskId;
        call.round = s.round;
        call.modelRoot = modelRoot;
        call.contributionsRoot = contributionsRoot;
        call.totalWeight = totalWeight(s);
        call.contributors = contributions.size();
        call.chainWeights = chainWeights(s);
        call.emittedAtMillis = System.currentTimeMillis();
        ctx.output(CALLS, call);
        LOG.info("round {} of task {} aggregated: modelRoot 0x{}, {} contributors", s.round, s.taskId,
                HexFormat.of().formatHex(modelRoot), contributions.size());
    }

    static List<Contribution> contributions(RoundMessage s) {
        List<Contribution> list = new ArrayList<>();
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < s.contributorWorkers.length; i++) {
            byte[] root = new byte[32];
            System.arraycopy(s.contributorRoots, 32 * i, root, 0, 32);
            list.add(new Contribution(s.contributorChains[i], hex.parseHex(s.contributorWorkers[i], 2, 42), root,
                    s.contributorWeights[i]));
        }
        return list;
    }

    private static long totalWeight(RoundMessage s) {
        long total = 0;
        for (long w : s.contributorWeights) {
            total += w;
        }
        return total;
    }

    private static long[] chainWeights(RoundMessage s) {
        long[] w = new long[s.task.chainIds.length];
        for (int i = 0; i < s.contributorChains.length; i++) {
            int pos = s.task.chainPosition(s.contributorChains[i]);
            if (pos >= 0) {
                w[pos] += s.contributorWeights[i];
            }
        }
        return w;
    }

    private static RawRecord commitment(RoundMessage s, RoundOutcome outcome, byte[] modelRoot, byte[] contributionsRoot,
                                        String failure) {
        List<ChainWeight> perChain = new ArrayList<>();
        long[] w = chainWeights(s);
        for (int i = 0; i < w.length; i++) {
            perChain.add(new ChainWeight(s.task.chainIds[i], w[i]));
        }
        RoundCommitment rc = RoundCommitment.newBuilder()
                .setTaskId(s.taskId).setRound(s.round).setOutcome(outcome).setRule(s.task.rule)
                .setModelRoot(modelRoot == null ? null : ByteBuffer.wrap(modelRoot))
                .setContributionsRoot(contributionsRoot == null ? null : ByteBuffer.wrap(contributionsRoot))
                .setTotalWeight(totalWeight(s)).setContributors(s.contributorWorkers.length)
                .setWeightPerChain(perChain).setRejectedChunks(s.rejectedChunks).setFailureReason(failure)
                .build();
        return new RawRecord(Topics.ROUND_COMMITMENTS.name(),
                Topics.ROUND_COMMITMENTS.serializeKey(Keys.round(s.taskId, s.round)),
                Topics.ROUND_COMMITMENTS.serializeValue(rc));
    }
}
