package io.tributary.schemas.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Starts JVMs without the Vector API: trees must fall back to MessageDigest and keep their roots. */
class Sha256EngineFallbackIT {

    private static String runProbe(String name, String... jvmFlags) throws Exception {
        Path dir = Path.of("target", "fallback-it");
        Files.createDirectories(dir);
        Path out = dir.resolve(name + ".txt");
        Files.deleteIfExists(out);
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), FallbackProbe.class.getName(), out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("probe JVM finished").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as("probe exit code, see %s", dir.resolve(name + ".log")).isZero();
        return Files.readString(out);
    }

    @Test
    void shouldFallBackToMessageDigestWithTheSameRootWhenTheVectorModuleIsAbsent() throws Exception {
        String expectedRoot = HexFormat.of().formatHex(
                MerkleTree.ofLeafBytes(FallbackProbe.leaves(1000), 0, 1000, 66, false, Sha256Engine.VECTOR).root());
        assertThat(runProbe("no-module")).isEqualTo("MESSAGE_DIGEST " + expectedRoot);
        assertThat(runProbe("switched-off", "--add-modules=jdk.incubator.vector", "-Dtributary.sha256.noVector=true"))
                .isEqualTo("MESSAGE_DIGEST " + expectedRoot);
        assertThat(runProbe("with-module", "--add-modules=jdk.incubator.vector"))
                .isEqualTo(Sha256Engine.fastest() + " " + expectedRoot);
    }
}
