package io.tributary.infra.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.contracts.deploy.ChainContracts;
import io.tributary.contracts.deploy.Deployment;
import io.tributary.contracts.generated.Gateway;
import io.tributary.contracts.generated.ModelRegistry;
import io.tributary.contracts.generated.RewardVault;
import io.tributary.contracts.generated.TaskCoordinator;
import io.tributary.contracts.generated.WorkerHub;
import io.tributary.infra.Tributary;
import io.tributary.ingest.relayer.ContractCallMessage;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import java.math.BigInteger;
import io.tributary.schemas.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.web3j.abi.datatypes.Address;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.http.HttpService;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;
import org.web3j.tx.gas.StaticGasProvider;
import picocli.CommandLine;

/** Starts a real devnet through the CLI entry point, checks every part from outside, stops it. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevnetIT {

    private static final Path DIR = Path.of("target", "devnet-it").toAbsolutePath();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static DevnetInfo info;

    record Run(int exitCode, String out, String err) {}

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Tributary.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void startDevnet() throws Exception {
        cli("devnet", "down", "--dir", DIR.toString()); // a devnet left by an aborted earlier run
        Run up = cli("devnet", "up", "--detach", "--dir", DIR.toString());
        assertThat(up.exitCode()).as("devnet up --detach: %s %s", up.out(), up.err()).isZero();
        assertThat(up.out()).contains("devnet ready", "127.0.0.1", "TaskCoordinator", "RewardVault", "guardians #[3, 4, 5]",
                "kafka connect", "connector evm-logs");
        info = DevnetInfo.read(DevnetInfo.file(DIR));
        assertThat(info.ingest()).isNotNull();
    }

    @AfterAll
    static void stopDevnet() {
        cli("devnet", "down", "--dir", DIR.toString());
    }

    static long rpc(String url, String method) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":[]}";
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode result = MAPPER.readTree(response.body()).get("result");
        return Long.decode(result.asText());
    }

    @Test
    @Order(1)
    void shouldRunThreeChainsThatAnswerWithTheirIdsAndProduceBlocks() throws Exception {
        assertThat(info.chains()).extracting(DevnetInfo.Chain::name)
                .containsExactly("home", "arbitrum-local", "avalanche-local");
        assertThat(info.home().chainId()).isEqualTo(31337);
        for (DevnetInfo.Chain chain : info.chains()) {
            assertThat(rpc(chain.rpcUrl(), "eth_chainId")).as(chain.name()).isEqualTo(chain.chainId());
            assertThat(chain.devKeys()).as(chain.name()).hasSizeGreaterThanOrEqualTo(2);
            assertThat(Processes.isAlive(chain.pid())).as(chain.name()).isTrue();
        }
        for (DevnetInfo.Chain chain : info.chains()) {
            long first = rpc(chain.rpcUrl(), "eth_blockNumber");
            long deadline = System.nanoTime() + Duration.ofMillis(chain.blockTimeMillis() * 4 + 2000).toNanos();
            long now = first;
            while (now <= first && System.nanoTime() < deadline) {
                Thread.sleep(100);
                now = rpc(chain.rpcUrl(), "eth_blockNumber");
            }
            assertThat(now).as("%s produces blocks", chain.name()).isGreaterThan(first);
        }
    }

    @Test
    @Order(2)
    void shouldRunTheRoundAggregationJobOnAFlinkMiniCluster() throws Exception {
        assertThat(info.flink()).as("devnet.json flink section").isNotNull();
        HttpResponse<String> overview = HTTP.send(HttpRequest.newBuilder(
                URI.create(info.flink().restUrl() + "/jobs/overview")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(overview.statusCode()).isEqualTo(200);
        JsonNode jobs = new ObjectMapper().readTree(overview.body()).path("jobs");
        assertThat(jobs).hasSize(1);
        assertThat(jobs.get(0).path("jid").asText()).isEqualTo(info.flink().jobId());
        assertThat(jobs.get(0).path("name").asText()).isEqualTo("tributary-round-aggregation");
        assertThat(jobs.get(0).path("state").asText()).isEqualTo("RUNNING");
    }

    @Test
    @Order(2)
    void shouldServeTheMetricsOfEveryPartWhereDevnetJsonAndThePrometheusTargetsSay() throws Exception {
        assertThat(info.metrics()).as("devnet.json metrics section").isNotNull();
        Map<String, String> byJob = new java.util.TreeMap<>();
        info.metrics().endpoints().forEach(e -> byJob.put(e.job(), e.url()));
        assertThat(byJob.keySet()).containsExactlyInAnyOrder("tributary-connector", "tributary-relayer",
                "tributary-intake", "tributary-keeper", "tributary-flink");
        Map<String, List<String>> expected = Map.of(
                "tributary-connector", List.of("tributary_chain_head_block{chain=\"home\"}",
                        "tributary_chain_confirmed_block{chain=\"avalanche-local\"}", "tributary_chain_events_total"),
                "tributary-relayer", List.of("tributary_relayer_messages_pending{destination=\"arbitrum-local\"}"),
                "tributary-intake", List.of("tributary_intake_requests_accepted_total"),
                "tributary-keeper", List.of("tributary_keeper_rounds_finalized_total"),
                "tributary-flink", List.of("flink_taskmanager_job_task_operator_tributary_rule_chunks_admitted_total"));
        for (var e : byJob.entrySet()) {
            assertThat(URI.create(e.getValue()).getHost()).as(e.getKey()).isEqualTo("127.0.0.1");
            HttpResponse<String> scrape = HTTP.send(HttpRequest.newBuilder(URI.create(e.getValue())).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.statusCode()).as(e.getKey()).isEqualTo(200);
            assertThat(scrape.body()).as(e.getKey()).contains(expected.get(e.getKey()));
        }
        Path targets = DIR.resolve(PrometheusTargets.DIR).resolve("targets");
        for (var e : byJob.entrySet()) {
            JsonNode groups = MAPPER.readTree(targets.resolve(e.getKey() + ".json").toFile());
            assertThat(groups.get(0).get("targets").get(0).asText()).as(e.getKey())
                    .isEqualTo(URI.create(e.getValue()).getAuthority());
        }
        assertThat(Path.of(info.metrics().prometheusConfig())).exists();
        Run status = cli("devnet", "status", "--dir", DIR.toString());
        assertThat(status.out()).contains("metrics relayer", "metrics flink");
    }

    @Test
    @Order(2)
    void shouldRunAKafkaBrokerWithEveryTopicOfTheRegistry() throws Exception {
        Properties props = new Properties();
        props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, info.kafka().bootstrapServers());
        List<String> expected = Topics.all().stream().map(Topics.Topic::name).toList();
        try (Admin admin = Admin.create(props)) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            assertThat(topics).containsAll(expected);
            Map<String, TopicDescription> described = admin.describeTopics(expected).allTopicNames().get(30, TimeUnit.SECONDS);
            assertThat(described.values()).allSatisfy(d -> assertThat(d.partitions()).hasSize(3));
        }
        assertThat(info.kafka().topics()).containsExactlyElementsOf(expected);
    }

    @Test
    @Order(3)
    void shouldDeployTheProtocolSuiteOnEveryChainAndNameEveryAddress() throws Exception {
        Deployment suite = info.deployedSuite();
        assertThat(info.deployment().roles().guardians()).containsExactly(3, 4, 5);
        assertThat(Files.exists(Path.of(info.deployment().stateDir()).resolve("deployment.json"))).isTrue();
        String coordinatorAddress = suite.home().taskCoordinator();
        StaticGasProvider noGas = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);
        Web3j homeRpc = Web3j.build(new HttpService(info.home().rpcUrl()));
        try {
            TaskCoordinator coordinator = TaskCoordinator.load(coordinatorAddress, homeRpc,
                    new ReadonlyTransactionManager(homeRpc, Address.DEFAULT.getValue()), noGas);
            ModelRegistry registry = ModelRegistry.load(suite.home().modelRegistry(), homeRpc,
                    new ReadonlyTransactionManager(homeRpc, Address.DEFAULT.getValue()), noGas);
            assertThat(registry.coordinator().send()).isEqualToIgnoringCase(coordinatorAddress);
            String aggregator = info.home().devKeys().get(info.deployment().roles().aggregator()).address();
            assertThat(coordinator.bondOf(aggregator).send().amount).isPositive();
            for (DevnetInfo.Chain chain : info.chains()) {
                ChainContracts contracts = chain.contracts();
                assertThat(contracts.name()).isEqualTo(chain.name());
                assertThat(contracts.addresses()).hasSize(chain.role() == DevnetInfo.Role.HOME ? 6 : 3);
                Web3j rpc = Web3j.build(new HttpService(chain.rpcUrl()));
                try {
                    for (var contract : contracts.addresses().entrySet()) {
                        String code = rpc.ethGetCode(contract.getValue(), DefaultBlockParameterName.LATEST).send().getCode();
                        assertThat(code).as("%s on %s", contract.getKey(), chain.name()).hasSizeGreaterThan(2);
                        assertThat(contracts.transactions()).as(chain.name()).containsKey(contract.getKey());
                    }
                    var readOnly = new ReadonlyTransactionManager(rpc, Address.DEFAULT.getValue());
                    Gateway gateway = Gateway.load(contracts.gateway(), rpc, readOnly, noGas);
                    assertThat(gateway.chainName().send()).isEqualTo(contracts.gatewayChainName()).isEqualTo(chain.name());
                    assertThat(gateway.threshold().send()).isEqualTo(BigInteger.valueOf(contracts.threshold())).isEqualTo(BigInteger.TWO);
                    assertThat(contracts.guardians()).hasSize(3).allSatisfy(g -> assertThat(g.address())
                            .isEqualToIgnoringCase(chain.devKeys().get(g.devKeyIndex()).address()));
                    for (ChainContracts.Guardian guardian : contracts.guardians()) {
                        assertThat(gateway.isGuardian(guardian.address()).send()).as(guardian.address()).isTrue();
                    }
                    WorkerHub hub = WorkerHub.load(contracts.workerHub(), rpc, readOnly, noGas);
                    var source = hub.trustedSource().send();
                    assertThat(source.component1()).isEqualTo("home");
                    assertThat(source.component2()).isEqualToIgnoringCase(coordinatorAddress);
                    TaskCoordinator.ChainConfig config = coordinator.chainConfig(BigInteger.valueOf(chain.chainId())).send();
                    assertThat(config.name).isEqualTo(chain.name());
                    assertThat(config.hub).isEqualToIgnoringCase(contracts.workerHub());
                    if (chain.role() == DevnetInfo.Role.PARTICIPANT) {
                        assertThat(config.vault).isEqualToIgnoringCase(contracts.rewardVault());
                        RewardVault vault = RewardVault.load(contracts.rewardVault(), rpc, readOnly, noGas);
                        assertThat(vault.trustedSource().send().component2()).isEqualToIgnoringCase(coordinatorAddress);
                        assertThat(vault.localChainId().send()).isEqualTo(BigInteger.valueOf(chain.chainId()));
                    } else {
                        assertThat(config.vault).isEqualTo(Address.DEFAULT.getValue());
                    }
                } finally {
                    rpc.shutdown();
                }
            }
        } finally {
            homeRpc.shutdown();
        }
    }


    static KafkaConsumer<byte[], byte[]> committedReader() {
        Properties props = new Properties();
        props.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, info.kafka().bootstrapServers());
        props.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String... topics) {
        List<TopicPartition> all = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic).forEach(p -> all.add(new TopicPartition(topic, p.partition())));
        }
        return all;
    }

    @Test
    @Order(4)
    void shouldCaptureTheConfirmedEventsOfTheDeploymentAndTheHeadsOfEveryChain() throws Exception {
        Map<Long, Set<String>> eventsByChain = new HashMap<>();
        Set<Long> headsOf = new HashSet<>();
        Set<Long> allChains = new HashSet<>();
        info.chains().forEach(c -> allChains.add(c.chainId()));
        try (KafkaConsumer<byte[], byte[]> consumer = committedReader()) {
            consumer.assign(partitions(consumer, Topics.CHAIN_EVENTS.name(), Topics.CHAIN_BLOCKS.name()));
            consumer.seekToBeginning(consumer.assignment());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && !(headsOf.containsAll(allChains)
                    && eventsByChain.getOrDefault(info.home().chainId(), Set.of())
                            .containsAll(Set.of("Gateway.GuardiansRotated", "TaskCoordinator.ChainConfigured",
                                    "TaskCoordinator.AggregatorBonded", "ModelRegistry.CoordinatorSet"))
                    && allChains.stream().allMatch(id -> eventsByChain.getOrDefault(id, Set.of())
                            .contains("Gateway.GuardiansRotated")))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.topic().equals(Topics.CHAIN_BLOCKS.name())) {
                        headsOf.add(Topics.CHAIN_BLOCKS.deserializeValue(r.value()).getChainId());
                        continue;
                    }
                    ChainEvent event = Topics.CHAIN_EVENTS.deserializeValue(r.value());
                    assertThat(event.getOp()).isEqualTo(ChangeOp.c);
                    DevnetInfo.Chain chain = info.chains().stream()
                            .filter(c -> c.chainId() == event.getSource().getChainId()).findFirst().orElseThrow();
                    assertThat(chain.contracts().addresses().get(event.getContractName()))
                            .as("address of %s on %s", event.getContractName(), chain.name())
                            .isEqualToIgnoringCase(event.getSource().getContract());
                    eventsByChain.computeIfAbsent(chain.chainId(), k -> new HashSet<>())
                            .add(event.getContractName() + "." + event.getEventName());
                }
            }
        }
        assertThat(headsOf).as("chains with heads on chain.blocks").containsExactlyInAnyOrderElementsOf(allChains);
        assertThat(eventsByChain.get(info.home().chainId())).contains("Gateway.GuardiansRotated",
                "TaskCoordinator.ChainConfigured", "TaskCoordinator.AggregatorBonded", "ModelRegistry.CoordinatorSet");
        for (DevnetInfo.Chain chain : info.chains()) {
            assertThat(eventsByChain.get(chain.chainId())).as(chain.name()).contains("Gateway.GuardiansRotated");
        }
        Run status = cli("devnet", "status", "--dir", DIR.toString());
        assertThat(status.exitCode()).as(status.out()).isZero();
        assertThat(status.out()).contains(info.ingest().connectRestUrl()).containsPattern("ok\\s+connector\\s+evm-logs RUNNING");
    }

    @Test
    @Order(5)
    void shouldHaveTheGuardiansApproveAContractCallFromHomeOnTheDestinationGateway() throws Exception {
        DevnetInfo.Chain home = info.home();
        DevnetInfo.Chain destination = info.chain("arbitrum-local");
        String deployerKey = home.devKeys().get(info.deployment().roles().deployer()).privateKey();
        byte[] payload = "devnet-it relay check".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StaticGasProvider gas = new StaticGasProvider(BigInteger.valueOf(10_000_000_000L), BigInteger.valueOf(300_000));
        Web3j homeRpc = Web3j.build(new HttpService(home.rpcUrl()));
        Web3j destinationRpc = Web3j.build(new HttpService(destination.rpcUrl()));
        try {
            var sender = new RawTransactionManager(homeRpc, Credentials.create(deployerKey), home.chainId(),
                    new PollingTransactionReceiptProcessor(homeRpc, 100, 300));
            TransactionReceipt receipt = Gateway.load(home.contracts().gateway(), homeRpc, sender, gas)
                    .callContract(destination.contracts().gatewayChainName(), destination.contracts().workerHub(), payload)
                    .send();
            assertThat(receipt.isStatusOK()).isTrue();

            ContractCallMessage message = null;
            try (KafkaConsumer<byte[], byte[]> consumer = committedReader()) {
                consumer.assign(partitions(consumer, Topics.CHAIN_EVENTS.name()));
                consumer.seekToBeginning(consumer.assignment());
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (message == null && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        ChainEvent event = Topics.CHAIN_EVENTS.deserializeValue(r.value());
                        if (ContractCallMessage.isContractCall(event)
                                && event.getSource().getTxHash().equalsIgnoreCase(receipt.getTransactionHash())) {
                            message = ContractCallMessage.from(event, home.contracts().gatewayChainName());
                        }
                    }
                }
            }
            assertThat(message).as("the ContractCall record of %s on chain.events", receipt.getTransactionHash()).isNotNull();
            assertThat(message.destinationAddress()).isEqualToIgnoringCase(destination.contracts().workerHub());

            Gateway gateway = Gateway.load(destination.contracts().gateway(), destinationRpc,
                    new ReadonlyTransactionManager(destinationRpc, Address.DEFAULT.getValue()),
                    new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            boolean approved = false;
            while (!approved && System.nanoTime() < deadline) {
                approved = gateway.isCommandExecuted(message.commandId()).send();
                if (!approved) {
                    Thread.sleep(200);
                }
            }
            assertThat(approved).as("command %s approved on %s", message.messageId(), destination.name()).isTrue();
            // The hub trusts only the coordinator, so executing this call reverts and the approval stays.
            assertThat(gateway.isContractCallApproved(message.commandId(), message.sourceChain(), message.sourceAddress(),
                    message.destinationAddress(), message.payloadHash()).send()).isTrue();
            assertThat(gateway.isContractCallExecuted(message.commandId()).send()).isFalse();
        } finally {
            homeRpc.shutdown();
            destinationRpc.shutdown();
        }
    }

    @Test
    @Order(5)
    void shouldTurnATaskPostIntoATaskOnTheHomeChainAndAConfirmedTaskPostedRecord() throws Exception {
        DevnetInfo.Chain home = info.home();
        assertThat(info.intake()).as("intake section of devnet.json").isNotNull();
        String clientKey = home.devKeys().get(info.deployment().roles().client()).privateKey();
        Web3j homeRpc = Web3j.build(new HttpService(home.rpcUrl()));
        try {
            // a model to train: anyone may register one
            var client = new RawTransactionManager(homeRpc, Credentials.create(clientKey), home.chainId(),
                    new PollingTransactionReceiptProcessor(homeRpc, 100, 300));
            ModelRegistry registry = ModelRegistry.load(home.contracts().modelRegistry(), homeRpc, client,
                    new StaticGasProvider(BigInteger.valueOf(10_000_000_000L), BigInteger.valueOf(500_000)));
            byte[] root = org.web3j.crypto.Hash.sha3("devnet-it initial model".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(registry.registerModel(root, root, "devnet-it://mlp").send().isStatusOK()).isTrue();
            BigInteger modelId = registry.modelCount().send();

            com.fasterxml.jackson.databind.node.ObjectNode spec;
            try (java.io.InputStream example = Tributary.class.getResourceAsStream("/examples/task-spec.json")) {
                spec = (com.fasterxml.jackson.databind.node.ObjectNode) MAPPER.readTree(example);
            }
            spec.put("modelId", modelId);
            Path specFile = DIR.resolveSibling("devnet-it-task-spec.json");
            Files.writeString(specFile, spec.toString());

            Run post = cli("task", "post", "--spec", specFile.toString(), "--key", clientKey, "--devnet", DIR.toString(),
                    "--bounty", "25", "--timeout", "60");

            assertThat(post.exitCode()).as("task post: %s %s", post.out(), post.err()).isZero();
            java.util.regex.Matcher accepted = java.util.regex.Pattern
                    .compile("ACCEPTED task (\\d+)  tx (0x[0-9a-f]{64})  block (\\d+)").matcher(post.out());
            assertThat(accepted.find()).as(post.out()).isTrue();
            long taskId = Long.parseLong(accepted.group(1));
            String txHash = accepted.group(2);
            TaskCoordinator coordinator = TaskCoordinator.load(home.contracts().taskCoordinator(), homeRpc,
                    new ReadonlyTransactionManager(homeRpc, Address.DEFAULT.getValue()),
                    new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
            assertThat(coordinator.taskSpec(BigInteger.valueOf(taskId)).send().modelId).isEqualTo(modelId);

            ChainEvent taskPosted = null;
            try (KafkaConsumer<byte[], byte[]> consumer = committedReader()) {
                consumer.assign(partitions(consumer, Topics.CHAIN_EVENTS.name()));
                consumer.seekToBeginning(consumer.assignment());
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (taskPosted == null && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        ChainEvent event = Topics.CHAIN_EVENTS.deserializeValue(r.value());
                        if (event.getEventName().equals("TaskPosted")
                                && event.getSource().getTxHash().equalsIgnoreCase(txHash)) {
                            taskPosted = event;
                        }
                    }
                }
            }
            assertThat(taskPosted).as("the TaskPosted record of %s on chain.events", txHash).isNotNull();
            assertThat(taskPosted.getOp()).isEqualTo(ChangeOp.c);
            assertThat(taskPosted.getContractName()).isEqualTo("TaskCoordinator");
            assertThat(taskPosted.getSource().getChainId()).isEqualTo(home.chainId());
            assertThat(taskPosted.getFields().get("taskId")).isEqualTo(Long.toString(taskId));
            assertThat(taskPosted.getFields().get("client")).isEqualToIgnoringCase(Credentials.create(clientKey).getAddress());
        } finally {
            homeRpc.shutdown();
        }
    }

    @Test
    @Order(6)
    void shouldShowEveryChainTheRelayerBacklogAndThePostedTaskInTributaryStatus() throws Exception {
        Run text = cli("status", "--devnet", DIR.toString());

        assertThat(text.exitCode()).as("status: %s %s", text.out(), text.err()).isZero();
        for (DevnetInfo.Chain chain : info.chains()) {
            // name, id, head, confirmed (the connector has confirmed heads of every chain by now), lag
            assertThat(text.out()).as(text.out())
                    .containsPattern("(?m)^" + chain.name() + "\\s+" + chain.chainId() + "\\s+\\d+\\s+\\d+\\s+\\d+$");
        }
        // the order-5 call to a hub that only trusts the coordinator is approved but never executed
        assertThat(text.out()).containsPattern("relayer backlog: [1-9]\\d* pending \\(\\d+ awaiting approval, oldest \\d+ s\\); "
                + "\\d+ sent, [1-9]\\d* approved, \\d+ executed");
        assertThat(text.out()).containsPattern("task \\d+ \\(Active\\): round \\d+ of \\d+ \\w+, \\d+ contributors?; ");

        Run json = cli("status", "--devnet", DIR.toString(), "--json");
        assertThat(json.exitCode()).as("status --json: %s", json.err()).isZero();
        JsonNode status = MAPPER.readTree(json.out());
        assertThat(status.get("chains")).hasSize(3);
        for (JsonNode chain : status.get("chains")) {
            assertThat(chain.get("head").asLong()).as(chain.toString()).isPositive();
            assertThat(chain.get("confirmed").asLong()).as(chain.toString()).isPositive().isLessThanOrEqualTo(
                    chain.get("head").asLong());
        }
        assertThat(status.get("relayer").get("sent").asInt()).isPositive();
        assertThat(status.get("tasks").size()).isPositive();
    }

    @Test
    @Order(6)
    void shouldRunAPostgresWithLogicalWalLevel() throws Exception {
        DevnetInfo.Postgres pg = info.postgres();
        try (Connection connection = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
                ResultSet rs = connection.createStatement().executeQuery("SHOW wal_level")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("logical");
        }
        assertThat(Processes.isAlive(pg.pid())).isTrue();
    }

    @Test
    @Order(7)
    void shouldRefuseASecondUpOnTheSameDir() throws Exception {
        Run second = cli("devnet", "up", "--detach", "--dir", DIR.toString());

        assertThat(second.exitCode()).isNotZero();
        assertThat(second.err()).contains("already running", "supervisor pid " + info.supervisorPid());
        assertThat(DevnetInfo.read(DevnetInfo.file(DIR))).isEqualTo(info);
    }

    @Test
    @Order(8)
    void shouldLeaveNoProcessAndNoOpenPortWhenDown() throws Exception {
        List<Integer> ports = new ArrayList<>();
        info.chains().forEach(c -> ports.add(URI.create(c.rpcUrl()).getPort()));
        ports.add(Integer.parseInt(info.kafka().bootstrapServers().split(":")[1]));
        ports.add(Integer.parseInt(info.postgres().jdbcUrl().replaceAll(".*:(\\d+)/.*", "$1")));
        ports.add(URI.create(info.ingest().connectRestUrl()).getPort());
        assertThat(ports).allSatisfy(p -> assertThat(FreePorts.isListening(p)).as("port %d before down", p).isTrue());

        long t0 = System.nanoTime();
        Run down = cli("devnet", "down", "--dir", DIR.toString());
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(down.exitCode()).as(down.err()).isZero();
        assertThat(down.out()).contains("stopped").doesNotContain("SIGKILL");
        // Connect, the relayer and Kafka stop in order; a worker outliving Kafka would hang for its 30 s timeouts
        assertThat(took).as("devnet down").isLessThan(Duration.ofSeconds(15));
        assertThat(info.pids()).contains(info.supervisorPid()).hasSize(5);
        assertThat(info.pids()).allSatisfy(pid -> assertThat(Processes.isAlive(pid)).as("pid %d", pid).isFalse());
        assertThat(ports).allSatisfy(p -> assertThat(FreePorts.isListening(p)).as("port %d after down", p).isFalse());
        assertThat(Files.exists(DevnetInfo.file(DIR))).isFalse();
        assertThat(DevnetLock.inspect(DIR).state()).isEqualTo(DevnetLock.State.ABSENT);
    }

    @Test
    @Order(9)
    void shouldCleanUpAfterAKilledSupervisorAndStartAgainInTheSameDir() throws Exception {
        Run first = cli("devnet", "up", "--detach", "--dir", DIR.toString());
        assertThat(first.exitCode()).as("%s %s", first.out(), first.err()).isZero();
        DevnetInfo killed = DevnetInfo.read(DevnetInfo.file(DIR));
        ProcessHandle.of(killed.supervisorPid()).orElseThrow().destroyForcibly();
        assertThat(Processes.awaitExit(List.of(killed.supervisorPid()), Duration.ofSeconds(10))).isEmpty();
        assertThat(DevnetLock.inspect(DIR).state()).isEqualTo(DevnetLock.State.STALE);

        Run again = cli("devnet", "up", "--detach", "--dir", DIR.toString());

        assertThat(again.exitCode()).as("%s %s", again.out(), again.err()).isZero();
        assertThat(again.out()).contains("no longer running", "supervisor pid " + killed.supervisorPid());
        assertThat(killed.pids()).allSatisfy(pid -> assertThat(Processes.isAlive(pid)).as("pid %d", pid).isFalse());
        DevnetInfo restarted = DevnetInfo.read(DevnetInfo.file(DIR));
        assertThat(rpc(restarted.home().rpcUrl(), "eth_chainId")).isEqualTo(31337);

        assertThat(cli("devnet", "down", "--dir", DIR.toString()).exitCode()).isZero();
        assertThat(restarted.pids()).allSatisfy(pid -> assertThat(Processes.isAlive(pid)).as("pid %d", pid).isFalse());
    }
}
