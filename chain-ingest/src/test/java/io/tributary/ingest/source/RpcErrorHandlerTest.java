package io.tributary.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.ingest.source.RpcErrorHandler.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.exceptions.ClientConnectionException;

class RpcErrorHandlerTest {

    private final RpcErrorHandler handler = new RpcErrorHandler();

    @Test
    void shouldRetryConnectionFailuresFoundDeepInTheCauseChain() {
        Throwable wrapped = new RuntimeException("poll failed",
                new UncheckedIOException(new IOException("send", new ConnectException("Connection refused"))));
        assertThat(handler.classify(wrapped)).isEqualTo(Kind.RETRIABLE);
        assertThat(handler.classify(new SocketTimeoutException("timeout"))).isEqualTo(Kind.RETRIABLE);
    }

    @Test
    void shouldRetryHttp5xxAndRateLimitsButNotOtherHttpErrors() {
        assertThat(handler.classify(new ClientConnectionException("Invalid response received: 503; busy")))
                .isEqualTo(Kind.RETRIABLE);
        assertThat(handler.classify(new ClientConnectionException("Invalid response received: 429; slow down")))
                .isEqualTo(Kind.RETRIABLE);
        assertThat(handler.classify(new ClientConnectionException("Invalid response received: 401; no")))
                .isEqualTo(Kind.PERMANENT);
    }

    @Test
    void shouldAskForSmallerRangeWhenNodeLimitsResults() {
        assertThat(handler.classify(new RpcException("eth_getLogs", -32005, "query returned more than 10000 results")))
                .isEqualTo(Kind.RANGE_TOO_LARGE);
        assertThat(handler.classify(new RpcException("eth_getLogs", -32602, "block range too large: max 2000")))
                .isEqualTo(Kind.RANGE_TOO_LARGE);
        assertThat(handler.classify(new RpcException("eth_getLogs", -32000, "Log response size exceeded.")))
                .isEqualTo(Kind.RANGE_TOO_LARGE);
    }

    @Test
    void shouldRetryNodeInternalErrors() {
        assertThat(handler.classify(new RpcException("eth_getLogs", -32603, "internal error"))).isEqualTo(Kind.RETRIABLE);
    }

    @Test
    void shouldTreatBadRequestsAndUnknownMethodsAsPermanent() {
        assertThat(handler.classify(new RpcException("eth_foo", -32601, "Method not found"))).isEqualTo(Kind.PERMANENT);
        assertThat(handler.classify(new RpcException("eth_getLogs", -32602, "invalid params"))).isEqualTo(Kind.PERMANENT);
        assertThat(handler.classify(new IllegalStateException("bug"))).isEqualTo(Kind.PERMANENT);
    }

    @Test
    void shouldRetryUnknownIoFailures() {
        assertThat(handler.classify(new IOException("stream closed"))).isEqualTo(Kind.RETRIABLE);
    }
}
