package io.tributary.infra.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.runtime.metrics.filter.ReporterFilter;
import org.apache.flink.runtime.metrics.groups.AbstractMetricGroup;
import org.apache.flink.runtime.metrics.groups.FrontMetricGroup;
import org.apache.flink.runtime.metrics.groups.ReporterScopedSettings;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.junit.jupiter.api.Test;

class DevnetPrometheusReporterTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static String scrape(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", url).isEqualTo(200);
        return response.body();
    }

    /** A group as Flink's metric registry hands it to a reporter: behind a {@link FrontMetricGroup}. */
    private static MetricGroup reported(MetricGroup group) {
        return new FrontMetricGroup<>(new ReporterScopedSettings<>(0, '.', ReporterFilter.<Metric>getNoOpFilter(),
                Set.of(), Map.of()), (AbstractMetricGroup<?>) group);
    }

    private static DevnetPrometheusReporter reporter(int port) {
        Properties p = new Properties();
        p.setProperty(DevnetPrometheusReporterFactory.PORT, Integer.toString(port));
        DevnetPrometheusReporter r = new DevnetPrometheusReporterFactory().createMetricReporter(p);
        r.open(new MetricConfig());
        return r;
    }

    @Test
    void shouldServeOnLoopbackOnlyWhenStarted() throws Exception {
        DevnetPrometheusReporter r = reporter(0);
        try {
            assertThat(r.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(scrape("http://127.0.0.1:" + r.port() + "/metrics")).isNotNull();
            // 127.0.0.2 reaches the same host: a server bound to every interface would answer there
            try (Socket s = new Socket()) {
                assertThatThrownBy(() -> s.connect(new InetSocketAddress("127.0.0.2", r.port()), 1000))
                        .isInstanceOf(ConnectException.class);
            }
        } finally {
            r.close();
        }
        assertThatThrownBy(() -> scrape("http://127.0.0.1:" + r.port() + "/metrics")).isInstanceOf(ConnectException.class);
    }

    @Test
    void shouldNameACounterWithKeyValueGroupsAsFlinksPrometheusReporterDoes() throws Exception {
        DevnetPrometheusReporter r = reporter(0);
        try {
            MetricGroup tributary = UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup().addGroup("tributary");
            MetricGroup rule = tributary.addGroup("rule", "fedavg");
            SimpleCounter admitted = new SimpleCounter();
            admitted.inc(5);
            r.notifyOfAddedMetric(admitted, "chunks_admitted_total", reported(rule));
            SimpleCounter rejected = new SimpleCounter();
            rejected.inc(2);
            r.notifyOfAddedMetric(rejected, "chunks_rejected_total", reported(rule.addGroup("reason", "no_reveal")));
            SimpleCounter commits = new SimpleCounter();
            r.notifyOfAddedMetric(commits, "commits_total", reported(tributary));

            String text = scrape("http://127.0.0.1:" + r.port() + "/metrics");
            assertThat(text).containsPattern("(?m)^flink_taskmanager_job_task_operator_tributary_rule_chunks_admitted_total"
                    + "\\{[^}]*rule=\"fedavg\"[^}]*} 5\\.0$");
            assertThat(text).containsPattern("(?m)^flink_taskmanager_job_task_operator_tributary_rule_reason_chunks_rejected_total"
                    + "\\{(?=[^}]*rule=\"fedavg\")(?=[^}]*reason=\"no_reveal\")[^}]*operator_name=\"[^\"]*\"[^}]*} 2\\.0$");
            assertThat(text).containsPattern("(?m)^flink_taskmanager_job_task_operator_tributary_commits_total\\{[^}]*} 0\\.0$");
            // Flink exports counters as gauges
            assertThat(text).contains("# TYPE flink_taskmanager_job_task_operator_tributary_commits_total gauge");

            r.notifyOfRemovedMetric(commits, "commits_total", reported(tributary));
            assertThat(scrape("http://127.0.0.1:" + r.port() + "/metrics")).doesNotContain("tributary_commits_total");
        } finally {
            r.close();
        }
    }

    @Test
    void shouldRefuseAMissingPortOrOneInUseNamingIt() throws Exception {
        assertThatThrownBy(() -> new DevnetPrometheusReporterFactory().createMetricReporter(new Properties()))
                .hasMessageContaining("'port'");
        DevnetPrometheusReporter first = reporter(0);
        try {
            assertThatThrownBy(() -> reporter(first.port())).hasMessageContaining("127.0.0.1:" + first.port());
        } finally {
            first.close();
        }
    }
}
