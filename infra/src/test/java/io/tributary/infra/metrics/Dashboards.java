package io.tributary.infra.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Grafana dashboards of {@code infra/grafana/dashboards/} as the tests see them: every query of
 * every panel, Grafana's variables replaced by what Prometheus accepts, and the metric names each
 * query reads.
 */
public final class Dashboards {

    /** The dashboards' folder, from the infra module (where tests run). */
    public static final Path DIR = Path.of("grafana", "dashboards");
    /** The metrics catalogue every exported name is listed in. */
    public static final Path CATALOGUE = Path.of("docs", "metrics.md");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan");
    private static final Pattern CATALOGUE_NAME = Pattern.compile("^\\| `((?:tributary|flink)_[a-z0-9_]+)`");

    private Dashboards() {}

    /** One query of one panel. */
    public record Query(String dashboard, String panel, String refId, String expr) {
        /** The query as Prometheus takes it: Grafana's variables replaced. */
        public String promql() {
            return expr.replace("$__rate_interval", "30s").replace("$__interval", "10s").replace("$__range", "5m")
                    .replace("$chain", ".*");
        }

        /** The metric names it reads. */
        public Set<String> metrics() {
            return metricNames(promql());
        }

        @Override
        public String toString() {
            return dashboard + " / " + panel + " / " + refId + ": " + expr;
        }
    }

    /** Every dashboard file. */
    public static List<Path> files() {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A dashboard file, parsed. */
    public static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dashboard " + file, e);
        }
    }

    /** Every query of every panel of every dashboard. */
    public static List<Query> queries() {
        List<Query> queries = new ArrayList<>();
        for (Path file : files()) {
            JsonNode dashboard = read(file);
            for (JsonNode panel : dashboard.path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    queries.add(new Query(dashboard.path("title").asText(), panel.path("title").asText(),
                            target.path("refId").asText(), target.path("expr").asText()));
                }
            }
        }
        return queries;
    }

    /**
     * The metric names a PromQL expression reads: identifiers that are not functions (followed by a
     * parenthesis), keywords, label names (in matchers and groupings) or strings.
     */
    public static Set<String> metricNames(String promql) {
        String s = QUOTED.matcher(promql).replaceAll(" ");
        s = MATCHERS.matcher(s).replaceAll(" ");
        s = RANGES.matcher(s).replaceAll(" ");
        s = GROUPING.matcher(s).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENT.matcher(s);
        while (m.find()) {
            String id = m.group();
            int next = m.end();
            while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
                next++;
            }
            boolean function = next < s.length() && s.charAt(next) == '(';
            boolean number = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
            if (!function && !number && !KEYWORDS.contains(id.toLowerCase())) {
                names.add(id);
            }
        }
        return names;
    }

    /** The names listed in {@code docs/metrics.md}. */
    public static Set<String> catalogue() {
        Set<String> names = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(CATALOGUE)) {
                Matcher m = CATALOGUE_NAME.matcher(line);
                if (m.find()) {
                    names.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /**
     * The catalogue name a stored series name belongs to: histograms and summaries are stored as
     * {@code _bucket}, {@code _sum} and {@code _count} series of their name.
     */
    public static String catalogueName(String series, Set<String> catalogue) {
        if (catalogue.contains(series)) {
            return series;
        }
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (series.endsWith(suffix) && catalogue.contains(series.substring(0, series.length() - suffix.length()))) {
                return series.substring(0, series.length() - suffix.length());
            }
        }
        return null;
    }
}
