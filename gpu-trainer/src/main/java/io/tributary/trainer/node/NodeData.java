package io.tributary.trainer.node;

import io.tributary.trainer.cdc.PostgresCdcSource;
import io.tributary.trainer.cdc.RoundCut;
import io.tributary.trainer.data.DataRoot;
import io.tributary.trainer.data.DataSplitter;
import io.tributary.trainer.data.MnistLoader;
import io.tributary.trainer.data.Sample;
import io.tributary.trainer.data.TrainingData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A worker's data ({@code --data}): what it trains on in a round with that round's dataRoot, and
 * the held-out split it evaluates global models on.
 *
 * <ul>
 *   <li>{@code mnist}, {@code mnist:iid}, {@code mnist:dirichlet=ALPHA} with {@code --shard I/N}
 *       (I in 1..N): share I of the pinned MNIST digits split by {@link DataSplitter} (seed
 *       {@link #SPLIT_SEED}, {@link #TEST_SIZE} held-out digits, the same for every worker); the
 *       dataRoot is the share's, the same every round.</li>
 *   <li>{@code jdbc:postgresql://HOST:PORT/DB?table=T}: the rows Debezium streamed in
 *       ({@link PostgresCdcSource}) up to the round's cut, and that cut's dataRoot. Evaluated on the
 *       MNIST held-out split when the digits are installed.</li>
 * </ul>
 */
public interface NodeData extends AutoCloseable {

    long SPLIT_SEED = 20_251_124L;
    int TEST_SIZE = 1_000;

    /** A round's training rows and dataRoot. */
    record RoundData(TrainingData rows, byte[] dataRoot) {}

    /** The rows of (task, round), or empty if there are none yet. */
    Optional<RoundData> forRound(long taskId, int round) throws IOException;

    /** The held-out split, or empty if the worker has none. */
    Optional<TrainingData> heldOut();

    @Override
    default void close() throws IOException {}

    /** Share {@code shard} (1-based) of {@code shards} of {@code digits}, split as {@code spec} says. */
    static NodeData mnist(List<Sample> digits, String spec, int shard, int shards) {
        if (shards < 1 || shard < 1 || shard > shards) {
            throw new IllegalArgumentException("--shard must be I/N with 1 <= I <= N, got " + shard + "/" + shards);
        }
        String s = spec.toLowerCase(Locale.ROOT);
        DataSplitter.Split split;
        if (s.equals("mnist") || s.equals("mnist:iid")) {
            split = DataSplitter.iid(digits, shards, TEST_SIZE, SPLIT_SEED);
        } else if (s.startsWith("mnist:dirichlet=")) {
            double alpha = Double.parseDouble(s.substring("mnist:dirichlet=".length()));
            split = DataSplitter.dirichlet(digits, shards, TEST_SIZE, alpha, SPLIT_SEED);
        } else {
            throw new IllegalArgumentException("--data must be mnist[:iid|:dirichlet=ALPHA] or jdbc:postgresql://..., got "
                    + spec);
        }
        TrainingData share = split.workers().get(shard - 1);
        RoundData data = new RoundData(share, DataRoot.of(share));
        TrainingData test = split.test();
        return new NodeData() {
            @Override
            public Optional<RoundData> forRound(long taskId, int round) {
                return share.size() == 0 ? Optional.empty() : Optional.of(data);
            }

            @Override
            public Optional<TrainingData> heldOut() {
                return Optional.of(test);
            }
        };
    }

    /**
     * A Postgres table streamed by {@code source} (started by this call, closed with the data).
     * Round cuts are keyed {@code taskId * 65536 + round} in the source's round log.
     */
    static NodeData postgres(PostgresCdcSource source, Optional<TrainingData> heldOut) {
        source.start();
        return new NodeData() {
            @Override
            public Optional<RoundData> forRound(long taskId, int round) throws IOException {
                if (source.failure() != null) {
                    throw new IOException("the CDC source failed", source.failure());
                }
                if (source.received() == 0) {
                    return Optional.empty();
                }
                RoundCut cut = source.cut(taskId * 65_536L + round);
                return Optional.of(new RoundData(cut.rows(), cut.dataRoot()));
            }

            @Override
            public Optional<TrainingData> heldOut() {
                return heldOut;
            }

            @Override
            public void close() throws IOException {
                source.close();
            }
        };
    }

    /** The MNIST held-out split if the digits are installed in {@code dir}. */
    static Optional<TrainingData> mnistHeldOut(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        return Optional.of(DataSplitter.iid(MnistLoader.load(dir), 1, TEST_SIZE, SPLIT_SEED).test());
    }
}
