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
