package io.tributary.infra.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tributary.schemas.metrics.MetricsComponent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboards, Prometheus configs and alert rules against the code, without a server:
 * every query reads only metrics of the catalogue ({@code docs/metrics.md}), every catalogued metric
 * is on some panel, panels name the provisioned datasource, and both scrape configs scrape every
 * part under its job. DemoIT then evaluates every query against a live Prometheus.
 */
class DashboardsTest {

    private static final YAMLMapper YAML = new YAMLMapper();

    private static JsonNode yaml(String path) throws IOException {
        return YAML.readTree(Path.of(path).toFile());
    }

    @Test
    void shouldHaveTheFourDashboardsWithTitledDescribedPanelsOnTheProvisionedDatasource() throws IOException {
        String uid = yaml("grafana/provisioning/datasources/prometheus.yml").get("datasources").get(0).get("uid").asText();
        List<String> titles = new ArrayList<>();
        Set<String> dashboardUids = new HashSet<>();
        for (Path file : Dashboards.files()) {
            JsonNode dashboard = Dashboards.read(file);
            titles.add(dashboard.get("title").asText());
            assertThat(dashboardUids.add(dashboard.get("uid").asText())).as("uid of %s", file).isTrue();
            Set<Integer> ids = new HashSet<>();
            assertThat(dashboard.get("panels")).as("panels of %s", file).isNotEmpty();
            for (JsonNode panel : dashboard.get("panels")) {
                String where = file.getFileName() + " / " + panel.path("title").asText();
                assertThat(ids.add(panel.get("id").asInt())).as("panel id unique in %s", where).isTrue();
                assertThat(panel.path("title").asText()).as(where).isNotBlank();
                assertThat(panel.path("description").asText()).as("description of %s", where).isNotBlank();
                assertThat(panel.path("datasource").path("uid").asText()).as("datasource of %s", where).isEqualTo(uid);
                JsonNode grid = panel.get("gridPos");
                assertThat(grid.get("x").asInt() + grid.get("w").asInt()).as("width of %s", where).isLessThanOrEqualTo(24);
                assertThat(panel.get("targets")).as("queries of %s", where).isNotEmpty();
                for (JsonNode target : panel.get("targets")) {
                    assertThat(target.path("datasource").path("uid").asText()).as("datasource of a query of %s", where)
                            .isEqualTo(uid);
                    assertThat(target.path("expr").asText()).as("query of %s", where).isNotBlank();
                }
            }
        }
        assertThat(titles).containsExactlyInAnyOrder("Tributary / Network overview", "Tributary / Chains",
                "Tributary / Rounds & aggregation", "Tributary / Workers");
        JsonNode provider = yaml("grafana/provisioning/dashboards/tributary.yml").get("providers").get(0);
        assertThat(provider.get("type").asText()).isEqualTo("file");
    }

    @Test
    void shouldReadOnlyCataloguedMetricsAndShowEveryCataloguedMetric() throws IOException {
        Set<String> catalogue = Dashboards.catalogue();
        assertThat(catalogue).hasSizeGreaterThan(30);
        Set<String> shown = new TreeSet<>();
        Map<String, Set<String>> unknown = new TreeMap<>();
        for (Dashboards.Query query : Dashboards.queries()) {
            for (String name : query.metrics()) {
                String listed = name.equals("up") ? "up" : Dashboards.catalogueName(name, catalogue);
                if (listed == null) {
                    unknown.computeIfAbsent(name, n -> new TreeSet<>()).add(query.toString());
                } else {
                    shown.add(listed);
                }
            }
        }
        for (JsonNode rule : yaml("prometheus/alerts.yml").get("groups").get(0).get("rules")) {
            for (String name : Dashboards.metricNames(rule.get("expr").asText())) {
                if (!name.equals("up") && Dashboards.catalogueName(name, catalogue) == null) {
                    unknown.computeIfAbsent(name, n -> new TreeSet<>()).add("alert " + rule.get("alert").asText());
                }
            }
        }
        assertThat(unknown).as("metrics nobody exports (not in docs/metrics.md)").isEmpty();
        assertThat(catalogue.stream().filter(n -> !shown.contains(n)).toList()).as("catalogued metrics on no panel").isEmpty();
    }

    @Test
    void shouldFindTheMetricNamesOfAQuery() {
        assertThat(Dashboards.metricNames(
                "sum by (chain, kind) (rate(tributary_chain_rpc_errors_total{chain=~\"$chain\"}[30s])) * 60"))
                .containsExactly("tributary_chain_rpc_errors_total");
        assertThat(Dashboards.metricNames("sum(a_gas_total) / sum(b_total) and on (x) up == 0 > 1e3"))
                .containsExactly("a_gas_total", "b_total", "up");
        assertThat(Dashboards.metricNames("max by (rule) (x_seconds{quantile=\"0.5\"}) offset 5m"))
                .containsExactly("x_seconds");
        assertThat(Dashboards.catalogueName("h_seconds_bucket", Set.of("h_seconds"))).isEqualTo("h_seconds");
        assertThat(Dashboards.catalogueName("nope_bucket", Set.of("h_seconds"))).isNull();
    }

    @Test
    void shouldScrapeEveryPartUnderItsJobInTheDevnetAndComposeConfigs() throws IOException {
        Set<String> jobs = java.util.Arrays.stream(MetricsComponent.values()).map(MetricsComponent::job)
                .collect(Collectors.toCollection(TreeSet::new));

        JsonNode devnet = yaml("prometheus/devnet.yml");
        Set<String> devnetJobs = new TreeSet<>();
        for (JsonNode scrape : devnet.get("scrape_configs")) {
            String job = scrape.get("job_name").asText();
            devnetJobs.add(job);
            assertThat(scrape.get("file_sd_configs").get(0).get("files").get(0).asText())
                    .isEqualTo("targets/" + job + "*.json");
        }
        assertThat(devnetJobs).isEqualTo(jobs);
        assertThat(devnet.get("rule_files").get(0).asText()).isEqualTo("alerts.yml");

        JsonNode compose = yaml("prometheus/compose.yml");
        Set<String> composeJobs = new TreeSet<>();
        for (JsonNode scrape : compose.get("scrape_configs")) {
            String job = scrape.get("job_name").asText();
            if (!job.startsWith("tributary-")) {
                continue;
            }
            composeJobs.add(job);
            int port = MetricsComponent.ofJob(job).defaultPort();
            for (JsonNode target : scrape.get("static_configs").get(0).get("targets")) {
                assertThat(target.asText()).as("a target of %s", job).endsWith(":" + port);
            }
        }
        assertThat(composeJobs).isEqualTo(jobs);
    }
}
