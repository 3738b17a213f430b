package io.tributary.ingest.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EmbeddedConnectClusterTest {

    @Test
    void shouldConfigureADistributedExactlyOnceWorkerOnLoopback() {
        EmbeddedConnectCluster c = EmbeddedConnectCluster.builder().bootstrapServers("127.0.0.1:9092")
                .groupId("devnet-connect").restPort(18083).workerProperty("offset.flush.interval.ms", "500").build();
        assertThat(c.workerProperties())
                .containsEntry("exactly.once.source.support", "enabled")
                .containsEntry("listeners", "http://127.0.0.1:18083")
                .containsEntry("config.storage.topic", "devnet-connect-configs")
                .containsEntry("offset.storage.replication.factor", "1")
                .containsEntry("offset.flush.interval.ms", "500");
    }

    @Test
    void shouldPickAFreePortWhenNoneIsGiven() {
        EmbeddedConnectCluster c = EmbeddedConnectCluster.builder().bootstrapServers("127.0.0.1:9092").build();
        assertThat(Integer.parseInt(c.workerProperties().get("rest.advertised.port"))).isPositive();
    }

    @Test
    void shouldRefuseNonsense() {
        assertThatThrownBy(() -> EmbeddedConnectCluster.builder().build()).hasMessageContaining("bootstrapServers");
        assertThatThrownBy(() -> EmbeddedConnectCluster.builder().bootstrapServers("x:1").groupId("a b").build())
                .hasMessageContaining("groupId");
        assertThatThrownBy(() -> EmbeddedConnectCluster.builder().bootstrapServers("x:1").restPort(70000).build())
                .hasMessageContaining("restPort");
    }
}
