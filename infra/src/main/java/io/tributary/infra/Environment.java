package io.tributary.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * Where the CLI runs: the repository root ({@code -Dtributary.home}, set by the launcher; else the
 * working directory), the classpath and JVM flags a child JVM needs, and the default locations
 * derived from the root.
 */
public final class Environment {

    /** System property naming the repository root. */
    public static final String HOME_PROPERTY = "tributary.home";
    /** System property with the full classpath, for child JVMs (the launcher sets it). */
    public static final String CLASSPATH_PROPERTY = "tributary.classpath";

    private final Path home;

    private Environment(Path home) {
        this.home = home.toAbsolutePath().normalize();
    }

    public static Environment current() {
        return new Environment(Path.of(System.getProperty(HOME_PROPERTY, System.getProperty("user.dir"))));
    }

    public Path home() {
        return home;
    }

    /** Where {@code ./tributary devnet up} keeps its files unless told otherwise. */
    public Path defaultDevnetDir() {
        return home.resolve("target").resolve("devnet");
    }

    /** Downloaded or extracted tools that survive a {@code mvn clean}. */
    public Path cacheDir() {
        return home.resolve(".cache");
    }

    /** The anvil binary from the pinned npm toolchain of the contracts module. */
    public Path anvil() {
        return home.resolve("contracts/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
    }

    /** The classpath a child JVM running this CLI needs. */
    public static String classpath() {
        return System.getProperty(CLASSPATH_PROPERTY, System.getProperty("java.class.path"));
    }

    /** The JVM flags every Tributary JVM needs (the root pom's {@code tributary.jvm.flags}). */
    public static List<String> jvmFlags() {
        String flags = buildProperties().getProperty("jvm.flags", "").trim();
        return flags.isEmpty() ? List.of() : Arrays.asList(flags.split("\\s+"));
    }

    /** The project version this CLI was built from. */
    public static String version() {
        return buildProperties().getProperty("version", "unknown");
    }

    private static Properties buildProperties() {
        Properties props = new Properties();
        try (InputStream in = Environment.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                props.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading build.properties", e);
        }
        return props;
    }
}
