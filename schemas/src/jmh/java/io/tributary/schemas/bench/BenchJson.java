package io.tributary.schemas.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Writes a benchmark's flat result object as JSON, to its file and, for the person running it, to stdout. */
final class BenchJson {

    private BenchJson() {}

    /** Doubles with four decimals (null when not finite), other numbers as they are, the rest as strings. */
    static String render(Map<String, Object> fields) {
        StringBuilder s = new StringBuilder("{");
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (s.length() > 1) {
                s.append(",\n ");
            }
            s.append('"').append(e.getKey()).append("\": ");
            Object v = e.getValue();
            if (v instanceof Double d) {
                s.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%.4f", d) : "null");
            } else if (v instanceof Number) {
                s.append(v);
            } else {
                s.append('"').append(v.toString().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return s.append("}\n").toString();
    }

    /** Renders {@code fields}, writes them to {@code out} (creating its folder) and prints them. */
    static void write(Map<String, Object> fields, Path out) throws IOException {
        String json = render(fields);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(out, json);
        // Benchmark entry points are command-line tools: the figures also go to the terminal.
        System.out.print(json);
    }
}
