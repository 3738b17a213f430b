package io.tributary.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.ingest.testing.AnvilTestChain;
import io.tributary.ingest.testing.GatewayFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON-RPC client against a real anvil. */
class Web3jChainClientIT {

    private static final Path DIR = Path.of(System.getProperty("tributary.test.dir", "target/it")).resolve("client");

    @Test
    void shouldReadHeadersInBatchesAndLogsByRangeAndByHash() throws Exception {
        try (AnvilTestChain chain = AnvilTestChain.start(73_001, DIR);
             Web3jChainClient client = new Web3jChainClient(chain.rpcUrl(), Duration.ofSeconds(5))) {
            String gateway = GatewayFixture.deploy(chain, "home");
            String tx = GatewayFixture.emit(chain, gateway, "hello");
            chain.mine(1_200);
            long head = client.headNumber();
            assertThat(head).isEqualTo(1_202);

            List<BlockHeader> headers = client.headers(0, head + 5);
            assertThat(headers).hasSize(1_203);
            for (int i = 1; i < headers.size(); i++) {
                assertThat(headers.get(i).number()).isEqualTo(i);
                assertThat(headers.get(i).parentHash()).isEqualTo(headers.get(i - 1).hash());
            }

            List<RawLog> logs = client.logs(0, head, List.of(gateway));
            assertThat(logs).hasSize(2); // GuardiansRotated at deployment, then ContractCall
            RawLog call = logs.get(1);
            assertThat(call.txHash()).isEqualTo(tx);
            assertThat(call.address()).isEqualTo(gateway);
            assertThat(call.blockHash()).isEqualTo(headers.get((int) call.blockNumber()).hash());
            assertThat(client.logsByBlockHash(call.blockHash(), List.of(gateway))).hasSize(1);
            assertThat(client.headerByHash(call.blockHash())).contains(headers.get((int) call.blockNumber()));
            assertThat(client.headerByHash("0x" + "00".repeat(31) + "01")).isEmpty();
        }
    }

    @Test
    void shouldReportJsonRpcErrorsWithTheirCode() throws Exception {
        try (AnvilTestChain chain = AnvilTestChain.start(73_002, DIR);
             Web3jChainClient client = new Web3jChainClient(chain.rpcUrl(), Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> client.call("eth_noSuchMethod", List.of())).isInstanceOf(RpcException.class)
                    .satisfies(e -> assertThat(new RpcErrorHandler().classify(e)).isEqualTo(RpcErrorHandler.Kind.PERMANENT));
        }
    }

    @Test
    void shouldClassifyAnUnreachableNodeAsRetriable() {
        try (Web3jChainClient client = new Web3jChainClient("http://127.0.0.1:" + freePort(), Duration.ofSeconds(2))) {
            assertThatThrownBy(client::headNumber)
                    .satisfies(e -> assertThat(new RpcErrorHandler().classify(e)).isEqualTo(RpcErrorHandler.Kind.RETRIABLE));
        }
    }

    private static int freePort() {
        try {
            return AnvilTestChain.freePort();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
