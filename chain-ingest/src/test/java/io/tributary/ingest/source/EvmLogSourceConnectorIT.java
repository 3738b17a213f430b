package io.tributary.ingest.source;

import static io.tributary.ingest.testing.ConnectorHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.ingest.testing.AnvilTestChain;
import io.tributary.ingest.testing.ChainEventsView;
import io.tributary.ingest.connect.EmbeddedConnectCluster;
import io.tributary.ingest.testing.ConnectWorkerProcess;
import io.tributary.ingest.testing.ConnectorHarness;
import io.tributary.ingest.testing.GatewayFixture;
import io.tributary.ingest.testing.MetricsScrape;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.BlockHead;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.DeadLetter;
import io.tributary.schemas.avro.RejectionReason;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The connector end to end on anvil, Kafka and a distributed Connect worker with exactly-once support. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EvmLogSourceConnectorIT {

    private static final Duration WAIT = Duration.ofSeconds(45);

    private ConnectorHarness harness;
    private Path abiDir;

    @BeforeAll
    void start() throws Exception {
        harness = new ConnectorHarness("connector");
        abiDir = GatewayFixture.writeAbiDir(harness.dir.resolve("abi"));
    }

    @AfterAll
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    private static String hex(String text) {
        return AnvilTestChain.hex(text.getBytes(StandardCharsets.UTF_8));
    }

    private List<DeadLetter> deadLetters(String producer) {
        List<DeadLetter> out = new ArrayList<>();
        harness.kafka.readAll(Topics.DEADLETTER.name()).forEach(r -> {
            DeadLetter d = Topics.DEADLETTER.deserializeValue(r.value());
            if (d.getProducer().equals(producer)) {
                out.add(d);
            }
        });
        return out;
    }

    /** A task metric of the connector, read over JMX where Connect publishes plugin metrics. */
    private static long taskMetric(String chain, String metric) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (ObjectName name : server.queryNames(new ObjectName("kafka.connect:*"), null)) {
            if (chain.equals(name.getKeyProperty("chain"))) {
                for (MBeanAttributeInfo a : server.getMBeanInfo(name).getAttributes()) {
                    if (a.getName().equals(metric)) {
                        return ((Number) server.getAttribute(name, metric)).longValue();
                    }
                }
            }
        }
        throw new AssertionError("no metric " + metric + " for chain " + chain + " among "
                + server.queryNames(new ObjectName("kafka.connect:*"), null));
    }


    @Test
    void shouldDecodeProjectLogsAndDeadLetterTheRestWithoutStopping() throws Exception {
        try (AnvilTestChain chain = AnvilTestChain.start(72_001, harness.dir.resolve("anvil"))) {
            String gateway = GatewayFixture.deploy(chain, "home");
            String mute = GatewayFixture.deploy(chain, "home");
            String broken = GatewayFixture.deploy(chain, "home");
            String tx = GatewayFixture.emit(chain, gateway, "first");
            GatewayFixture.emit(chain, mute, "unknown to the ABI");
            GatewayFixture.emit(chain, broken, "undecodable");
            Map<String, String> config = ConnectorHarness.connectorConfig("avalanche-local", chain,
                    "Gateway=" + gateway + ",MuteGateway=" + mute + ",BrokenGateway=" + broken, 1, abiDir);
            int metricsPort = AnvilTestChain.freePort();
            config.put(EvmLogSourceConnectorConfig.METRICS_PORT, Integer.toString(metricsPort));
            harness.connect.putConnector("decode", config);
            harness.connect.awaitRunning("decode", 1);
            GatewayFixture.emit(chain, gateway, "after the bad ones");
            chain.mine(1);

            // the Gateway's constructor logged GuardiansRotated, then come the two calls
            await("the Gateway's three logs", WAIT, () -> ChainEventsView.read(harness.kafka, 72_001).live.size() == 3);
            ChainEventsView view = ChainEventsView.read(harness.kafka, 72_001);
            assertThat(view.violations).isEmpty();
            assertThat(view.live.values()).extracting(ChainEvent::getEventName)
                    .containsExactly("GuardiansRotated", "ContractCall", "ContractCall");
            assertThat(view.live.values().iterator().next().getFields())
                    .containsEntry("epoch", "1").containsEntry("threshold", "1")
                    .containsEntry("guardians", "[\"" + chain.account().toLowerCase() + "\"]");
            ChainEvent first = view.live.values().stream().skip(1).findFirst().orElseThrow();
            assertThat(first.getContractName()).isEqualTo("Gateway");
            assertThat(first.getEventName()).isEqualTo("ContractCall");
            assertThat(first.getSource().getTxHash()).isEqualTo(tx);
            assertThat(first.getSource().getContract()).isEqualTo(gateway);
            assertThat(first.getFields())
                    .containsEntry("sender", chain.account().toLowerCase())
                    .containsEntry("destinationChain", "avalanche-local")
                    .containsEntry("destinationContractAddress", "0x000000000000000000000000000000000000beef")
                    .containsEntry("payload", hex("first"))
                    .containsEntry("payloadHash", AnvilTestChain.hex(org.web3j.crypto.Hash.sha3(
                            "first".getBytes(StandardCharsets.UTF_8))));
            assertThat(view.live.values()).extracting(e -> e.getFields().get("payload"))
                    .containsExactly(null, hex("first"), hex("after the bad ones"));

            // MuteGateway knows no event (its GuardiansRotated and ContractCall are unknown);
            // BrokenGateway knows only a ContractCall without indexed arguments
            List<DeadLetter> dead = deadLetters("evm-log-source:avalanche-local");
            assertThat(dead).extracting(DeadLetter::getReason).containsExactlyInAnyOrder(
                    RejectionReason.UNKNOWN_EVENT, RejectionReason.UNKNOWN_EVENT, RejectionReason.UNKNOWN_EVENT,
                    RejectionReason.UNDECODABLE);
            assertThat(dead).filteredOn(d -> d.getReason() == RejectionReason.UNDECODABLE).singleElement()
                    .satisfies(d -> assertThat(d.getDetail()).contains("BrokenGateway").contains("topics"));
            assertThat(dead).allSatisfy(d -> {
                assertThat(d.getSourceTopic()).isEqualTo(Topics.CHAIN_EVENTS.name());
                assertThat(d.getPayload()).isNotNull();
                assertThat(d.getPayload().remaining()).isGreaterThan(20);
            });
            assertThat(harness.connect.status("decode").path("tasks").get(0).path("state").asText()).isEqualTo("RUNNING");

            // the worker's metrics endpoint, scraped as Prometheus does
            long lastLogBlock = view.live.values().stream().mapToLong(e -> e.getSource().getBlockNumber()).max()
                    .orElseThrow();
            String url = "http://127.0.0.1:" + metricsPort + "/metrics";
            String text = MetricsScrape.http(url);
            double head = MetricsScrape.value(text, "tributary_chain_head_block{chain=\"avalanche-local\"}");
            double confirmed = MetricsScrape.value(text, "tributary_chain_confirmed_block{chain=\"avalanche-local\"}");
            assertThat(confirmed).isGreaterThanOrEqualTo(lastLogBlock);
            assertThat(head).isGreaterThanOrEqualTo(confirmed + 1); // one confirmation
            assertThat(MetricsScrape.value(text, "tributary_chain_lag_blocks{chain=\"avalanche-local\"}"))
                    .isEqualTo(head - confirmed);
            assertThat(MetricsScrape.value(text, "tributary_chain_lag_seconds{chain=\"avalanche-local\"}"))
                    .as("age in seconds of the confirmed block, mined during this test").isBetween(0.0, 600.0);
            assertThat(MetricsScrape.value(text, "tributary_chain_events_total{chain=\"avalanche-local\"}"))
                    .as("the three decoded logs; the four dead letters are no events").isEqualTo(3);
            assertThat(MetricsScrape.value(text, "tributary_chain_retracted_events_total{chain=\"avalanche-local\"}"))
                    .isZero();
            assertThat(MetricsScrape.value(text,
                    "tributary_chain_rpc_errors_total{chain=\"avalanche-local\",kind=\"permanent\"}")).isZero();
            harness.connect.deleteConnector("decode");
            await("the metrics endpoint to close with the connector's last task", WAIT, () -> {
                try {
                    MetricsScrape.http(url);
                    return false;
                } catch (java.io.IOException e) {
                    return true;
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    @Test
    void shouldNeitherLoseNorDuplicateWhenConnectorAndWorkerRestartMidStream() throws Exception {
        long chainId = 72_002;
        ExecutorService producer = Executors.newSingleThreadExecutor();
        try (AnvilTestChain chain = AnvilTestChain.start(chainId, harness.dir.resolve("anvil"))) {
            String gateway = GatewayFixture.deploy(chain, "home");
            for (int i = 0; i < 20; i++) {
                GatewayFixture.emit(chain, gateway, "before-" + i);
            }
            Map<String, String> config = ConnectorHarness.connectorConfig("home", chain, "Gateway=" + gateway, 2, abiDir);
            config.put("range.initial.blocks", "2");
            config.put("range.max.blocks", "2");
            harness.connect.putConnector("restart", config);
            harness.connect.awaitRunning("restart", 1);
            Future<?> writes = producer.submit(() -> {
                for (int i = 0; i < 60; i++) {
                    GatewayFixture.emit(chain, gateway, "during-" + i);
                    Thread.sleep(40);
                }
                return null;
            });
            await("the first records", WAIT, () -> ChainEventsView.read(harness.kafka, chainId).live.size() >= 5);
            harness.connect.restartConnector("restart");
            harness.connect.awaitRunning("restart", 1);
            await("more records after the connector restart", WAIT,
                    () -> ChainEventsView.read(harness.kafka, chainId).live.size() >= 30);
            harness.connect.stop();
            harness.connect = harness.startWorker();
            harness.connect.awaitRunning("restart", 1);
            writes.get(60, TimeUnit.SECONDS);
            chain.mine(2);

            long confirmed = chain.head() - 2;
            Set<String> expected = ChainEventsView.canonicalKeys(chain, gateway, confirmed);
            assertThat(expected).as("GuardiansRotated and 80 calls").hasSize(81);
            await("every log up to block " + confirmed, WAIT, () -> {
                ChainEventsView v = ChainEventsView.read(harness.kafka, chainId);
                return v.lastHead() == confirmed && v.live.keySet().equals(expected);
            });
            ChainEventsView view = ChainEventsView.read(harness.kafka, chainId);
            assertThat(view.violations).as("no duplicate").isEmpty();
            assertThat(view.history).as("no duplicate, no retraction").hasSize(81);
            assertThat(view.heads).extracting(BlockHead::getNumber).as("every block head once, in order")
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(0, confirmed).boxed().toList());
            harness.connect.deleteConnector("restart");
        } finally {
            producer.shutdownNow();
        }
    }

    @Test
    void shouldNeitherLoseNorDuplicateWhenTheWorkerIsKilledMidStream() throws Exception {
        long chainId = 72_005;
        String group = "crash-connect";
        ExecutorService producer = Executors.newSingleThreadExecutor();
        try (AnvilTestChain chain = AnvilTestChain.start(chainId, harness.dir.resolve("anvil"))) {
            String gateway = GatewayFixture.deploy(chain, "home");
            for (int i = 0; i < 20; i++) {
                GatewayFixture.emit(chain, gateway, "before-" + i);
            }
            Map<String, String> config = ConnectorHarness.connectorConfig("home", chain, "Gateway=" + gateway, 2, abiDir);
            config.put("range.initial.blocks", "1");
            config.put("range.max.blocks", "1");
            Future<?> writes;
            try (ConnectWorkerProcess doomed = ConnectWorkerProcess.start(harness.kafka.bootstrapServers(), group,
                    harness.dir.resolve("worker"))) {
                doomed.rest().putConnector("crash", config);
                doomed.rest().awaitRunning("crash", 1);
                writes = producer.submit(() -> {
                    for (int i = 0; i < 30; i++) {
                        GatewayFixture.emit(chain, gateway, "during-" + i);
                        Thread.sleep(40);
                    }
                    return null;
                });
                await("the first records", WAIT, () -> ChainEventsView.read(harness.kafka, chainId).live.size() >= 5);
                doomed.kill();
            }
            int seenAtKill = ChainEventsView.read(harness.kafka, chainId).live.size();
            try (EmbeddedConnectCluster survivor = ConnectorHarness.workerBuilder(harness.kafka.bootstrapServers(), group)
                    .build().start()) {
                // The new worker joins once the group has given up on the killed one: allow for a
                // loaded machine (the session timeout is 6 s, the rest is rebalancing and start-up).
                survivor.rest().awaitRunning("crash", 1, java.time.Duration.ofMinutes(3));
                writes.get(60, TimeUnit.SECONDS);
                chain.mine(2);
                long confirmed = chain.head() - 2;
                Set<String> expected = ChainEventsView.canonicalKeys(chain, gateway, confirmed);
                assertThat(expected).as("GuardiansRotated and 50 calls").hasSize(51);
                assertThat(seenAtKill).as("killed mid-stream").isLessThan(expected.size());
                await("every log up to block " + confirmed, WAIT, () -> {
                    ChainEventsView v = ChainEventsView.read(harness.kafka, chainId);
                    return v.lastHead() == confirmed && v.live.keySet().equals(expected);
                });
                ChainEventsView view = ChainEventsView.read(harness.kafka, chainId);
                assertThat(view.violations).as("no duplicate").isEmpty();
                assertThat(view.history).as("no duplicate, no retraction").hasSize(51);
                assertThat(view.heads).extracting(BlockHead::getNumber).as("every block head once, in order")
                        .isEqualTo(java.util.stream.LongStream.rangeClosed(0, confirmed).boxed().toList());
                survivor.deleteConnector("crash");
            }
        } finally {
            producer.shutdownNow();
        }
    }

    @Test
    void shouldKeepFollowingOtherChainsWhileOneIsDown() throws Exception {
        int downPort = AnvilTestChain.freePort();
        try (AnvilTestChain up = AnvilTestChain.start(72_003, harness.dir.resolve("anvil"))) {
            String gateway = GatewayFixture.deploy(up, "home");
            GatewayFixture.emit(up, gateway, "up-1");
            up.mine(1);
            Map<String, String> config = ConnectorHarness.connectorConfig("home", up, "Gateway=" + gateway, 1, abiDir);
            // the second chain's gateway will have the same address: same deployer, same nonce
            Map<String, String> down = ConnectorHarness.connectorConfig("arbitrum-local", "http://127.0.0.1:" + downPort,
                    72_004, "Gateway=" + gateway, 1, abiDir);
            down.forEach((k, v) -> {
                if (k.startsWith("chain.arbitrum-local.")) {
                    config.put(k, v);
                }
            });
            config.put("chains", "home,arbitrum-local");
            harness.connect.putConnector("two-chains", config);
            harness.connect.awaitRunning("two-chains", 2);

            await("the live chain's log", WAIT, () -> ChainEventsView.read(harness.kafka, 72_003).live.size() == 2);
            Thread.sleep(1_000); // several failed attempts against the dead chain
            JsonNode status = harness.connect.status("two-chains");
            assertThat(status.path("tasks")).extracting(t -> t.path("state").asText()).containsOnly("RUNNING");
            assertThat(taskMetric("arbitrum-local", "rpc-consecutive-failures")).as("the task reports the dead chain")
                    .isGreaterThan(0);
            assertThat(taskMetric("home", "rpc-consecutive-failures")).isEqualTo(0);

            try (AnvilTestChain late = AnvilTestChain.start(72_004, harness.dir.resolve("anvil"), downPort)) {
                String lateGateway = GatewayFixture.deploy(late, "arbitrum-local");
                assertThat(lateGateway).isEqualTo(gateway);
                GatewayFixture.emit(late, lateGateway, "late-1");
                late.mine(1);
                await("the late chain's log", WAIT, () -> ChainEventsView.read(harness.kafka, 72_004).live.size() == 2);
                GatewayFixture.emit(up, gateway, "up-2");
                up.mine(1);
                await("the live chain's second log", WAIT,
                        () -> ChainEventsView.read(harness.kafka, 72_003).live.size() == 3);
                assertThat(ChainEventsView.read(harness.kafka, 72_004).violations).isEmpty();
            }
            harness.connect.deleteConnector("two-chains");
        }
    }
}
