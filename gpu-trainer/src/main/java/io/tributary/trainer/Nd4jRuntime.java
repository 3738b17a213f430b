package io.tributary.trainer;

import java.nio.file.Path;

/**
 * Where JavaCPP unpacks the ND4J natives (~400 MB for the CPU backend). Unless the JVM was started
 * with {@code -Dorg.bytedeco.javacpp.cachedir=...}, they go to {@code ~/.cache/tributary/javacpp}
 * rather than JavaCPP's default under the home directory or the system temp dir. Must run before
 * the first ND4J class initializes; {@link MlpModel} calls it.
 */
public final class Nd4jRuntime {

    public static final String CACHE_DIR_PROPERTY = "org.bytedeco.javacpp.cachedir";

    private Nd4jRuntime() {
    }

    /**
     * Limits ND4J's native threads (OpenMP ops and BLAS) of this process to {@code threads}. On a
     * machine shared with other work, 1 is much faster than ND4J's default of one per core
     * (spinning OpenMP threads fight the other load; see the module README). The environment
     * variable {@code OMP_NUM_THREADS}, read when the natives load, has the same effect.
     */
    public static void limitThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        configure();
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(threads);
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxMasterThreads(threads);
        org.nd4j.linalg.factory.Nd4j.factory().blas().setMaxThreads(threads);
    }

    /** Sets the JavaCPP cache dir default (idempotent) and returns the dir in use. */
    public static synchronized Path configure() {
        String dir = System.getProperty(CACHE_DIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = Path.of(System.getProperty("user.home"), ".cache", "tributary", "javacpp").toString();
            System.setProperty(CACHE_DIR_PROPERTY, dir);
        }
        return Path.of(dir);
    }
}
