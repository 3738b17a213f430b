package io.tributary.schemas.tensor;

/**
 * The inner loops of exact accumulation over leaves read in place. Two implementations give
 * bit-identical results: {@link ScalarKernel} and {@code VectorKernel} (jdk.incubator.vector).
 */
interface AccumulateKernel {

    /** Returned by the add methods when an exponent lies outside [expMin, expMax]. */
    int BAD_EXPONENT = Integer.MIN_VALUE;

    /**
     * {@code acc[accOff + j] += w * (m_j << (e_b - expMin))} in wrapping int32 arithmetic for
     * every coordinate of {@code leaves} leaves starting at byte {@code leafOff}. Returns the
     * largest exponent seen, or {@link #BAD_EXPONENT} if one lies outside [expMin, expMax] (the
     * sums are then garbage and the caller discards them). Adding with {@code -w} undoes an add
     * exactly, since wrapping arithmetic is exact modulo 2^32.
     */
    int addInt32(byte[] data, int leafOff, int leaves, int weight, int expMin, int expMax, int[] acc, int accOff);

    /** Same in wrapping int64. */
    int addInt64(byte[] data, int leafOff, int leaves, long weight, int expMin, int expMax, long[] acc, int accOff);

    /** {@code sums[off + j] += partial[j]; partial[j] = 0} for {@code j < len}. */
    void flush(int[] partial, long[] sums, int off, int len);

    /** The fastest kernel this JVM can run: the Vector API one if jdk.incubator.vector is present. */
    static AccumulateKernel best() {
        return KernelHolder.BEST;
    }

    /** Lazy selection, so the Vector API classes are only touched where the module is present. */
    final class KernelHolder {
        static final AccumulateKernel BEST = select();

        private KernelHolder() {}

        private static AccumulateKernel select() {
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
                try {
                    return (AccumulateKernel) Class.forName("io.tributary.schemas.tensor.VectorKernel")
                            .getDeclaredConstructor().newInstance();
                } catch (ReflectiveOperationException | LinkageError e) {
                    return new ScalarKernel();
                }
            }
            return new ScalarKernel();
        }
    }
}
