package io.tributary.infra.bench;

import io.tributary.contracts.deploy.ChainContracts;
import io.tributary.contracts.tx.TransactionWriter;
import io.tributary.contracts.tx.TxWriteException;
import io.tributary.infra.devnet.DevnetInfo;
import io.tributary.schemas.Keys;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.UpdateChunk;
import io.tributary.trainer.LocalUpdate;
import io.tributary.trainer.UpdatePreparer;
import io.tributary.trainer.node.StoredUpdate;
import io.tributary.trainer.node.TaskSchedule;
import io.tributary.trainer.node.Web3jNodeChain;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;

/**
 * One benchmark worker: a dev key on one devnet chain, acting through the trainer's
 * {@link Web3jNodeChain} (register, commit, reveal on its own chain's WorkerHub). Its updates are
 * random deltas encoded by the trainer's {@link UpdatePreparer}, turned into the serialized
 * {@code updates.chunks} records before any timing starts.
 */
final class BenchWorker {

    private final DevnetInfo.Chain chain;
    private final Web3jNodeChain node;
    private final long seed;
    private final SecureRandom random = new SecureRandom();

    /** A round's update, ready to commit, reveal and produce. */
    record Update(int round, byte[] root, long weight, byte[] dataRoot, byte[] salt, List<ProducerRecord<byte[], byte[]>> records) {}

    private BenchWorker(DevnetInfo.Chain chain, Web3jNodeChain node, long seed) {
        this.chain = chain;
        this.node = node;
        this.seed = seed;
    }

    /** A worker with dev key {@code keyIndex} on {@code chain}; its writer keeps state in {@code stateDir}. */
    static BenchWorker open(DevnetInfo.Chain chain, Web3j own, Web3j home, ChainContracts homeContracts, int keyIndex,
                            Path stateDir, BigInteger maxFeeCapWei, List<AutoCloseable> resources)
            throws IOException, InterruptedException {
        Credentials key = Credentials.create(chain.devKeys().get(keyIndex).privateKey());
        TransactionWriter writer;
        try {
            writer = Web3jNodeChain.openWriter(own, key, chain.chainId(), stateDir, maxFeeCapWei);
        } catch (TxWriteException e) {
            throw new IOException("opening the writer of worker " + key.getAddress() + " on " + chain.name() + ": "
                    + e.getMessage(), e);
        }
        resources.add(writer);
        ChainContracts ownContracts = chain.contracts();
        Web3jNodeChain node = new Web3jNodeChain(own, home, writer, chain.role() == DevnetInfo.Role.HOME,
                new Web3jNodeChain.Addresses(ownContracts.workerHub(), ownContracts.rewardVault(), homeContracts.taskCoordinator(),
                        homeContracts.modelRegistry()));
        return new BenchWorker(chain, node, chain.chainId() * 31 + keyIndex);
    }

    DevnetInfo.Chain chain() {
        return chain;
    }

    Web3jNodeChain node() {
        return node;
    }

    /**
     * A random update of {@code task}'s dimension (L2 norm about half the clip bound), encoded and
     * serialized as this worker's chunk records of {@code round}.
     */
    Update prepare(TaskSchedule task, int round, int dimension, int chunkLeavesLog2, long weight) {
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003 + round);
        float[] delta = new float[dimension];
        double scale = task.l2Bound() / 2 / Math.sqrt(dimension);
        for (int i = 0; i < dimension; i++) {
            delta[i] = (float) (rnd.nextGaussian() * scale);
        }
        StoredUpdate update;
        try (UpdatePreparer preparer = new UpdatePreparer(task.wireParams(dimension, chunkLeavesLog2))) {
            update = StoredUpdate.of(preparer.prepare(new LocalUpdate(delta, weight),
                    UpdatePreparer.encodingSeed(seed, task.taskId(), round)).encoded());
        }
        int count = update.chunks().size();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            List<ByteBuffer> proof = new ArrayList<>();
            for (byte[] s : update.chunkProof(i, chunkLeavesLog2)) {
                proof.add(ByteBuffer.wrap(s));
            }
            UpdateChunk chunk = UpdateChunk.newBuilder()
                    .setTaskId(task.taskId()).setRound(round).setChainId(chain.chainId()).setWorker(node.worker())
                    .setChunkIndex(i).setChunkCount(count).setWeight(weight)
                    .setUpdateRoot(ByteBuffer.wrap(update.root())).setProof(proof)
                    .setPayload(ByteBuffer.wrap(update.chunks().get(i))).build();
            records.add(new ProducerRecord<>(Topics.UPDATE_CHUNKS.name(),
                    Topics.UPDATE_CHUNKS.serializeKey(Keys.chunk(task.taskId(), round, i)),
                    Topics.UPDATE_CHUNKS.serializeValue(chunk)));
        }
        byte[] salt = new byte[32];
        random.nextBytes(salt);
        byte[] dataRoot = new byte[32];
        random.nextBytes(dataRoot);
        return new Update(round, update.root(), weight, dataRoot, salt, List.copyOf(records));
    }

    /** Commits {@code u} on the worker's hub; returns the transaction hash. */
    String commit(long taskId, Update u) throws IOException, InterruptedException {
        byte[] commitment = node.commitmentOf(u.root(), u.weight(), u.dataRoot(), u.salt());
        return node.commit(taskId, u.round(), commitment);
    }

    /** Reveals {@code u}; returns the transaction hash. */
    String reveal(long taskId, Update u) throws IOException, InterruptedException {
        return node.reveal(taskId, u.round(), u.root(), u.weight(), u.dataRoot(), u.salt());
    }
}
