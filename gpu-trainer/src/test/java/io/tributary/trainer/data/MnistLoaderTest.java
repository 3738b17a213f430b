package io.tributary.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.trainer.Mnist;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MnistLoaderTest {

    private static final Path WORK = Path.of(System.getProperty("tributary.test.dir", "target/test-state"));

    @Test
    void shouldLoadTheTenThousandDigitsOfThePackage() {
        List<Sample> all = Mnist.all();
        assertThat(all).hasSize(10_000);
        int[] perClass = new int[10];
        for (Sample s : all) {
            assertThat(s.features()).hasSize(784);
            perClass[s.label()]++;
            for (float f : s.features()) {
                assertThat(f).isBetween(0f, 1f);
            }
        }
        for (int c = 0; c < 10; c++) {
            assertThat(perClass[c]).as("digit %d", c).isBetween(800, 1_200);
        }
        assertThat(new String(all.get(0).rowId(), StandardCharsets.US_ASCII)).isEqualTo("mnist/0/0");
        assertThat(all.stream().map(s -> new String(s.rowId(), StandardCharsets.US_ASCII)).distinct().count())
                .isEqualTo(10_000);
    }

    @Test
    void shouldTakeTheFirstImagesOfEachDigitWhenLimited() throws IOException {
        List<Sample> some = MnistLoader.load(MnistLoader.defaultDir(), 3);
        assertThat(some).hasSize(30);
        assertThat(some.get(4).label()).isEqualTo(1);
        assertThat(some.get(4)).isEqualTo(Mnist.all().stream()
                .filter(s -> new String(s.rowId(), StandardCharsets.US_ASCII).equals("mnist/1/1")).findFirst()
                .orElseThrow());
    }

    @Test
    void shouldRefuseAMissingDirectoryOrABadFile() throws IOException {
        Path dir = Files.createDirectories(WORK.resolve("mnist-bad"));
        assertThatThrownBy(() -> MnistLoader.load(dir.resolve("nope"))).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("npm ci");
        for (int d = 0; d < 10; d++) {
            Files.writeString(dir.resolve(d + ".json"), "{\"data\": [0, 0.5, 1]}");
        }
        assertThatThrownBy(() -> MnistLoader.load(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("multiple of 784");
        Files.writeString(dir.resolve("0.json"), "{\"data\": [2.5]}");
        assertThatThrownBy(() -> MnistLoader.load(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("outside [0, 1]");
    }
}
