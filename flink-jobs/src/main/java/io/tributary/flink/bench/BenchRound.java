package io.tributary.flink.bench;

import io.tributary.flink.RoundMessage;
import io.tributary.flink.TaskInfo;
import io.tributary.schemas.Keys;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.UpdateChunk;
import io.tributary.schemas.tensor.ChunkDecoder;
import io.tributary.schemas.tensor.ChunkRejectedException;
import io.tributary.schemas.tensor.EncodedUpdate;
import io.tributary.schemas.tensor.TensorEncoder;
import io.tributary.schemas.tensor.WireParams;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;

/**
 * One round's inputs for the aggregation benchmark, encoded before any timing starts: N updates of
 * P coordinates as real wire-format chunks, each with the {@code updates.chunks} record it came in
 * (admitted chunks carry it, for dead-lettering), plus the task each rule runs under.
 *
 * <p>The MiniCluster runs in this JVM, so the job's source finds the round here by id instead of
 * serializing hundreds of megabytes into the job graph.
 */
final class BenchRound {

    private static final Map<String, BenchRound> ROUNDS = new ConcurrentHashMap<>();

    static final long TASK_ID = 1;
    static final int ROUND = 0;
    static final long CHAIN_ID = 31337;
    /** Event time of the task's schedule (unix seconds); the benchmark's job never advances time before its end. */
    private static final long START = 1_700_000_000L;

    final String id;
    final WireParams params;
    final int updates;
    final String[] workers;
    final long[] weights;
    /** payloads[c][u]: chunk c of update u, Arrow IPC bytes. */
    final byte[][][] payloads;
    /** records[c][u]: the serialized {@code UpdateChunk} that carried it. */
    final byte[][][] records;
    final byte[][] recordKeys;

    private BenchRound(String id, WireParams params, int updates) {
        this.id = id;
        this.params = params;
        this.updates = updates;
        this.workers = new String[updates];
        this.weights = new long[updates];
        this.payloads = new byte[params.chunkCount()][updates][];
        this.records = new byte[params.chunkCount()][updates][];
        this.recordKeys = new byte[params.chunkCount()][];
    }

    /** The task parameters of the benchmark (those of the codec benchmark: exponents [-24, -6], L2 bound 1). */
    static WireParams params(int coords, int updates) {
        return WireParams.builder().dimension(coords).exponentRange(-24, -6).l2Bound(1.0).maxWeight(1 << 16)
                .maxContributors(updates).build();
    }

    /**
     * Encodes {@code updates} seeded Gaussian updates (L2 norms between 0.3 and 0.9) and registers
     * the round; {@code progress} hears the count of updates encoded so far.
     */
    static BenchRound prepare(String id, int coords, int updates, long seed, IntConsumer progress) {
        WireParams params = params(coords, updates);
        BenchRound r = new BenchRound(id, params, updates);
        SplittableRandom rnd = new SplittableRandom(seed);
        ChunkDecoder decoder = new ChunkDecoder(params);
        for (int c = 0; c < params.chunkCount(); c++) {
            r.recordKeys[c] = Topics.UPDATE_CHUNKS.serializeKey(Keys.chunk(TASK_ID, ROUND, c));
        }
        float[] x = new float[coords];
        try (TensorEncoder encoder = new TensorEncoder(params)) {
            for (int u = 0; u < updates; u++) {
                double norm = rnd.nextDouble(0.3, 0.9);
                double scale = norm / Math.sqrt(coords);
                for (int i = 0; i < coords; i++) {
                    x[i] = (float) (rnd.nextGaussian() * scale);
                }
                EncodedUpdate e = encoder.encode(x, seed + u);
                r.workers[u] = String.format("0x%040x", u + 1);
                r.weights[u] = 1 + rnd.nextInt(1000);
                for (int c = 0; c < params.chunkCount(); c++) {
                    byte[] payload = e.chunks().get(c);
                    r.payloads[c][u] = payload;
                    r.records[c][u] = Topics.UPDATE_CHUNKS.serializeValue(UpdateChunk.newBuilder()
                            .setTaskId(TASK_ID).setRound(ROUND).setChainId(CHAIN_ID).setWorker(r.workers[u])
                            .setChunkIndex(c).setChunkCount(params.chunkCount()).setWeight(r.weights[u])
                            .setUpdateRoot(ByteBuffer.wrap(e.root())).setProof(proof(decoder, payload))
                            .setPayload(ByteBuffer.wrap(payload)).build());
                }
                progress.accept(u + 1);
            }
        }
        ROUNDS.put(id, r);
        return r;
    }

    private static List<ByteBuffer> proof(ChunkDecoder decoder, byte[] payload) {
        try {
            List<ByteBuffer> out = new ArrayList<>();
            for (byte[] p : decoder.decode(payload, ChunkDecoder.Verification.FRAMING).proof()) {
                out.add(ByteBuffer.wrap(p));
            }
            return out;
        } catch (ChunkRejectedException e) {
            throw new IllegalStateException("the encoder wrote a chunk its own decoder refuses", e);
        }
    }

    static BenchRound get(String id) {
        BenchRound r = ROUNDS.get(id);
        if (r == null) {
            throw new IllegalStateException("no prepared benchmark round " + id + " in this JVM");
        }
        return r;
    }

    void release() {
        ROUNDS.remove(id);
    }

    int chunkCount() {
        return params.chunkCount();
    }

    /** The task as the job knows it from its TaskPosted event, under {@code rule} with {@code ruleParam}. */
    TaskInfo task(AggregationRule rule, int ruleParam) {
        TaskInfo t = new TaskInfo();
        t.taskId = TASK_ID;
        t.modelId = 1;
        t.rounds = 1;
        t.minContributors = 1;
        t.maxContributors = updates;
        t.maxWeight = params.maxWeight();
        t.startTime = START;
        t.roundPeriod = 3600;
        t.commitWindow = 600;
        t.revealWindow = 600;
        t.aggregateWindow = 600;
        t.clipBound = 1L << 32;
        t.expMin = params.expMin();
        t.expMax = params.expMax();
        t.rule = rule;
        t.ruleParam = ruleParam;
        t.chainIds = new long[] {CHAIN_ID};
        t.dimension = params.dimension();
        t.chunkLeavesLog2 = params.chunkLeavesLog2();
        t.closeGraceSeconds = 60;
        return t;
    }

    /**
     * What admission and the round closer send to chunk {@code c}'s key: the chunks of the first
     * {@code contributors} updates, each followed by its accepted verdict, then (if {@code close})
     * the close listing them.
     */
    List<RoundMessage> messages(int c, TaskInfo task, int contributors, boolean close) {
        List<RoundMessage> out = new ArrayList<>(2 * contributors + 1);
        for (int u = 0; u < contributors; u++) {
            RoundMessage m = message(RoundMessage.Kind.CHUNK, c, task);
            m.chainId = CHAIN_ID;
            m.worker = workers[u];
            m.weight = weights[u];
            m.chunkFrom(records[c][u], ByteBuffer.wrap(payloads[c][u])); // as the job's parser does
            m.rawKey = recordKeys[c];
            out.add(m);
            RoundMessage v = message(RoundMessage.Kind.VERDICT, c, task);
            v.chainId = CHAIN_ID;
            v.worker = workers[u];
            v.accepted = true;
            out.add(v);
        }
        if (close) {
            RoundMessage m = message(RoundMessage.Kind.CLOSE, c, task);
            m.contributorChains = new long[contributors];
            java.util.Arrays.fill(m.contributorChains, CHAIN_ID);
            m.contributorWorkers = java.util.Arrays.copyOf(workers, contributors);
            out.add(m);
        }
        return out;
    }

    private static RoundMessage message(RoundMessage.Kind kind, int c, TaskInfo task) {
        RoundMessage m = new RoundMessage();
        m.kind = kind;
        m.taskId = TASK_ID;
        m.round = ROUND;
        m.chunkIndex = c;
        m.task = task;
        return m;
    }
}
