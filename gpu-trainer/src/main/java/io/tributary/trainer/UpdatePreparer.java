package io.tributary.trainer;

import io.tributary.schemas.tensor.BlockQuantizer;
import io.tributary.schemas.tensor.EncodedUpdate;
import io.tributary.schemas.tensor.TensorEncoder;
import io.tributary.schemas.tensor.WireParams;

/**
 * Turns a {@link LocalUpdate} into what a worker publishes: the delta clipped to the task's L2
 * bound and encoded with the project codec ({@link TensorEncoder}, FORMAT.md section 3: the clip is
 * the codec's own, so every party computes it identically), stochastic rounding drawn from
 * {@code seed}. Not thread-safe (it owns the encoder's Arrow allocator); close it when done.
 */
public final class UpdatePreparer implements AutoCloseable {

    private final WireParams params;
    private final TensorEncoder encoder;

    public UpdatePreparer(WireParams params) {
        this.params = params;
        this.encoder = new TensorEncoder(params);
    }

    public WireParams params() {
        return params;
    }

    /**
     * Clips and encodes {@code update}.
     *
     * @throws IllegalArgumentException if the update's length is not the task's dimension or its
     *     weight is outside [1, maxWeight] (a worker with no samples has nothing to contribute)
     */
    public PreparedUpdate prepare(LocalUpdate update, long seed) {
        if (update.delta().length != params.dimension()) {
            throw new IllegalArgumentException("update of " + update.delta().length + " coordinates, the task has "
                    + params.dimension());
        }
        if (update.samples() < 1 || update.samples() > params.maxWeight()) {
            throw new IllegalArgumentException("weight " + update.samples() + " outside [1, " + params.maxWeight()
                    + "]");
        }
        double norm = update.l2Norm();
        float[] clipped = BlockQuantizer.clip(update.delta(), params.l2Bound());
        double clippedNorm = new LocalUpdate(clipped, update.samples()).l2Norm();
        EncodedUpdate encoded = encoder.encode(update.delta(), seed);
        return new PreparedUpdate(encoded, clipped, update.samples(), norm, clippedNorm, seed);
    }

    /** The per-round encoding seed of a worker: a 64-bit mix of (worker seed, task, round). */
    public static long encodingSeed(long workerSeed, long taskId, long round) {
        return LocalTrainer.mix(workerSeed, taskId * 0x632BE59BD9B4E019L + 1, round);
    }

    @Override
    public void close() {
        encoder.close();
    }
}
