package io.tributary.trainer;

import java.util.Arrays;

/**
 * A fully connected classifier: {@code inputs -> hidden... (ReLU) -> outputs (softmax)}, trained
 * with cross-entropy. The task's model is {@link #mnist()}: 784-128-10. Immutable; build with
 * {@link #builder()}.
 */
public final class MlpSpec {

    private final int inputs;
    private final int[] hidden;
    private final int outputs;
    private final Optimizer optimizer;
    private final double learningRate;
    private final long seed;

    private MlpSpec(Builder b) {
        this.inputs = b.inputs;
        this.hidden = b.hidden.clone();
        this.outputs = b.outputs;
        this.optimizer = b.optimizer;
        this.learningRate = b.learningRate;
        this.seed = b.seed;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** MLP 784-128-10, SGD with learning rate 0.1, seed 2026. */
    public static MlpSpec mnist() {
        return builder().build();
    }

    public Builder toBuilder() {
        return builder().inputs(inputs).hidden(hidden).outputs(outputs).optimizer(optimizer)
                .learningRate(learningRate).seed(seed);
    }

    public int inputs() {
        return inputs;
    }

    public int[] hidden() {
        return hidden.clone();
    }

    public int outputs() {
        return outputs;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public double learningRate() {
        return learningRate;
    }

    public long seed() {
        return seed;
    }

    /** Number of float32 parameters: every layer's weights and biases. */
    public int parameterCount() {
        long n = 0;
        int in = inputs;
        for (int h : hidden) {
            n += (long) in * h + h;
            in = h;
        }
        n += (long) in * outputs + outputs;
        return Math.toIntExact(n);
    }

    @Override
    public String toString() {
        return "MlpSpec{" + inputs + "-" + Arrays.toString(hidden) + "-" + outputs + ", " + optimizer + " lr="
                + learningRate + ", seed=" + seed + "}";
    }

    public static final class Builder {
        private int inputs = 784;
        private int[] hidden = {128};
        private int outputs = 10;
        private Optimizer optimizer = Optimizer.SGD;
        private double learningRate = 0.1;
        private long seed = 2026;

        private Builder() {
        }

        public Builder inputs(int inputs) {
            this.inputs = inputs;
            return this;
        }

        public Builder hidden(int... hidden) {
            this.hidden = hidden == null ? null : hidden.clone();
            return this;
        }

        public Builder outputs(int outputs) {
            this.outputs = outputs;
            return this;
        }

        public Builder optimizer(Optimizer optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public MlpSpec build() {
            if (inputs < 1) {
                throw new IllegalArgumentException("inputs must be >= 1, got " + inputs);
            }
            if (hidden == null) {
                throw new IllegalArgumentException("hidden must not be null (use an empty array for none)");
            }
            for (int h : hidden) {
                if (h < 1) {
                    throw new IllegalArgumentException("every hidden layer needs >= 1 unit, got " + Arrays.toString(hidden));
                }
            }
            if (outputs < 2) {
                throw new IllegalArgumentException("outputs must be >= 2 (softmax over classes), got " + outputs);
            }
            if (optimizer == null) {
                throw new IllegalArgumentException("optimizer must be set");
            }
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("learningRate must be a positive finite number, got " + learningRate);
            }
            MlpSpec spec = new MlpSpec(this);
            spec.parameterCount(); // refuses models past 2^31 - 1 parameters
            return spec;
        }
    }
}
