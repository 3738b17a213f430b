package io.tributary.contracts.tx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.web3j.protocol.exceptions.ClientConnectionException;

class RpcErrorsTest {

    @ParameterizedTest(name = "{1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "-32003 | nonce too low: next nonce 5, tx nonce 3                  | NONCE_TOO_LOW",
        "-32000 | nonce too low                                            | NONCE_TOO_LOW",
        "-32000 | nonce too high                                           | NONCE_TOO_HIGH",
        "-32000 | replacement transaction underpriced                      | REPLACEMENT_UNDERPRICED",
        "-32000 | already known                                            | ALREADY_KNOWN",
        "-32003 | transaction already imported                             | ALREADY_KNOWN",
        "-32000 | max fee per gas less than block base fee                 | FEE_TOO_LOW",
        "-32000 | transaction underpriced                                  | FEE_TOO_LOW",
        "-32003 | Insufficient funds for gas * price + value               | INSUFFICIENT_FUNDS",
        "3      | execution reverted: not enough stake                     | REVERTED",
        "-32000 | execution reverted                                       | REVERTED",
        "-32005 | limit exceeded                                           | UNAVAILABLE",
        "-32000 | header not found                                         | UNAVAILABLE",
        "-32602 | invalid argument 0: hex string has length 3              | PERMANENT",
        "-32601 | the method eth_foo does not exist                        | PERMANENT",
    })
    void shouldClassifyNodeAnswersByTheirMessage(int code, String message, RpcErrorKind expected) {
        assertThat(RpcErrors.classify(new RpcErrorException("m", code, message, null))).isEqualTo(expected);
    }

    @Test
    void shouldTreatAnUnreachableNodeAsRetriableAnywhereInTheCauseChain() {
        Throwable wrapped = new ExecutionException(new UncheckedIOException(new IOException("call failed",
                new ConnectException("Connection refused"))));

        assertThat(RpcErrors.classify(wrapped)).isEqualTo(RpcErrorKind.UNAVAILABLE);
        assertThat(RpcErrors.classify(new SocketTimeoutException("timeout"))).isEqualTo(RpcErrorKind.UNAVAILABLE);
        assertThat(RpcErrorKind.UNAVAILABLE.retriable()).isTrue();
    }

    @Test
    void shouldLetTheNodesAnswerDecideEvenWhenWrappedInIoExceptions() {
        Throwable wrapped = new IOException("send failed", new RpcErrorException("m", -32000, "nonce too low", null));

        assertThat(RpcErrors.classify(wrapped)).isEqualTo(RpcErrorKind.NONCE_TOO_LOW);
    }

    @Test
    void shouldRetryServerErrorsAndRateLimitsButNotClientErrors() {
        assertThat(RpcErrors.classify(new ClientConnectionException("Invalid response received: 503; busy")))
                .isEqualTo(RpcErrorKind.UNAVAILABLE);
        assertThat(RpcErrors.classify(new ClientConnectionException("Invalid response received: 429; slow down")))
                .isEqualTo(RpcErrorKind.UNAVAILABLE);
        assertThat(RpcErrors.classify(new ClientConnectionException("Invalid response received: 401; no key")))
                .isEqualTo(RpcErrorKind.PERMANENT);
    }

    @Test
    void shouldFindTheRevertDataInWhateverJsonTheNodeSent() {
        assertThat(RpcErrorException.hexData("\"0x08c379a0\"")).isEqualTo("0x08c379a0");
        assertThat(RpcErrorException.hexData("{\"message\":\"x\",\"data\":\"0xdeadbeef\"}")).isEqualTo("0xdeadbeef");
        assertThat(RpcErrorException.hexData("null")).isNull();
        assertThat(RpcErrorException.hexData(null)).isNull();
    }

    @Test
    void shouldCallProgrammingErrorsPermanent() {
        assertThat(RpcErrors.classify(new IllegalStateException("bug"))).isEqualTo(RpcErrorKind.PERMANENT);
        assertThat(RpcErrorKind.INSUFFICIENT_FUNDS.retriable()).isFalse();
    }
}
