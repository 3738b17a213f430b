package io.tributary.trainer;

/** A model's mean cross-entropy loss and accuracy on {@code count} held-out samples. */
public record Evaluation(double loss, double accuracy, int count) {
}
