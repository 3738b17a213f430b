package io.tributary.trainer;

import io.tributary.trainer.data.Sample;
import io.tributary.trainer.data.TrainingData;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.SplittableRandom;

/**
 * Trains a worker's copy of the global model on its local data and evaluates flat models.
 *
 * <p>{@link #train}: start from the global flat parameters with a fresh optimizer state, run
 * {@code epochs} passes over the data in minibatches of {@code batchSize} (the order of each epoch
 * is a seeded shuffle of (seed, round, epoch)), and return {@code local - global} with the sample
 * count and the training loss (each minibatch's loss as the network computed it for its step,
 * averaged over the samples of the last epoch). Given the same inputs it does the same thing; bit-exact repetition additionally needs the
 * same ND4J backend and thread count (BLAS summation order).
 *
 * <p>Not thread-safe: one instance per worker thread.
 */
public final class LocalTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(LocalTrainer.class);

    private final MlpModel model;
    private final int epochs;
    private final int batchSize;
    private final long seed;

    private LocalTrainer(Builder b) {
        this.model = new MlpModel(b.spec);
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.seed = b.seed;
    }

    public static Builder builder() {
        return new Builder();
    }

    public MlpModel model() {
        return model;
    }

    public int epochs() {
        return epochs;
    }

    public int batchSize() {
        return batchSize;
    }

    /**
     * Trains {@code epochs} local epochs from {@code global} on {@code data}; {@code round} varies
     * the shuffling from round to round. With no data the update is zero with weight 0.
     */
    public LocalUpdate train(float[] global, TrainingData data, long round) {
        int n = data.size();
        if (n == 0) {
            model.newNetwork(global); // still checks the model's length
            return new LocalUpdate(new float[global.length], 0);
        }
        checkShape(data);
        long start = System.nanoTime();
        MultiLayerNetwork net = model.newNetwork(global);
        float[] x = new float[n * model.spec().inputs()];
        float[] y = new float[n * model.spec().outputs()];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        double epochLoss = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            epochLoss = 0;
            SplittableRandom rng = new SplittableRandom(mix(seed, round, epoch));
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int from = 0; from < n; from += batchSize) {
                int size = Math.min(batchSize, n - from);
                fill(data, order, from, size, x, y);
                net.fit(batch(x, y, size));
                epochLoss += net.score() * size;
            }
        }
        float[] local = MlpModel.flatParams(net);
        float[] delta = new float[local.length];
        for (int i = 0; i < local.length; i++) {
            delta[i] = local[i] - global[i];
        }
        LocalUpdate update = new LocalUpdate(delta, n, epochLoss / n);
        LOG.debug("trained round {}: {} samples x {} epochs in {} ms, loss {}, |delta| = {}", round, n, epochs,
                (System.nanoTime() - start) / 1_000_000, update.loss(), update.l2Norm());
        return update;
    }

    /** Mean cross-entropy and accuracy of the flat model {@code params} on {@code data}. */
    public Evaluation evaluate(float[] params, TrainingData data) {
        int n = data.size();
        if (n == 0) {
            throw new IllegalArgumentException("cannot evaluate on an empty data set");
        }
        checkShape(data);
        MultiLayerNetwork net = model.newNetwork(params);
        int outputs = model.spec().outputs();
        int evalBatch = 1024;
        float[] x = new float[Math.min(n, evalBatch) * model.spec().inputs()];
        float[] y = new float[Math.min(n, evalBatch) * outputs];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        double lossSum = 0;
        int correct = 0;
        for (int from = 0; from < n; from += evalBatch) {
            int size = Math.min(evalBatch, n - from);
            fill(data, order, from, size, x, y);
            INDArray out = net.output(features(x, size), false);
            float[] p = out.castTo(DataType.FLOAT).reshape(size * (long) outputs).toFloatVector();
            for (int r = 0; r < size; r++) {
                int label = data.sample(from + r).label();
                int best = 0;
                for (int c = 1; c < outputs; c++) {
                    if (p[r * outputs + c] > p[r * outputs + best]) {
                        best = c;
                    }
                }
                if (best == label) {
                    correct++;
                }
                lossSum -= Math.log(Math.max(p[r * outputs + label], 1e-12f));
            }
        }
        return new Evaluation(lossSum / n, (double) correct / n, n);
    }

    private void checkShape(TrainingData data) {
        if (data.featureCount() != model.spec().inputs()) {
            throw new IllegalArgumentException("data has " + data.featureCount() + " features, the model expects "
                    + model.spec().inputs());
        }
    }

    private void fill(TrainingData data, int[] order, int from, int size, float[] x, float[] y) {
        int inputs = model.spec().inputs();
        int outputs = model.spec().outputs();
        java.util.Arrays.fill(y, 0, size * outputs, 0f);
        for (int r = 0; r < size; r++) {
            Sample s = data.sample(order[from + r]);
            if (s.label() >= outputs) {
                throw new IllegalArgumentException("label " + s.label() + " outside 0.." + (outputs - 1));
            }
            System.arraycopy(s.features(), 0, x, r * inputs, inputs);
            y[r * outputs + s.label()] = 1f;
        }
    }

    private INDArray features(float[] x, int rows) {
        int inputs = model.spec().inputs();
        return Nd4j.create(java.util.Arrays.copyOf(x, rows * inputs), new long[] {rows, inputs}, 'c');
    }

    private DataSet batch(float[] x, float[] y, int rows) {
        int outputs = model.spec().outputs();
        INDArray labels = Nd4j.create(java.util.Arrays.copyOf(y, rows * outputs), new long[] {rows, outputs}, 'c');
        return new DataSet(features(x, rows), labels);
    }

    /** A 64-bit mix of (seed, round, epoch) for the epoch's shuffle. */
    static long mix(long seed, long round, long epoch) {
        long z = seed ^ (round * 0x9E3779B97F4A7C15L) ^ (epoch * 0xC2B2AE3D27D4EB4FL);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public static final class Builder {
        private MlpSpec spec = MlpSpec.mnist();
        private int epochs = 1;
        private int batchSize = 32;
        private long seed = 1;

        private Builder() {
        }

        public Builder spec(MlpSpec spec) {
            this.spec = spec;
            return this;
        }

        /** Local epochs per round (E). */
        public Builder epochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** The worker's shuffling seed. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public LocalTrainer build() {
            if (spec == null) {
                throw new IllegalArgumentException("spec must be set");
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
            return new LocalTrainer(this);
        }
    }
}
