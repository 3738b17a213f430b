package io.tributary.trainer.data;

import java.util.Arrays;

/**
 * One labelled example: its features, its class label, and the bytes that identify the row it came
 * from (the provenance key: a Postgres primary key, an MNIST file and index). The arrays are owned
 * by the sample; callers must not modify them.
 */
public record Sample(byte[] rowId, int label, float[] features) {

    public Sample {
        if (rowId == null || features == null) {
            throw new IllegalArgumentException("rowId and features must not be null");
        }
        if (label < 0) {
            throw new IllegalArgumentException("label must be >= 0, got " + label);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sample s && label == s.label && Arrays.equals(rowId, s.rowId)
                && Arrays.equals(features, s.features);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(rowId) + label) + Arrays.hashCode(features);
    }

    @Override
    public String toString() {
        return "Sample{rowId=" + java.util.HexFormat.of().formatHex(rowId) + ", label=" + label + ", features="
                + features.length + "}";
    }
}
