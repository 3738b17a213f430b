package io.tributary.ingest.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the service benchmarks ({@code bench ingest}, {@code bench e2e}) write their figures: one
 * indented JSON object, each goal as {@code {"min"|"max": bound, "met": bool}}, figures rounded to
 * three decimals.
 */
public final class BenchOutput {

    private BenchOutput() {}

    /** A goal the figure must reach ({@code min}). */
    public static Map<String, Object> atLeast(double bound, boolean met) {
        return goal("min", bound, met);
    }

    /** A goal the figure must stay under ({@code max}). */
    public static Map<String, Object> atMost(double bound, boolean met) {
        return goal("max", bound, met);
    }

    private static Map<String, Object> goal(String kind, double bound, boolean met) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put(kind, bound);
        g.put("met", met);
        return g;
    }

    /** {@code v} rounded to three decimals. */
    public static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Writes {@code json} to {@code file}, creating its folder. */
    public static void write(Map<String, Object> json, Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(target.toFile(), json);
    }
}
