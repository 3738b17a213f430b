package io.tributary.ingest.testing;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalDouble;

/**
 * Prometheus exposition text for tests: scraped over HTTP as Prometheus would, or rendered from a
 * registry in-process, and the value of one series read from it.
 */
public final class MetricsScrape {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private MetricsScrape() {}

    /** {@code GET url}; fails unless the answer is 200. */
    public static String http(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** The text format of everything in {@code registry}, as the endpoint would serve it. */
    public static String text(PrometheusRegistry registry) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * The value of {@code series} (name with its labels exactly as exposed, e.g.
     * {@code tributary_chain_head_block{chain="home"}}) in {@code exposition}, if present.
     */
    public static OptionalDouble find(String exposition, String series) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(series + " ")) {
                String[] parts = line.substring(series.length() + 1).trim().split(" ");
                return OptionalDouble.of(Double.parseDouble(parts[0]));
            }
        }
        return OptionalDouble.empty();
    }

    /** Like {@link #find}, but a missing series is an error that shows the exposition. */
    public static double value(String exposition, String series) {
        return find(exposition, series).orElseThrow(() -> new AssertionError("no series " + series + " in:\n"
                + exposition));
    }
}
