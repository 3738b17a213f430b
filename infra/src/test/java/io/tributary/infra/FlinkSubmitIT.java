package io.tributary.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.flink.FixtureRounds;
import io.tributary.flink.RawRecord;
import io.tributary.ingest.testing.KafkaTestBroker;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.RoundCommitment;
import io.tributary.schemas.avro.RoundOutcome;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./tributary flink submit} against a real standalone Flink cluster (JobManager and
 * TaskManager JVMs, {@link FlinkTestCluster}) reading a real KRaft broker: the job jar commits a
 * round, stops with a savepoint, and the resubmitted job resumes from it and commits the next round,
 * whose reveals it had admitted before the stop.
 */
@Timeout(value = 4, unit = java.util.concurrent.TimeUnit.MINUTES)
class FlinkSubmitIT {

    private static final Logger LOG = LoggerFactory.getLogger(FlinkSubmitIT.class);
    private static final Path DIR = Path.of("target", "flink-submit-it").toAbsolutePath();
    private static final Duration ROUND_TIMEOUT = Duration.ofSeconds(45);
    private static final String GROUP = "flink-submit-it";

    private static KafkaTestBroker kafka;
    private static FlinkTestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        deleteRecursively(DIR);
        kafka = KafkaTestBroker.start(DIR.resolve("kafka"));
        kafka.createTopics(Topics.all().stream().map(Topics.Topic::name).toArray(String[]::new));
        cluster = FlinkTestCluster.start(DIR.resolve("flink"), Environment.current().home());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
                assertThat(io.tributary.infra.devnet.Processes.alive(
                        List.of(cluster.jobManagerPid(), cluster.taskManagerPid()))).as("Flink JVMs left running").isEmpty();
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    @Test
    void shouldShipTheJobWithItsLibrariesAndWithoutFlinkItself() throws IOException {
        try (JarFile jar = new JarFile(FlinkCommand.defaultJar(Environment.current()).toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("io.tributary.flink.RoundAggregationJobMain");
            List<String> entries = jar.stream().map(java.util.zip.ZipEntry::getName).toList();
            assertThat(entries).contains("io/tributary/flink/RoundAggregationJob.class",
                    "io/tributary/schemas/Topics.class",
                    "org/apache/flink/connector/kafka/source/KafkaSource.class",
                    "org/apache/kafka/clients/producer/KafkaProducer.class",
                    "org/web3j/protocol/Web3j.class");
            assertThat(entries).as("Flink's runtime comes from the cluster")
                    .noneMatch(e -> e.startsWith("org/apache/flink/runtime/")
                            || e.startsWith("org/apache/flink/streaming/api/")
                            || e.startsWith("org/apache/flink/api/common/")
                            || e.startsWith("org/apache/flink/client/")
                            || e.startsWith("org/rocksdb/")
                            || e.startsWith("org/slf4j/"));
            assertThat(entries).as("no signatures of merged signed jars")
                    .noneMatch(e -> e.matches("META-INF/[^/]+\\.(SF|DSA|RSA|EC)"));
            String jacksonModules = new String(jar.getInputStream(
                    jar.getEntry("META-INF/services/com.fasterxml.jackson.databind.Module")).readAllBytes());
            assertThat(jacksonModules).as("service files merged")
                    .contains("JavaTimeModule").contains("Jdk8Module");
        }
    }

    @Test
    void shouldPrintTheJobsErrorWhenItsMainFails() {
        Cli cli = Cli.run("flink", "submit", "--rest", cluster.rest().toString(), "-D", "models=" + FixtureRounds.modelsOption());
        assertThat(cli.code).isEqualTo(1);
        assertThat(cli.err).contains("kafka.bootstrap-servers is required");
    }

    @Test
    void shouldSayTheClusterIsNotReachableWhenNobodyListens() {
        int port = io.tributary.infra.devnet.FreePorts.allocate(1).get(0);
        Cli cli = Cli.run("flink", "list", "--rest", "http://127.0.0.1:" + port);
        assertThat(cli.code).isEqualTo(1);
        assertThat(cli.err).contains("is not reachable");
    }

    @Test
    void shouldCommitARoundStopWithASavepointAndResumeFromIt() throws Exception {
        // Round 0 revealed and uploaded. Chunks carry no event time (LIVE mode): the chain moves past
        // the close only once the job has read them, as it does when a round closes in real time.
        List<RawRecord> uploads = new ArrayList<>();
        uploads.add(FixtureRounds.modelRegistered());
        uploads.add(FixtureRounds.taskPosted());
        uploads.addAll(FixtureRounds.reveals(0));
        uploads.addAll(FixtureRounds.chunks(0));
        produce(uploads);
        String submitted = submit(null);
        awaitConsumed(Topics.UPDATE_CHUNKS.name());
        // Round 1 revealed; its reveals and a home block move the chains past round 0's close.
        List<RawRecord> next = new ArrayList<>(FixtureRounds.reveals(1));
        next.add(FixtureRounds.blockAfterClose(0));
        produce(next);

        RoundCommitment round0 = awaitCommitment(0);
        assertThat(round0.getOutcome()).isEqualTo(RoundOutcome.COMMITTED);
        assertThat(round0.getContributors()).isEqualTo(FixtureRounds.WORKERS);
        assertThat(round0.getTotalWeight()).isEqualTo(FixtureRounds.totalWeight());

        Cli stop = Cli.run("flink", "savepoint", "--rest", cluster.rest().toString(), "--job", submitted,
                "--dir", DIR.resolve("savepoints").toUri().toString(), "--stop");
        assertThat(stop.code).as(stop.err).isZero();
        String savepoint = stop.out.strip();
        assertThat(savepoint).contains("savepoint-");
        assertThat(rest().state(submitted)).isEqualTo("FINISHED");

        // Round 1's chunks arrive while the job is down; once the resumed job has read them, round 2's
        // reveals and a home block move time past round 1's close.
        produce(FixtureRounds.chunks(1));
        String resumed = submit(savepoint);
        assertThat(resumed).isNotEqualTo(submitted);
        assertThat(rest().state(resumed)).isEqualTo("RUNNING");
        awaitConsumed(Topics.UPDATE_CHUNKS.name());
        List<RawRecord> later = new ArrayList<>(FixtureRounds.reveals(2));
        later.add(FixtureRounds.blockAfterClose(1));
        produce(later);
        RoundCommitment round1 = awaitCommitment(1);
        assertThat(round1.getOutcome()).as("round 1 needs the reveals admitted before the savepoint")
                .isEqualTo(RoundOutcome.COMMITTED);
        assertThat(round1.getContributors()).isEqualTo(FixtureRounds.WORKERS);
        assertThat(commitments()).as("each round committed once, across the stop").extracting(RoundCommitment::getRound)
                .containsExactly(0, 1);

        Cli list = Cli.run("flink", "list", "--rest", cluster.rest().toString());
        assertThat(list.out).contains(resumed + " RUNNING").contains(submitted + " FINISHED");
        rest().cancel(resumed);
        assertThat(rest().awaitTerminal(resumed)).isEqualTo("CANCELED");
    }

    /** {@code flink submit} with the job's options; returns the printed job id. */
    private static String submit(String savepoint) {
        List<String> args = new ArrayList<>(List.of("flink", "submit", "--rest", cluster.rest().toString(),
                "-D", "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "-D", "kafka.group-id=" + GROUP,
                "-D", "models=" + FixtureRounds.modelsOption(),
                "-D", "round.close-grace=" + FixtureRounds.closeGrace().toSeconds() + "s",
                "-D", "checkpoint.interval=1s",
                // Only the test's records move event time (chain.events and chain.blocks): no chain
                // goes idle while the test waits for the job to read what it produced.
                "-D", "chain.idleness=" + Long.MAX_VALUE + "ms"));
        if (savepoint != null) {
            args.addAll(List.of("--savepoint", savepoint));
        }
        Cli cli = Cli.run(args.toArray(String[]::new));
        assertThat(cli.code).as("flink submit: %s%n%s", cli.err, cluster.tail("jobmanager")).isZero();
        String jobId = cli.out.strip();
        assertThat(jobId).matches("[0-9a-f]{32}");
        LOG.info("submitted job {}{}", jobId, savepoint == null ? "" : " from " + savepoint);
        return jobId;
    }

    private static FlinkCommand.FlinkRest rest() {
        return new FlinkCommand.FlinkRest(cluster.rest(), Duration.ofSeconds(30));
    }

    private static void produce(List<RawRecord> records) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            for (RawRecord r : records) {
                producer.send(new ProducerRecord<>(r.topic, r.key, r.value)).get();
            }
        }
    }

    /**
     * Waits until the job's consumer group committed the end of the single-partition topic: the
     * source commits on checkpoint completion, so every operator has then processed those records.
     */
    private static void awaitConsumed(String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
            long deadline = System.nanoTime() + ROUND_TIMEOUT.toNanos();
            long committed = -1;
            while (System.nanoTime() < deadline) {
                OffsetAndMetadata offset = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata()
                        .get().get(tp);
                committed = offset == null ? -1 : offset.offset();
                if (committed >= end) {
                    return;
                }
                Thread.sleep(250);
            }
            throw new AssertionError("the job committed offset " + committed + " of " + topic + ", not its end " + end
                    + ", within " + ROUND_TIMEOUT + "\n" + cluster.tail("taskmanager"));
        }
    }

    private static List<RoundCommitment> commitments() {
        return kafka.readAll(Topics.ROUND_COMMITMENTS.name()).stream()
                .map(r -> Topics.ROUND_COMMITMENTS.deserializeValue(r.value())).toList();
    }

    /** Waits until rounds.commitments (read_committed) holds the fixture task's commitment of the round. */
    private static RoundCommitment awaitCommitment(int round) throws InterruptedException {
        long deadline = System.nanoTime() + ROUND_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (RoundCommitment c : commitments()) {
                if (c.getTaskId() == FixtureRounds.TASK && c.getRound() == round) {
                    return c;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no commitment of round " + round + " within " + ROUND_TIMEOUT + "; dead letters: "
                + kafka.readAll(Topics.DEADLETTER.name()).stream()
                        .map(r -> Topics.DEADLETTER.deserializeValue(r.value()))
                        .map(d -> d.getReason() + " (" + d.getDetail() + ")").distinct()
                        .collect(Collectors.joining(", ")) + "\n" + cluster.tail("taskmanager"));
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** One in-process run of the CLI with its stdout and stderr captured. */
    private record Cli(int code, String out, String err) {
        static Cli run(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            var cli = Tributary.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            int code = cli.execute(args);
            return new Cli(code, out.toString(), err.toString());
        }
    }
}
