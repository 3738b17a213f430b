package io.tributary.infra.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void shouldReturnDistinctPortsThatCanBeBoundWhenAskedForSeveral() throws Exception {
        List<Integer> ports = FreePorts.allocate(8);

        assertThat(ports).hasSize(8);
        assertThat(new HashSet<>(ports)).hasSize(8);
        for (int port : ports) {
            assertThat(port).isBetween(1024, 65535);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
        }
    }

    @Test
    void shouldSeeAListeningPortAsTakenAndAClosedOneAsFree() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(FreePorts.isListening(socket.getLocalPort())).isTrue();
        }
        int closed = FreePorts.allocate(1).get(0);
        assertThat(FreePorts.isListening(closed)).isFalse();
    }

    @Test
    void shouldRefuseWhenAskedForNoPorts() {
        assertThatThrownBy(() -> FreePorts.allocate(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }
}
