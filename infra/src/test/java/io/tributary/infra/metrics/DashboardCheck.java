package io.tributary.infra.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.schemas.metrics.MetricsComponent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Evaluates every query of every dashboard panel, and every alert rule, against a Prometheus that
 * scraped a live run: each query must name only metrics some target exported and return at least
 * one number over the run; every part must have been up; every alert rule must load and evaluate.
 * Writes what each panel showed to a report, and returns the problems (empty = all good).
 */
public final class DashboardCheck {

    private DashboardCheck() {}

    /** Checks [start, end] of what {@code prometheus} scraped; writes the per-panel report to {@code report}. */
    public static List<String> check(PrometheusProcess prometheus, Instant start, Instant end, Path report)
            throws IOException, InterruptedException {
        List<String> problems = new ArrayList<>();
        StringBuilder table = new StringBuilder("| dashboard | panel | query | series | last value |\n|---|---|---|---|---|\n");
        Set<String> stored = prometheus.metricNames();
        Duration step = Duration.ofSeconds(2);

        for (MetricsComponent part : MetricsComponent.values()) {
            JsonNode up = prometheus.queryRange("max(up{job=\"" + part.job() + "\"})", start, end, step);
            if (!anyValue(up, v -> v == 1.0)) {
                problems.add("no target of job " + part.job() + " was ever up");
            }
        }
        for (Dashboards.Query query : Dashboards.queries()) {
            for (String name : query.metrics()) {
                if (!stored.contains(name)) {
                    problems.add(query + " reads metric " + name + " that no target exports");
                }
            }
            JsonNode result = prometheus.queryRange(query.promql(), start, end, step);
            if (!anyValue(result, v -> !Double.isNaN(v) && !Double.isInfinite(v))) {
                problems.add(query + " returned no data over the run");
            }
            table.append("| ").append(query.dashboard()).append(" | ").append(query.panel()).append(" | `")
                    .append(query.expr().replace("|", "\\|")).append("` | ").append(result.size()).append(" | ")
                    .append(lastValues(result)).append(" |\n");
        }
        for (JsonNode group : prometheus.api("rules").get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                if (!"ok".equals(rule.path("health").asText())) {
                    problems.add("alert " + rule.path("name").asText() + " does not evaluate: " + rule.path("lastError").asText());
                }
            }
        }
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, table);
        return problems;
    }

    private interface ValueTest {
        boolean test(double v);
    }

    private static boolean anyValue(JsonNode matrix, ValueTest test) {
        for (JsonNode series : matrix) {
            for (JsonNode point : series.get("values")) {
                if (test.test(Double.parseDouble(point.get(1).asText()))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String lastValues(JsonNode matrix) {
        List<String> last = new ArrayList<>();
        for (JsonNode series : matrix) {
            JsonNode values = series.get("values");
            if (!values.isEmpty() && last.size() < 4) {
                double v = Double.parseDouble(values.get(values.size() - 1).get(1).asText());
                last.add(v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.4g", v));
            }
        }
        return String.join(", ", last) + (matrix.size() > 4 ? ", ..." : "");
    }
}
