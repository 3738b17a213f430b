package io.tributary.infra.devnet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A single-node KRaft Kafka broker (combined broker + controller) running inside this JVM. */
final class KafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final List<String> topics;
    private final int partitions;

    private KafkaBroker(KafkaRaftServer server, String bootstrapServers, List<String> topics, int partitions) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.topics = topics;
        this.partitions = partitions;
    }

    /** Formats a fresh log directory, starts the broker and creates {@code topics}. */
    static KafkaBroker start(Path dir, int brokerPort, int controllerPort, List<String> topics, int partitions)
            throws IOException, InterruptedException {
        Path logDir = dir.resolve("data");
        Files.createDirectories(logDir);
        Properties props = serverProperties(logDir, brokerPort, controllerPort, partitions);
        Path propsFile = dir.resolve("server.properties");
        try (Writer out = Files.newBufferedWriter(propsFile, StandardCharsets.UTF_8)) {
            props.store(out, "devnet KRaft broker (combined mode)");
        }
        format(propsFile);

        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
        server.startup();
        String bootstrap = "127.0.0.1:" + brokerPort;
        KafkaBroker broker = new KafkaBroker(server, bootstrap, List.copyOf(topics), partitions);
        try {
            broker.createTopics();
        } catch (IOException | InterruptedException | RuntimeException e) {
            broker.close();
            throw e;
        }
        LOG.debug("kafka broker up on {} with topics {}", bootstrap, topics);
        return broker;
    }

    static Properties serverProperties(Path logDir, int brokerPort, int controllerPort, int partitions) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", logDir.toAbsolutePath().toString());
        p.setProperty("num.partitions", Integer.toString(partitions));
        p.setProperty("default.replication.factor", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "3");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "3");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("num.network.threads", "2");
        p.setProperty("num.io.threads", "2");
        p.setProperty("log.cleaner.dedupe.buffer.size", Integer.toString(4 * 1024 * 1024));
        return p;
    }

    private static void format(Path propsFile) throws IOException {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            code = StorageTool.execute(new String[] {
                "format", "-t", Uuid.randomUuid().toString(), "-c", propsFile.toString()
            }, out);
        }
        if (code != 0) {
            throw new IOException("formatting the Kafka log directory failed (" + code + "): "
                    + captured.toString(StandardCharsets.UTF_8));
        }
    }

    private void createTopics() throws IOException, InterruptedException {
        Properties props = new Properties();
        props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(props)) {
            List<NewTopic> newTopics = topics.stream().map(t -> new NewTopic(t, partitions, (short) 1)).toList();
            try {
                admin.createTopics(newTopics).all().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IOException("creating Kafka topics " + topics + " failed", e.getCause());
                }
            } catch (TimeoutException e) {
                throw new IOException("creating Kafka topics timed out", e);
            }
        }
    }

    DevnetInfo.Kafka info() {
        return new DevnetInfo.Kafka(bootstrapServers, topics, partitions, ProcessHandle.current().pid());
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
