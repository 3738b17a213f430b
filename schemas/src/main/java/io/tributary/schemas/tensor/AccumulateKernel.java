package io.tributary.schemas.tensor;

/**
 * The inner loops of exact accumulation over leaves read in place. Two implementations give
 * bit-identical results: {@link ScalarKernel} and {@code VectorKernel} (jdk.incubator.vector).
 */
interface AccumulateKernel {

    /**
     * {@code acc[accOff + j] += w * (m_j << (e_b - expMin))} in int32 for every coordinate of
     * {@code leaves} leaves starting at byte {@code leafOff}. The caller guarantees that no partial
     * sum can leave the int32 range.
     */
    void addInt32(byte[] data, int leafOff, int leaves, int weight, int expMin, int[] acc, int accOff);

    /** Same in int64. */
    void addInt64(byte[] data, int leafOff, int leaves, long weight, int expMin, long[] acc, int accOff);

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
