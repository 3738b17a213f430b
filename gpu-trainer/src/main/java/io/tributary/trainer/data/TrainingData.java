package io.tributary.trainer.data;

import java.util.List;

/**
 * A worker's local data set: labelled feature vectors of one width, each with the identity of the
 * row it came from. Implementations are immutable snapshots (a round trains on a fixed set).
 */
public interface TrainingData {

    int size();

    Sample sample(int i);

    /** Width of every feature vector (784 for MNIST); 0 when empty. */
    default int featureCount() {
        return size() == 0 ? 0 : sample(0).features().length;
    }

    static TrainingData of(List<Sample> samples) {
        return new ListData(samples);
    }

    /** An immutable list-backed data set; every sample must have the same feature width. */
    final class ListData implements TrainingData {
        private final List<Sample> samples;

        private ListData(List<Sample> samples) {
            this.samples = List.copyOf(samples);
            if (!this.samples.isEmpty()) {
                int width = this.samples.get(0).features().length;
                for (Sample s : this.samples) {
                    if (s.features().length != width) {
                        throw new IllegalArgumentException("mixed feature widths " + width + " and "
                                + s.features().length);
                    }
                }
            }
        }

        @Override
        public int size() {
            return samples.size();
        }

        @Override
        public Sample sample(int i) {
            return samples.get(i);
        }

        public List<Sample> samples() {
            return samples;
        }

        @Override
        public String toString() {
            return "TrainingData{" + samples.size() + " samples}";
        }
    }
}
