package io.tributary.flink;

import io.tributary.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link RoundAggregationJob} on Kafka: FLIP-27 {@link KafkaSource}s reading committed records
 * only, transactional exactly-once {@link KafkaSink}s, checkpoints with the RocksDB state backend.
 * Arguments are {@code --key value} pairs of the options below (the option constants are the docs).
 */
public final class RoundAggregationJobMain {

    private static final Logger LOG = LoggerFactory.getLogger(RoundAggregationJobMain.class);

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = ConfigOptions.key("kafka.bootstrap-servers")
            .stringType().noDefaultValue().withDescription("Kafka bootstrap servers (required).");
    public static final ConfigOption<String> GROUP_ID = ConfigOptions.key("kafka.group-id")
            .stringType().defaultValue("tributary-round-aggregation").withDescription("Consumer group of the sources.");
    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = ConfigOptions.key("kafka.transactional-id-prefix")
            .stringType().defaultValue("tributary-round-aggregation")
            .withDescription("Prefix of the sinks' transactional ids; unique per job deployment.");
    public static final ConfigOption<String> MODELS = ConfigOptions.key("models")
            .stringType().noDefaultValue()
            .withDescription("Model shapes, 'modelId=dimension:chunkLeavesLog2' separated by commas (required); "
                    + "'*=dimension:chunkLeavesLog2' is the shape of every model not listed.");
    public static final ConfigOption<Duration> CLOSE_GRACE = ConfigOptions.key("round.close-grace")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("How long after the reveal deadline chunks of revealed updates are waited for.");
    public static final ConfigOption<Duration> CHAIN_IDLENESS = ConfigOptions.key("chain.idleness")
            .durationType().defaultValue(Duration.ofSeconds(60))
            .withDescription("Processing time after which a silent chain stops holding back event time.");
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ConfigOptions.key("checkpoint.interval")
            .durationType().defaultValue(Duration.ofSeconds(10)).withDescription("Exactly-once checkpoint interval.");
    public static final ConfigOption<Boolean> COMMIT_ON_CHAIN = ConfigOptions.key("commit.on-chain")
            .booleanType().defaultValue(false)
            .withDescription("Call TaskCoordinator.commitRound on the home chain through the transaction writer "
                    + "(needs the commit.* options below). false: commitments only go to rounds.commitments.");
    public static final ConfigOption<String> COMMIT_RPC_URL = ConfigOptions.key("commit.rpc-url")
            .stringType().noDefaultValue().withDescription("JSON-RPC URL of the home chain (with commit.on-chain).");
    public static final ConfigOption<Long> COMMIT_CHAIN_ID = ConfigOptions.key("commit.chain-id")
            .longType().noDefaultValue()
            .withDescription("Chain id of the home chain; checked against eth_chainId (with commit.on-chain).");
    public static final ConfigOption<String> COMMIT_COORDINATOR = ConfigOptions.key("commit.coordinator")
            .stringType().noDefaultValue()
            .withDescription("Address of the home chain's TaskCoordinator (devnet.json: home taskCoordinator).");
    public static final ConfigOption<String> COMMIT_KEY = ConfigOptions.key("commit.key")
            .stringType().noDefaultValue()
            .withDescription("The bonded aggregator key: dev:aggregator (anvil account 1, KeyRoles.defaults()), "
                    + "dev:<index>, or the path of a file holding the private key in hex. Never logged.");
    public static final ConfigOption<String> COMMIT_STATE_DIR = ConfigOptions.key("commit.state-dir")
            .stringType().noDefaultValue()
            .withDescription("Directory of the transaction writer's state (nonces, signed commits); must survive "
                    + "job restarts so a replayed commit is recognised.");
    public static final ConfigOption<Long> COMMIT_MAX_FEE_GWEI = ConfigOptions.key("commit.max-fee-gwei")
            .longType().defaultValue(100L).withDescription("Fee cap of a commitRound transaction, in gwei.");

    /** Every option of the job, for validation and docs. */
    public static final List<ConfigOption<?>> OPTIONS = List.of(BOOTSTRAP_SERVERS, GROUP_ID, TRANSACTIONAL_ID_PREFIX, MODELS,
            CLOSE_GRACE, CHAIN_IDLENESS, CHECKPOINT_INTERVAL, COMMIT_ON_CHAIN, COMMIT_RPC_URL, COMMIT_CHAIN_ID,
            COMMIT_COORDINATOR, COMMIT_KEY, COMMIT_STATE_DIR, COMMIT_MAX_FEE_GWEI);

    private RoundAggregationJobMain() {}

    public static void main(String[] args) throws Exception {
        Configuration conf = parse(args);
        RoundAggregationJob job = job(conf);
        Configuration flink = new Configuration();
        flink.setString("state.backend.type", "rocksdb");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        env.enableCheckpointing(conf.get(CHECKPOINT_INTERVAL).toMillis(), CheckpointingMode.EXACTLY_ONCE);
        job.build(env);
        env.execute("tributary-round-aggregation");
    }

    /**
     * The job on Kafka as the options say: FLIP-27 sources of {@code chain.events}, {@code chain.blocks}
     * and {@code updates.chunks} (read_committed, from the earliest offset), exactly-once transactional
     * sinks, the commitment sink of {@code commit.*}, live event time. The caller enables checkpoints.
     */
    public static RoundAggregationJob job(Configuration conf) {
        String servers = conf.getOptional(BOOTSTRAP_SERVERS).orElseThrow(() ->
                new IllegalArgumentException("--" + BOOTSTRAP_SERVERS.key() + " is required"));
        CommitmentSink commits = commitmentSink(conf);
        RoundAggregationJob.Config.Builder config = RoundAggregationJob.Config.builder()
                .closeGrace(conf.get(CLOSE_GRACE)).chainIdleness(conf.get(CHAIN_IDLENESS))
                .timeMode(RoundAggregationJob.TimeMode.LIVE);
        models(conf.getOptional(MODELS).orElseThrow(() ->
                new IllegalArgumentException("--" + MODELS.key() + " is required")), config);
        String group = conf.get(GROUP_ID);
        String prefix = conf.get(TRANSACTIONAL_ID_PREFIX);
        return new RoundAggregationJob(
                source(servers, group, Topics.CHAIN_EVENTS.name()),
                source(servers, group, Topics.CHAIN_BLOCKS.name()),
                source(servers, group, Topics.UPDATE_CHUNKS.name()),
                sink(servers, prefix + "-models"),
                sink(servers, prefix + "-commitments"),
                sink(servers, prefix + "-deadletter"),
                commits,
                config.build());
    }

    /** The on-chain sink when {@code commit.on-chain} is true, else one that only logs the call. */
    static CommitmentSink commitmentSink(Configuration conf) {
        if (!conf.get(COMMIT_ON_CHAIN)) {
            return call -> {
                LOG.warn("on-chain commits are off (--{} false); not sent: {}", COMMIT_ON_CHAIN.key(), call);
                return java.util.OptionalLong.empty();
            };
        }
        return OnChainCommitmentSink.builder()
                .rpcUrl(required(conf, COMMIT_RPC_URL))
                .chainId(required(conf, COMMIT_CHAIN_ID))
                .coordinator(required(conf, COMMIT_COORDINATOR))
                .key(required(conf, COMMIT_KEY))
                .stateDir(java.nio.file.Path.of(required(conf, COMMIT_STATE_DIR)))
                .maxFeeCapWei(java.math.BigInteger.valueOf(conf.get(COMMIT_MAX_FEE_GWEI))
                        .multiply(java.math.BigInteger.TEN.pow(9)))
                .build();
    }

    private static <T> T required(Configuration conf, ConfigOption<T> option) {
        return conf.getOptional(option).orElseThrow(() -> new IllegalArgumentException("--" + option.key()
                + " is required with --" + COMMIT_ON_CHAIN.key() + " true"));
    }

    /** Parses {@code --key value} pairs of {@link #OPTIONS}; unknown keys are refused, naming the known ones. */
    public static Configuration parse(String[] args) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --key value pairs, got '" + args[i] + "'; options: "
                        + OPTIONS.stream().map(ConfigOption::key).toList());
            }
            String key = args[i].substring(2);
            if (OPTIONS.stream().noneMatch(o -> o.key().equals(key))) {
                throw new IllegalArgumentException("unknown option --" + key + "; options: "
                        + OPTIONS.stream().map(ConfigOption::key).toList());
            }
            map.put(key, args[++i]);
        }
        return Configuration.fromMap(map);
    }

    /** Parses {@code 'id=dimension:k,...'} into the builder. */
    static void models(String spec, RoundAggregationJob.Config.Builder config) {
        for (String part : spec.split(",")) {
            String[] idAndShape = part.trim().split("=");
            String[] shape = idAndShape.length == 2 ? idAndShape[1].split(":") : new String[0];
            if (shape.length != 2) {
                throw new IllegalArgumentException("model shape '" + part + "' is not modelId=dimension:chunkLeavesLog2");
            }
            String id = idAndShape[0].trim();
            long modelId = id.equals("*") ? RoundAggregationJob.ModelShape.ANY_MODEL : Long.parseLong(id);
            config.model(modelId, Integer.parseInt(shape[0]), Integer.parseInt(shape[1]));
        }
    }

    static KafkaSource<RawRecord> source(String servers, String group, String topic) {
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(servers)
                .setGroupId(group)
                .setTopics(topic)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setProperty("isolation.level", "read_committed")
                .setDeserializer(new RawDeserializer())
                .build();
    }

    static KafkaSink<RawRecord> sink(String servers, String transactionalIdPrefix) {
        return KafkaSink.<RawRecord>builder()
                .setBootstrapServers(servers)
                .setRecordSerializer((KafkaRecordSerializationSchema<RawRecord>) (r, ctx, ts) ->
                        new ProducerRecord<>(r.topic, r.key, r.value))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setProperty("transaction.timeout.ms", "600000")
                .build();
    }

    /** Kafka record -> {@link RawRecord}, bytes untouched (parsing, and its dead letters, happen in the job). */
    static final class RawDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {
        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<RawRecord> out) {
            out.collect(new RawRecord(r.topic(), r.key(), r.value(), r.partition(), r.offset()));
        }

        @Override
        public TypeInformation<RawRecord> getProducedType() {
            return TypeInformation.of(RawRecord.class);
        }
    }
}
