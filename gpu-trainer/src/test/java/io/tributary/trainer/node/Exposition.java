package io.tributary.trainer.node;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalDouble;

/** Prometheus text exposition as the tests read it: a registry rendered as a scrape would, and one series' value. */
final class Exposition {

    private Exposition() {}

    /** {@code registry} in the Prometheus text format, as {@code GET /metrics} serves it. */
    static String of(PrometheusRegistry registry) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The value of {@code series} (the name with its labels, exactly as exposed), if the text has it. */
    static OptionalDouble value(String exposition, String series) {
        String prefix = series + " ";
        return exposition.lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()).split(" ")[0]))
                .findFirst();
    }
}
