package io.tributary.flink;

import io.tributary.schemas.Keys;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.BlockHead;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import io.tributary.schemas.avro.LogSource;
import io.tributary.schemas.avro.UpdateChunk;
import io.tributary.schemas.tensor.EncodedUpdate;
import io.tributary.schemas.tensor.ModelFile;
import io.tributary.schemas.tensor.TensorEncoder;
import io.tributary.schemas.tensor.WireParams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** Test inputs: a small task, its events, and real encoded updates. */
final class Fixtures {

    static final long HOME = 31337;
    static final long ARB = 412346;
    static final long MODEL = 1;
    static final int DIMENSION = 300;
    static final int K = 1; // 2 leaves per chunk: chunks of 2, 2 and 1 leaves
    static final int EXP_MIN = -20;
    static final int EXP_MAX = -4;
    static final long START = 1_000_000;
    static final long PERIOD = 1000;
    static final long COMMIT = 300;
    static final long REVEAL = 300;
    static final long GRACE = 30;

    private Fixtures() {}

    static RoundAggregationJob.Config config(RoundAggregationJob.TimeMode timeMode) {
        return RoundAggregationJob.Config.builder().model(MODEL, DIMENSION, K)
                .closeGrace(java.time.Duration.ofSeconds(GRACE)).timeMode(timeMode).build();
    }

    static WireParams params(int maxContributors) {
        return WireParams.builder().dimension(DIMENSION).chunkLeavesLog2(K).exponentRange(EXP_MIN, EXP_MAX)
                .l2Bound(1.0).maxWeight(1000).maxContributors(maxContributors).build();
    }

    static int chunkCount() {
        return params(16).chunkCount();
    }

    static long revealDeadline(int round) {
        return START + round * PERIOD + COMMIT + REVEAL;
    }

    static long closeMillis(int round) {
        return (revealDeadline(round) + GRACE) * 1000;
    }

    static String worker(int i) {
        byte[] a = new byte[20];
        a[0] = (byte) 0xaa;
        a[19] = (byte) i;
        return "0x" + HexFormat.of().formatHex(a);
    }

    static String specJson(AggregationRule rule, int ruleParam, int minContributors, int maxContributors) {
        return specJson(MODEL, rule, ruleParam, minContributors, maxContributors, START, HOME + "," + ARB);
    }

    /** The TaskPosted spec as the connector writes it (a JSON object by component name). */
    static String specJson(long modelId, AggregationRule rule, int ruleParam, int minContributors, int maxContributors,
                           long start, String chainIds) {
        return "{\"modelId\":" + modelId + ",\"datasetRoot\":\"0x" + "00".repeat(32) + "\",\"rounds\":3"
                + ",\"minContributors\":" + minContributors + ",\"maxContributors\":" + maxContributors
                + ",\"maxWeight\":1000,\"startTime\":" + start + ",\"roundPeriod\":" + PERIOD
                + ",\"commitWindow\":" + COMMIT + ",\"revealWindow\":" + REVEAL + ",\"aggregateWindow\":300"
                + ",\"challengeWindow\":0,\"clipBound\":" + (1L << 32) + ",\"expMin\":" + EXP_MIN
                + ",\"expMax\":" + EXP_MAX + ",\"rule\":" + rule.ordinal() + ",\"ruleParam\":" + ruleParam
                + ",\"chainIds\":[" + chainIds + "]}";
    }

    static ChainEvent taskPostedEvent(long taskId, String specJson) {
        return taskPostedEvent(taskId, specJson, START - 10);
    }

    static ChainEvent taskPostedEvent(long taskId, String specJson, long blockTs) {
        Map<String, String> f = new TreeMap<>();
        f.put("taskId", Long.toString(taskId));
        f.put("client", "0x" + "22".repeat(20));
        f.put("bounty", "1000000");
        f.put("spec", specJson);
        return event(ChangeOp.c, HOME, blockTs, "TaskCoordinator", "TaskPosted", f, (int) taskId);
    }

    static RawRecord taskPosted(long taskId, AggregationRule rule, int ruleParam, int minContributors) {
        return raw(taskPostedEvent(taskId, specJson(rule, ruleParam, minContributors, 16)));
    }

    static TaskInfo taskInfo(long taskId, AggregationRule rule, int ruleParam, int minContributors) {
        return ChainEvents.taskPosted(taskPostedEvent(taskId, specJson(rule, ruleParam, minContributors, 16)),
                Map.of(MODEL, new RoundAggregationJob.ModelShape(DIMENSION, K)), GRACE);
    }

    /** A small seeded initial model of {@link #DIMENSION} coordinates. */
    static float[] initialModel(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[DIMENSION];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * 0.1);
        }
        return x;
    }

    /** Writes {@code model} as an initial-model file under target/ and returns its {@code file:} uri. */
    static String modelFile(float[] model, String name) {
        Path file = Path.of("target", "test-models", name + ".f32").toAbsolutePath();
        try {
            ModelFile.write(file, model);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file.toUri().toString();
    }

    static ChainEvent modelRegisteredEvent(long modelId, byte[] initialRoot, String uri) {
        return modelRegisteredEvent(modelId, initialRoot, uri, START - 20);
    }

    static ChainEvent modelRegisteredEvent(long modelId, byte[] initialRoot, String uri, long blockTs) {
        Map<String, String> f = new TreeMap<>();
        f.put("modelId", Long.toString(modelId));
        f.put("owner", "0x" + "22".repeat(20));
        f.put("archHash", "0x" + "33".repeat(32));
        f.put("initialRoot", "0x" + HexFormat.of().formatHex(initialRoot));
        f.put("uri", uri);
        return event(ChangeOp.c, HOME, blockTs, "ModelRegistry", "ModelRegistered", f, 1000 + (int) modelId);
    }

    /** The ModelRegistered record of {@link #MODEL} with {@code initial} written to a file named {@code name}. */
    static RawRecord modelRegistered(float[] initial, String name) {
        return raw(modelRegisteredEvent(MODEL, ModelFile.root(initial), modelFile(initial, name)));
    }

    static ChainEvent revealEvent(ChangeOp op, long taskId, int round, long chainId, String worker, byte[] root,
                                  long samples) {
        return revealEvent(op, taskId, round, chainId, worker, root, samples, revealDeadline(round) - 100);
    }

    /** A reveal (or, op d, its retraction) confirmed in a block of time {@code blockTs}. */
    static ChainEvent revealEvent(ChangeOp op, long taskId, int round, long chainId, String worker, byte[] root,
                                  long samples, long blockTs) {
        Map<String, String> f = new TreeMap<>();
        f.put("taskId", Long.toString(taskId));
        f.put("round", Integer.toString(round));
        f.put("worker", worker);
        f.put("updateRoot", "0x" + HexFormat.of().formatHex(root));
        f.put("samples", Long.toString(samples));
        f.put("dataRoot", "0x" + "00".repeat(32));
        return event(op, chainId, blockTs, "WorkerHub", "UpdateRevealed", f, worker.hashCode() & 0xffff);
    }

    static RawRecord reveal(long taskId, int round, long chainId, String worker, byte[] root, long samples) {
        return raw(revealEvent(ChangeOp.c, taskId, round, chainId, worker, root, samples));
    }

    static RoundMessage revealMessage(ChangeOp op, long taskId, int round, long chainId, String worker, byte[] root,
                                      long samples) {
        RawRecord r = raw(revealEvent(op, taskId, round, chainId, worker, root, samples));
        RoundMessage m = ChainEvents.reveal(Topics.CHAIN_EVENTS.deserializeValue(r.value));
        m.rawKey = r.key;
        m.rawValue = r.value;
        return m;
    }

    static ChainEvent event(ChangeOp op, long chainId, long blockTs, String contract, String name,
                                    Map<String, String> fields, int logIndex) {
        return ChainEvent.newBuilder().setOp(op)
                .setSource(LogSource.newBuilder().setChainId(chainId).setBlockNumber(blockTs - START + 100)
                        .setBlockHash("0x" + "ab".repeat(32)).setBlockTimestamp(blockTs)
                        .setTxHash("0x" + "cd".repeat(32)).setLogIndex(logIndex)
                        .setContract("0x" + "11".repeat(20)).build())
                .setContractName(contract).setEventName(name).setFields(fields)
                .setTopics(List.of()).setData(ByteBuffer.allocate(0)).setEmittedAt(0).build();
    }

    static RawRecord raw(ChainEvent e) {
        String key = Keys.chainEvent(e.getSource().getChainId(), e.getSource().getContract(),
                e.getSource().getTxHash(), e.getSource().getLogIndex());
        return new RawRecord(Topics.CHAIN_EVENTS.name(), Topics.CHAIN_EVENTS.serializeKey(key),
                Topics.CHAIN_EVENTS.serializeValue(e));
    }

    static RawRecord block(long chainId, long number, long timestamp) {
        BlockHead b = BlockHead.newBuilder().setChainId(chainId).setNumber(number).setHash("0x" + "01".repeat(32))
                .setParentHash("0x" + "02".repeat(32)).setTimestamp(timestamp).setConfirmations(2).build();
        return new RawRecord(Topics.CHAIN_BLOCKS.name(), Topics.CHAIN_BLOCKS.serializeKey(Keys.chainBlock(chainId)),
                Topics.CHAIN_BLOCKS.serializeValue(b));
    }

    static RawRecord chunk(long taskId, int round, long chainId, String worker, int chunkIndex, long weight,
                           byte[] root, byte[] payload) {
        UpdateChunk u = UpdateChunk.newBuilder().setTaskId(taskId).setRound(round).setChainId(chainId)
                .setWorker(worker).setChunkIndex(chunkIndex).setChunkCount(chunkCount()).setWeight(weight)
                .setUpdateRoot(ByteBuffer.wrap(root)).setProof(List.of()).setPayload(ByteBuffer.wrap(payload)).build();
        return new RawRecord(Topics.UPDATE_CHUNKS.name(),
                Topics.UPDATE_CHUNKS.serializeKey(Keys.chunk(taskId, round, chunkIndex)),
                Topics.UPDATE_CHUNKS.serializeValue(u));
    }

    static RoundMessage chunkMessage(long taskId, int round, long chainId, String worker, int chunkIndex, long weight,
                                     byte[] payload) {
        RawRecord r = chunk(taskId, round, chainId, worker, chunkIndex, weight, new byte[32], payload);
        RoundMessage m = RoundMessage.of(RoundMessage.Kind.CHUNK, taskId, round);
        m.chainId = chainId;
        m.worker = worker;
        m.chunkIndex = chunkIndex;
        m.weight = weight;
        m.chunkFrom(r.value, ByteBuffer.wrap(payload));
        m.rawKey = r.key;
        return m;
    }

    /** A random update of about the given L2 norm. */
    static float[] randomUpdate(SplittableRandom rnd, double norm) {
        float[] x = new float[DIMENSION];
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
            s += (double) x[i] * x[i];
        }
        double f = norm / Math.sqrt(s);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (x[i] * f);
        }
        return x;
    }

    /** {@code n} encoded random updates (seeded). */
    static List<EncodedUpdate> updates(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<EncodedUpdate> out = new ArrayList<>();
        try (TensorEncoder enc = new TensorEncoder(params(16))) {
            for (int i = 0; i < n; i++) {
                out.add(enc.encode(randomUpdate(rnd, rnd.nextDouble(0.1, 0.9)), seed * 100 + i));
            }
        }
        return out;
    }
}
