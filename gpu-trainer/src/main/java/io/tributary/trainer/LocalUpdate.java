package io.tributary.trainer;

/**
 * What local training produced: {@code delta = local - global} (float32, the model's flat layout),
 * the number of samples it was trained on (the update's weight in FedAvg) and the training loss:
 * the mean loss over the minibatches of the last local epoch, NaN when nothing was trained.
 */
public record LocalUpdate(float[] delta, long samples, double loss) {

    /** An update whose training loss is not known (not trained here, or nothing to train on). */
    public LocalUpdate(float[] delta, long samples) {
        this(delta, samples, Double.NaN);
    }

    public LocalUpdate {
        if (delta == null) {
            throw new IllegalArgumentException("delta must not be null");
        }
        if (samples < 0) {
            throw new IllegalArgumentException("samples must be >= 0, got " + samples);
        }
    }

    /** The L2 norm of the delta, summed in binary64 in index order (as the codec's clip does). */
    public double l2Norm() {
        double s = 0;
        for (float x : delta) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }
}
