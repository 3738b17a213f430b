package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.DeadLetter;
import io.tributary.schemas.avro.ModelChunk;
import io.tributary.schemas.avro.RejectionReason;
import io.tributary.schemas.avro.RoundCommitment;
import io.tributary.schemas.avro.RoundOutcome;
import io.tributary.schemas.merkle.Contribution;
import io.tributary.schemas.tensor.ChunkAccumulator;
import io.tributary.schemas.tensor.ChunkDecoder;
import io.tributary.schemas.tensor.EncodedUpdate;
import io.tributary.schemas.tensor.ModelFile;
import io.tributary.schemas.tensor.WireParams;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.functions.FromElementsGeneratorFunction;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The whole topology in a MiniCluster with in-memory sources and collecting sinks: the same updates
 * in different orders and at parallelism 1, 2 and 4 give byte-identical outputs, equal to what the
 * codec computes offline.
 */
class RoundAggregationJobIT {

    private static final long TASK = 42;
    private static final int WORKERS = 6;

    /** One run's outputs. */
    record Run(List<ModelChunk> models, List<RoundCommitment> commitments, List<CommitRoundCall> calls,
               List<DeadLetter> deadLetters) {}

    static Run run(List<RawRecord> events, List<RawRecord> blocks, List<RawRecord> chunks, int parallelism)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        Outputs outputs = build(env, events, blocks, chunks, 0);
        env.execute("round-aggregation-" + parallelism);
        return outputs.run();
    }

    /** The collecting sinks of one job. */
    record Outputs(CollectingSink<RawRecord> models, CollectingSink<RawRecord> commitments,
                   CollectingSink<RawRecord> deadLetters, CollectingSink.Calls calls) {

        /** What the sinks collected, decoded. */
        Run run() {
            return new Run(
                    models.values().stream().map(r -> Topics.MODEL_CHUNKS.deserializeValue(r.value))
                            .sorted(Comparator.comparingInt(ModelChunk::getChunkIndex)).toList(),
                    commitments.values().stream().map(r -> Topics.ROUND_COMMITMENTS.deserializeValue(r.value)).toList(),
                    calls.values(),
                    deadLetters.values().stream().map(r -> Topics.DEADLETTER.deserializeValue(r.value)).toList());
        }
    }

    /**
     * Lays the job out on {@code env} with in-memory sources of the records and collecting sinks, in
     * REPLAY time; the commitment sink reports each call as a confirmed transaction of
     * {@code gasPerCommit} gas (0: as nothing sent).
     */
    static Outputs build(StreamExecutionEnvironment env, List<RawRecord> events, List<RawRecord> blocks,
                         List<RawRecord> chunks, long gasPerCommit) {
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        String id = UUID.randomUUID().toString();
        Outputs outputs = new Outputs(new CollectingSink<>(id + "-models"), new CollectingSink<>(id + "-commitments"),
                new CollectingSink<>(id + "-dead"), new CollectingSink.Calls(id + "-calls", gasPerCommit));
        new RoundAggregationJob(source(events), source(blocks), source(chunks), outputs.models(), outputs.commitments(),
                outputs.deadLetters(), outputs.calls(), Fixtures.config(RoundAggregationJob.TimeMode.REPLAY)).build(env);
        return outputs;
    }

    private static DataGeneratorSource<RawRecord> source(List<RawRecord> records) {
        TypeInformation<RawRecord> type = TypeInformation.of(RawRecord.class);
        if (records.isEmpty()) {
            return new DataGeneratorSource<>(i -> null, 0, type);
        }
        return new DataGeneratorSource<>(new FromElementsGeneratorFunction<>(type, records.toArray(new RawRecord[0])),
                records.size(), type);
    }

    @Test
    void shouldGiveByteIdenticalRoundsForAnyOrderAndParallelismEqualToTheOfflineCodec() throws Exception {
        List<EncodedUpdate> updates = Fixtures.updates(WORKERS, 11);
        List<RawRecord> events = new ArrayList<>();
        List<RawRecord> chunks = new ArrayList<>();
        float[] initial = Fixtures.initialModel(5);
        events.add(Fixtures.modelRegistered(initial, "job-it-fedavg"));
        events.add(Fixtures.taskPosted(TASK, AggregationRule.FEDAVG, 0, 3));
        for (int w = 0; w < WORKERS; w++) {
            long chain = w % 2 == 0 ? Fixtures.HOME : Fixtures.ARB;
            events.add(Fixtures.reveal(TASK, 0, chain, Fixtures.worker(w), updates.get(w).root(), 10L + w));
            for (int c = 0; c < Fixtures.chunkCount(); c++) {
                chunks.add(Fixtures.chunk(TASK, 0, chain, Fixtures.worker(w), c, 10L + w, updates.get(w).root(),
                        updates.get(w).chunks().get(c)));
            }
        }
        // One bad chunk from an outsider: dead-lettered, never counted.
        chunks.add(Fixtures.chunk(TASK, 0, Fixtures.HOME, Fixtures.worker(99), 0, 5, new byte[32],
                updates.get(0).chunks().get(0)));
        List<RawRecord> blocks = List.of(Fixtures.block(Fixtures.HOME, 1, Fixtures.START),
                Fixtures.block(Fixtures.ARB, 1, Fixtures.START));

        Run reference = run(events, blocks, chunks, 1);
        assertOffline(reference, updates, initial);

        Random rnd = new Random(3);
        for (int parallelism : new int[] {2, 4}) {
            List<RawRecord> shuffledEvents = new ArrayList<>(events);
            List<RawRecord> shuffledChunks = new ArrayList<>(chunks);
            Collections.shuffle(shuffledEvents, rnd);
            Collections.shuffle(shuffledChunks, rnd);
            Run other = run(shuffledEvents, blocks, shuffledChunks, parallelism);
            assertThat(other.commitments()).as("rounds.commitments at parallelism %d; dead letters %s", parallelism,
                    other.deadLetters()).isEqualTo(reference.commitments());
            assertThat(other.models()).as("models.chunks at parallelism %d", parallelism)
                    .isEqualTo(reference.models());
            assertThat(other.calls()).isEqualTo(reference.calls());
        }
    }

    /**
     * The job's outputs equal the initial model plus the codec's own exact FedAvg, and the project's
     * Merkle trees (ModelFile's model tree).
     */
    private static void assertOffline(Run run, List<EncodedUpdate> updates, float[] initial) throws Exception {
        WireParams p = Fixtures.params(16);
        ChunkDecoder decoder = new ChunkDecoder(p);
        assertThat(run.models()).hasSize(p.chunkCount());
        float[] model = new float[p.dimension()];
        for (int c = 0; c < p.chunkCount(); c++) {
            ChunkAccumulator acc = new ChunkAccumulator(p, c);
            for (int w = 0; w < WORKERS; w++) {
                acc.add(decoder.decode(updates.get(w).chunks().get(c)), 10L + w);
            }
            int from = c * (ModelFile.LEAF_COORDS << p.chunkLeavesLog2());
            float[] expected = acc.applyTo(java.util.Arrays.copyOfRange(initial, from, from + p.coordsInChunk(c)));
            ByteBuffer payload = run.models().get(c).getPayload().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
            float[] actual = new float[expected.length];
            payload.asFloatBuffer().get(actual);
            assertThat(actual).as("chunk %d", c).isEqualTo(expected);
            System.arraycopy(expected, 0, model, from, expected.length);
        }
        byte[] modelRoot = ModelFile.root(model);

        List<Contribution> contributions = new ArrayList<>();
        long total = 0;
        long[] chainWeights = new long[2];
        for (int w = 0; w < WORKERS; w++) {
            long chain = w % 2 == 0 ? Fixtures.HOME : Fixtures.ARB;
            contributions.add(new Contribution(chain, HexFormat.of().parseHex(Fixtures.worker(w).substring(2)),
                    updates.get(w).root(), 10L + w));
            total += 10L + w;
            chainWeights[w % 2] += 10L + w;
        }
        contributions.sort(Comparator.comparingLong(Contribution::chainId)
                .thenComparing(c -> HexFormat.of().formatHex(c.worker())));
        byte[] contributionsRoot = Contribution.tree(contributions).root();

        assertThat(run.commitments()).hasSize(1);
        RoundCommitment rc = run.commitments().get(0);
        assertThat(rc.getOutcome()).isEqualTo(RoundOutcome.COMMITTED);
        assertThat(bytes(rc.getModelRoot())).isEqualTo(modelRoot);
        assertThat(bytes(rc.getContributionsRoot())).isEqualTo(contributionsRoot);
        assertThat(rc.getTotalWeight()).isEqualTo(total);
        assertThat(rc.getContributors()).isEqualTo(WORKERS);
        for (ModelChunk mc : run.models()) {
            assertThat(bytes(mc.getModelRoot())).isEqualTo(modelRoot);
        }
        assertThat(run.calls()).hasSize(1);
        CommitRoundCall call = run.calls().get(0);
        assertThat(call.modelRoot).isEqualTo(modelRoot);
        assertThat(call.contributionsRoot).isEqualTo(contributionsRoot);
        assertThat(call.chainWeights).containsExactly(chainWeights);
        assertThat(run.deadLetters()).extracting(DeadLetter::getReason).containsExactly(RejectionReason.NO_REVEAL);
    }

    @Test
    void shouldAverageOnlyTheUpdatesMultiKrumSelectsAcrossChunks() throws Exception {
        WireParams p = Fixtures.params(16);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(31);
        float[] g = Fixtures.randomUpdate(rnd, 0.5);
        List<EncodedUpdate> updates = new ArrayList<>();
        try (io.tributary.schemas.tensor.TensorEncoder enc = new io.tributary.schemas.tensor.TensorEncoder(p)) {
            for (int w = 0; w < 7; w++) {
                float[] noise = Fixtures.randomUpdate(rnd, 0.05);
                float[] x = new float[g.length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = w < 5 ? g[i] + noise[i] : -100 * g[i]; // workers 5 and 6 flip the sign, clipped to C
                }
                updates.add(enc.encode(x, 500 + w));
            }
        }
        List<RawRecord> events = new ArrayList<>();
        List<RawRecord> chunks = new ArrayList<>();
        events.add(Fixtures.modelRegistered(new float[p.dimension()], "job-it-krum"));
        events.add(Fixtures.taskPosted(TASK, AggregationRule.MULTI_KRUM, 2, 3));
        for (int w = 0; w < 7; w++) {
            events.add(Fixtures.reveal(TASK, 0, Fixtures.HOME, Fixtures.worker(w), updates.get(w).root(), 1));
            for (int c = 0; c < p.chunkCount(); c++) {
                chunks.add(Fixtures.chunk(TASK, 0, Fixtures.HOME, Fixtures.worker(w), c, 1, updates.get(w).root(),
                        updates.get(w).chunks().get(c)));
            }
        }
        Run run = run(events, List.of(Fixtures.block(Fixtures.HOME, 1, Fixtures.START)), chunks, 2);

        assertThat(run.commitments()).hasSize(1);
        assertThat(run.commitments().get(0).getOutcome()).isEqualTo(RoundOutcome.COMMITTED);
        ChunkDecoder decoder = new ChunkDecoder(p);
        for (int c = 0; c < p.chunkCount(); c++) {
            List<long[]> honest = new ArrayList<>();
            for (int w = 0; w < 5; w++) {
                honest.add(AggregationRules.fixedPoint(decoder.decode(updates.get(w).chunks().get(c)), p.expMin()));
            }
            assertThat(bytes(run.models().get(c).getPayload())).as("chunk %d", c)
                    .isEqualTo(ChunkAggregateFunction.floats(AggregationRules.mean(honest), p.expMin()));
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
