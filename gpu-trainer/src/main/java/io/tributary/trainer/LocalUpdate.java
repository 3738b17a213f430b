package io.tributary.trainer;

/**
 * What local training produced: {@code delta = local - global} (float32, the model's flat layout)
 * and the number of samples it was trained on, the update's weight in FedAvg.
 */
public record LocalUpdate(float[] delta, long samples) {

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
