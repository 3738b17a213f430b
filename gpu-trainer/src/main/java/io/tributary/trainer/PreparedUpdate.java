package io.tributary.trainer;

import io.tributary.schemas.tensor.EncodedUpdate;

/**
 * An update ready to commit and reveal: its encoded chunks and Merkle root (the {@code updateRoot}
 * a worker commits to and reveals), the clipped float32 delta that was encoded, its weight, and the
 * norms before and after clipping.
 */
public record PreparedUpdate(EncodedUpdate encoded, float[] clippedDelta, long weight, double l2Norm,
                             double clippedNorm, long seed) {

    /** The update root the worker reveals (a copy). */
    public byte[] updateRoot() {
        return encoded.root();
    }

    public boolean clipped() {
        return l2Norm > clippedNorm;
    }
}
