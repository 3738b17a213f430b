package io.tributary.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.contracts.deploy.ChainContracts;
import io.tributary.contracts.deploy.Deployer;
import io.tributary.contracts.deploy.DevKeys;
import io.tributary.contracts.deploy.KeyRoles;
import io.tributary.contracts.generated.ModelRegistry;
import io.tributary.ingest.client.TaskClient;
import io.tributary.ingest.intake.Eip712;
import io.tributary.ingest.intake.Specs;
import io.tributary.ingest.testing.AnvilTestChain;
import io.tributary.ingest.testing.KafkaTestBroker;
import io.tributary.ingest.testing.MetricsScrape;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.ReceiptStatus;
import io.tributary.schemas.avro.TaskReceipt;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.utils.Numeric;
import picocli.CommandLine;

/** {@code tributary intake} with flags only, against a real broker and anvil: it accepts a request and serves metrics. */
class IntakeCommandIT {

    private static final long CHAIN_ID = 31337;
    private static final List<Credentials> KEYS = DevKeys.anvil(12);
    private static final KeyRoles ROLES = KeyRoles.defaults();
    private static final Duration WAIT = Duration.ofSeconds(60);


    @Test
    @Timeout(300)
    void shouldAcceptARequestAndServeItsMetricsUntilStopped() throws Exception {
        Path dir = Path.of("target/it").toAbsolutePath().resolve("intake-command-" + System.nanoTime());
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try (AnvilTestChain anvil = AnvilTestChain.start(CHAIN_ID, dir);
                KafkaTestBroker kafka = KafkaTestBroker.start(dir.resolve("kafka"))) {
            Web3j web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
            try {
                ChainContracts home = Deployer.builder().devKeys(KEYS).roles(ROLES).stateDir(dir.resolve("deployment"))
                        .home("home", CHAIN_ID, web3j).build().deploy().home();
                ModelRegistry registry = ModelRegistry.load(home.modelRegistry(), web3j,
                        new ReadonlyTransactionManager(web3j, KEYS.get(0).getAddress()),
                        new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
                anvil.send(home.modelRegistry(), registry.registerModel(Eip712.keccak("mlp"),
                        Eip712.keccak("initial model"), "test://mlp").encodeFunctionCall());
                kafka.createTopics(Topics.TASK_REQUESTS.name(), Topics.TASK_RECEIPTS.name(), Topics.DEADLETTER.name());
                Path keyFile = dir.resolve("intake.key");
                Files.writeString(keyFile, Numeric.toHexStringNoPrefixZeroPadded(
                        KEYS.get(ROLES.intake()).getEcKeyPair().getPrivateKey(), 64) + "\n");
                int metricsPort = AnvilTestChain.freePort();

                IntakeCommand command = new IntakeCommand(Map.of());
                StringWriter out = new StringWriter();
                CommandLine cli = new CommandLine(command).setOut(new PrintWriter(out, true))
                        .setErr(new PrintWriter(out, true));
                Future<Integer> exit = runner.submit(() -> cli.execute(
                        "--kafka", kafka.bootstrapServers(),
                        "--rpc-url", anvil.rpcUrl(), "--chain-id", Long.toString(CHAIN_ID),
                        "--task-intake", home.taskIntake(), "--coordinator", home.taskCoordinator(),
                        "--token", home.trainingToken(), "--model-registry", home.modelRegistry(),
                        "--key-file", keyFile.toString(), "--state-dir", dir.resolve("intake-state").toString(),
                        "--group-id", "intake-command-it", "--status-every", "1",
                        "--metrics-port", Integer.toString(metricsPort)));
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!out.toString().contains("intake running") && !exit.isDone() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(out.toString()).as("the command's output").contains("intake running")
                        .contains("metrics (tributary-intake) on http://127.0.0.1:" + metricsPort + "/metrics");

                TaskReceipt receipt;
                try (TaskClient client = TaskClient.builder()
                        .kafkaBootstrap(kafka.bootstrapServers())
                        .homeChain(anvil.rpcUrl(), CHAIN_ID)
                        .contracts(home.taskIntake(), home.taskCoordinator(), home.trainingToken(), home.modelRegistry())
                        .build()) {
                    long now = web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock()
                            .getTimestamp().longValueExact();
                    receipt = client.post(Specs.sane(now + 3600, CHAIN_ID).build(),
                            BigInteger.TEN.pow(18).multiply(BigInteger.valueOf(5)), KEYS.get(ROLES.client()), WAIT);
                }
                assertThat(receipt.getStatus()).as(receipt.toString()).isEqualTo(ReceiptStatus.ACCEPTED);

                String url = "http://127.0.0.1:" + metricsPort + "/metrics";
                String accepted = "tributary_intake_requests_accepted_total";
                long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (MetricsScrape.value(MetricsScrape.http(url), accepted) < 1 && System.nanoTime() < until) {
                    Thread.sleep(50);
                }
                String text = MetricsScrape.http(url);
                assertThat(MetricsScrape.value(text, accepted)).isEqualTo(1);
                assertThat(MetricsScrape.value(text, "tributary_intake_requests_rejected_total{reason=\"bad_signature\"}"))
                        .isZero();
                assertThat(MetricsScrape.value(text, "tributary_intake_deadletters_total")).isZero();

                command.stop();
                assertThat(exit.get(30, TimeUnit.SECONDS)).as(out.toString()).isZero();
                assertThat(out.toString()).contains("intake stopping");
                assertThatThrownBy(() -> MetricsScrape.http(url)).isInstanceOf(ConnectException.class);
            } finally {
                web3j.shutdown();
            }
        } finally {
            runner.shutdownNow();
        }
    }
}
