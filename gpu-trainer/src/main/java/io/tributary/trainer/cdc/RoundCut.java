package io.tributary.trainer.cdc;

import io.tributary.trainer.data.TrainingData;

/**
 * The rows one round trains on: the first {@code rowCount} rows the worker received (in commit
 * order), up to and including log position {@code lsn} (-1 when there are none), and their
 * {@code dataRoot} (see {@link io.tributary.trainer.data.DataRoot}).
 */
public record RoundCut(long round, int rowCount, long lsn, byte[] dataRoot, TrainingData rows) {
}
