package io.tributary.trainer.node;

import io.tributary.schemas.Keys;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.ModelChunk;
import io.tributary.schemas.merkle.MerkleTree;
import io.tributary.schemas.merkle.Sha256;
import io.tributary.schemas.tensor.ModelFile;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global model a round starts from. Round 0: the registered model's initial weights, read from
 * its registry URI and checked against its {@code initialRoot} ({@link ModelFile#read(URI, int, byte[])}).
 * Round r > 0: the {@code models.chunks} records of round r - 1 (keys {@code taskId:(r-1):chunk}),
 * or, when round r - 1 failed without a commitment, the model round r - 1 started from;
 * each chunk checked against its proof and the round's modelRoot as committed on the home chain,
 * and the assembled model checked against that root once more. Models are cached under
 * {@code cacheDir} as model files, so a restart does not fetch them again. Not thread-safe.
 */
public final class GlobalModels {

    private static final Logger LOG = LoggerFactory.getLogger(GlobalModels.class);

    private final String bootstrapServers;
    private final NodeChain chain;
    private final Path cacheDir;
    private final int dimension;
    private final Map<String, Long> lastFetch = new HashMap<>();
    /** Least time between two reads of models.chunks for the same round (the topic is read from its start). */
    private static final long REFETCH_MILLIS = 2_000;

    public GlobalModels(String bootstrapServers, NodeChain chain, Path cacheDir, int dimension) {
        this.bootstrapServers = bootstrapServers;
        this.chain = chain;
        this.cacheDir = cacheDir;
        this.dimension = dimension;
    }

    /** The model round {@code round} of {@code task} starts from, or empty if it is not available yet. */
    public Optional<float[]> startOf(TaskSchedule task, int round) throws IOException {
        Path cached = cacheDir.resolve("task-" + task.taskId() + "-round-" + round + ".model");
        if (Files.exists(cached)) {
            return Optional.of(ModelFile.read(cached));
        }
        float[] model;
        if (round == 0) {
            NodeChain.RegisteredModel m = chain.model(task.modelId());
            model = ModelFile.read(URI.create(m.uri()), dimension, m.initialRoot());
        } else {
            Optional<byte[]> root = chain.committedModelRoot(task.taskId(), round - 1);
            if (root.isEmpty()) {
                if (chain.settlement(task.taskId(), round - 1).state() == NodeChain.Settlement.State.FAILED) {
                    return startOf(task, round - 1); // a failed round leaves the global model as it was
                }
                return Optional.empty();
            }
            String key = task.taskId() + ":" + (round - 1);
            long now = System.currentTimeMillis();
            Long last = lastFetch.get(key);
            if (last != null && now - last < REFETCH_MILLIS) {
                return Optional.empty();
            }
            lastFetch.put(key, now);
            Optional<float[]> fetched = fetch(task.taskId(), round - 1, root.get());
            if (fetched.isEmpty()) {
                return Optional.empty();
            }
            model = fetched.get();
        }
        Files.createDirectories(cacheDir);
        ModelFile.write(cached, model);
        return Optional.of(model);
    }

    /** Reads {@code models.chunks} of (task, round) once to its end; the model if every chunk is there and valid. */
    Optional<float[]> fetch(long taskId, int round, byte[] modelRoot) {
        String prefix = Keys.chunk(taskId, round, 0);
        prefix = prefix.substring(0, prefix.length() - 1);
        Map<Integer, byte[]> payloads = new HashMap<>();
        int chunkCount = -1;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(Topics.MODEL_CHUNKS.name(), Duration.ofSeconds(10))
                    .forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
                    String key = Topics.MODEL_CHUNKS.deserializeKey(rec.key());
                    if (key == null || !key.startsWith(prefix)) {
                        continue;
                    }
                    ModelChunk c = Topics.MODEL_CHUNKS.deserializeValue(rec.value());
                    byte[] payload = bytes(c.getPayload());
                    if (!Arrays.equals(bytes(c.getModelRoot()), modelRoot)) {
                        LOG.warn("models.chunks {}: modelRoot is not the one committed on home; skipped", key);
                        continue;
                    }
                    if (!chunkProves(c, payload, modelRoot, dimension)) {
                        LOG.warn("models.chunks {}: the proof does not lead to the modelRoot; skipped", key);
                        continue;
                    }
                    payloads.put(c.getChunkIndex(), payload);
                    chunkCount = c.getChunkCount();
                }
            }
        }
        if (chunkCount < 1 || payloads.size() < chunkCount) {
            return Optional.empty();
        }
        ByteBuffer all = ByteBuffer.allocate(dimension * Float.BYTES);
        for (int i = 0; i < chunkCount; i++) {
            byte[] p = payloads.get(i);
            if (p == null || p.length > all.remaining()) {
                return Optional.empty();
            }
            all.put(p);
        }
        if (all.hasRemaining()) {
            return Optional.empty();
        }
        float[] model = ModelFile.fromBytes(all.array());
        if (!Arrays.equals(ModelFile.root(model), modelRoot)) {
            LOG.warn("the chunks of task {} round {} do not assemble to the committed modelRoot", taskId, round);
            return Optional.empty();
        }
        return Optional.of(model);
    }

    /**
     * Whether a chunk's leaves (its float32 coordinates, 64 a leaf, the last one padded with +0.0f)
     * hash, with the chunk's proof, to {@code modelRoot} of a model of {@code dimension}
     * coordinates. The chunk's subtree has height {@code depth(model tree) - proof length}; a short
     * last chunk is padded with empty leaves up to that height.
     */
    static boolean chunkProves(ModelChunk c, byte[] payload, byte[] modelRoot, int dimension) {
        if (payload.length == 0 || payload.length % Float.BYTES != 0) {
            return false;
        }
        int leaves = ModelFile.leafCount(payload.length / Float.BYTES);
        List<ByteBuffer> proof = c.getProof();
        int height = MerkleTree.depthFor(ModelFile.leafCount(dimension)) - proof.size();
        if (height < MerkleTree.depthFor(leaves)) {
            return false;
        }
        byte[] leafBytes = Arrays.copyOf(payload, leaves * ModelFile.LEAF_BYTES);
        byte[] hashes = new byte[leaves * Sha256.HASH_BYTES];
        Sha256 sha = new Sha256();
        for (int i = 0; i < leaves; i++) {
            sha.leafHash(leafBytes, i * ModelFile.LEAF_BYTES, ModelFile.LEAF_BYTES, hashes, i * Sha256.HASH_BYTES);
        }
        byte[][] siblings = new byte[proof.size()][];
        for (int i = 0; i < siblings.length; i++) {
            siblings[i] = bytes(proof.get(i));
        }
        return MerkleTree.verify(MerkleTree.paddedRoot(hashes, leaves, height), c.getChunkIndex(), siblings, modelRoot);
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
