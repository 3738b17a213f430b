package io.tributary.trainer;

/** The local optimizer of a task. */
public enum Optimizer {
    /** Plain stochastic gradient descent. */
    SGD,
    /** Adam (beta1 0.9, beta2 0.999, epsilon 1e-8); its moments restart at every round. */
    ADAM
}
