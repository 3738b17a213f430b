package io.tributary.schemas.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static String scrape(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    @Test
    void servesItsRegistryOnLoopback() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter seen = Counter.builder().name("test_things_seen_total").help("things").labelNames("kind")
                .register(registry);
        seen.labelValues("a").inc(3);
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(MetricsEndpoint.DEFAULT_HOST, 0, registry)) {
            assertThat(endpoint.port()).isPositive();
            assertThat(endpoint.url()).isEqualTo("http://127.0.0.1:" + endpoint.port() + "/metrics");
            assertThat(scrape(endpoint.url())).contains("test_things_seen_total{kind=\"a\"} 3.0");
        }
    }

    @Test
    void aTakenPortIsAnErrorNamingTheAddress() throws Exception {
        try (MetricsEndpoint first = MetricsEndpoint.start("127.0.0.1", 0, new PrometheusRegistry())) {
            assertThatThrownBy(() -> MetricsEndpoint.start("127.0.0.1", first.port(), new PrometheusRegistry()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("127.0.0.1:" + first.port());
        }
    }

    @Test
    void aSharedEndpointClosesWithItsLastUser() throws Exception {
        int port;
        try (MetricsEndpoint probe = MetricsEndpoint.start("127.0.0.1", 0, new PrometheusRegistry())) {
            port = probe.port();
        }
        MetricsEndpoint a = MetricsEndpoint.shared("127.0.0.1", port);
        MetricsEndpoint b = MetricsEndpoint.shared("127.0.0.1", port);
        assertThat(b.registry()).isSameAs(a.registry());
        Counter.builder().name("test_shared_total").help("shared").register(a.registry()).inc();
        a.close();
        a.close(); // idempotent: must not release b's share
        assertThat(scrape(b.url())).contains("test_shared_total 1.0");
        b.close();
        assertThatThrownBy(() -> scrape("http://127.0.0.1:" + port + "/metrics")).isInstanceOf(ConnectException.class);
    }

    @Test
    void everyComponentHasItsOwnJobAndPort() {
        assertThat(java.util.Arrays.stream(MetricsComponent.values()).map(MetricsComponent::defaultPort).distinct())
                .hasSize(MetricsComponent.values().length);
        assertThat(MetricsComponent.ofJob("tributary-relayer")).isEqualTo(MetricsComponent.RELAYER);
        assertThatThrownBy(() -> MetricsComponent.ofJob("nope")).hasMessageContaining("nope");
    }
}
