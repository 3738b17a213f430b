package io.tributary.schemas.bench;

import io.tributary.schemas.merkle.MerkleTree;
import io.tributary.schemas.merkle.Sha256Engine;
import io.tributary.schemas.tensor.ChunkAccumulator;
import io.tributary.schemas.tensor.ChunkDecoder;
import io.tributary.schemas.tensor.ChunkRejectedException;
import io.tributary.schemas.tensor.DecodedChunk;
import io.tributary.schemas.tensor.EncodedUpdate;
import io.tributary.schemas.tensor.TensorEncoder;
import io.tributary.schemas.tensor.WireParams;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The codec's throughput against its memory-bound baselines, measured in the same run
 * ({@link CodecBench} turns the scores into rates and ratios). Every benchmark reports operations
 * per second; what one operation is, is said on each method.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.SECONDS)
public class CodecBenchmarks {

    /** Task parameters of the benchmark: typical update magnitudes, 2^10 leaves per chunk. */
    static WireParams params(int coords, int updates) {
        return WireParams.builder()
                .dimension(coords)
                .exponentRange(-24, -6)
                .l2Bound(1.0)
                .maxWeight(1 << 16)
                .maxContributors(Math.max(updates, 1))
                .build();
    }

    /** A clipped-scale update: Gaussian coordinates with an L2 norm near 1. */
    static float[] update(SplittableRandom rnd, int coords) {
        float[] x = new float[coords];
        double sigma = 1.0 / Math.sqrt(coords);
        for (int i = 0; i < coords; i++) {
            x[i] = (float) (gaussian(rnd) * sigma);
        }
        return x;
    }

    private static double gaussian(SplittableRandom rnd) {
        // Sum of uniforms: fast, bell-shaped, bounded; the benchmark only needs realistic magnitudes.
        return (rnd.nextDouble() + rnd.nextDouble() + rnd.nextDouble() + rnd.nextDouble() - 2.0) * 1.7;
    }

    /** Weights 1..16 ("samples" per worker). */
    static long weight(int u) {
        return 1 + (u * 7L) % 16;
    }

    /** One plain byte[] for the memory-read baseline. */
    @State(Scope.Benchmark)
    public static class MemoryState {
        @Param("268435456")
        public int memBytes;
        byte[] bytes;

        @Setup(Level.Trial)
        public void setUp() {
            bytes = new byte[memBytes];
            new SplittableRandom(1).nextBytes(bytes);
        }
    }

    /** N float updates of P coordinates and the float accumulator. */
    @State(Scope.Benchmark)
    public static class FloatState {
        @Param("1000000")
        public int coords;
        @Param("100")
        public int updates;
        float[][] x;
        float[] weights;
        float[] acc;

        @Setup(Level.Trial)
        public void setUp() {
            SplittableRandom rnd = new SplittableRandom(2);
            x = new float[updates][];
            weights = new float[updates];
            long total = 0;
            for (int u = 0; u < updates; u++) {
                x[u] = update(rnd, coords);
                total += weight(u);
            }
            for (int u = 0; u < updates; u++) {
                weights[u] = (float) weight(u) / total;
            }
            acc = new float[coords];
        }
    }

    /** The same N x P, encoded as chunks (Arrow IPC bytes). */
    @State(Scope.Benchmark)
    public static class ChunkState {
        @Param("1000000")
        public int coords;
        @Param("100")
        public int updates;
        WireParams params;
        ChunkDecoder decoder;
        /** chunks[c][u]: chunk c of update u. */
        byte[][][] chunks;
        long[] weights;

        @Setup(Level.Trial)
        public void setUp() {
            params = params(coords, updates);
            decoder = new ChunkDecoder(params);
            SplittableRandom rnd = new SplittableRandom(2);
            chunks = new byte[params.chunkCount()][updates][];
            weights = new long[updates];
            try (TensorEncoder encoder = new TensorEncoder(params)) {
                for (int u = 0; u < updates; u++) {
                    EncodedUpdate e = encoder.encode(update(rnd, coords), u);
                    for (int c = 0; c < params.chunkCount(); c++) {
                        chunks[c][u] = e.chunks().get(c);
                    }
                    weights[u] = weight(u);
                }
            }
        }
    }

    /** One update to encode, and its leaves for hashing. */
    @State(Scope.Benchmark)
    public static class EncodeState {
        @Param("1000000")
        public int coords;
        WireParams params;
        TensorEncoder encoder;
        float[] x;
        byte[] leafBytes;

        @Setup(Level.Trial)
        public void setUp() {
            params = params(coords, 1);
            encoder = new TensorEncoder(params);
            x = update(new SplittableRandom(3), coords);
            leafBytes = encoder.encode(x, 1).leafBytes();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            encoder.close();
        }
    }

    /**
     * One operation: a sequential (wrapping) sum over {@code memBytes} bytes, a full vector per
     * load so it runs at memory speed (C2 on Java 17 does not vectorize a plain byte-sum loop).
     */
    @Benchmark
    public int memoryRead(MemoryState s) {
        byte[] b = s.bytes;
        VectorSpecies<Byte> species = ByteVector.SPECIES_PREFERRED;
        ByteVector acc0 = ByteVector.zero(species);
        ByteVector acc1 = ByteVector.zero(species);
        int step = species.length();
        int i = 0;
        for (int upper = b.length - 2 * step; i <= upper; i += 2 * step) {
            acc0 = acc0.add(ByteVector.fromArray(species, b, i));
            acc1 = acc1.add(ByteVector.fromArray(species, b, i + step));
        }
        int sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < b.length; i++) {
            sum += b[i];
        }
        return sum;
    }

    /** One operation: {@code acc += w_u * x_u} over all N updates of P floats, update by update. */
    @Benchmark
    public float[] floatLoop(FloatState s) {
        float[] acc = s.acc;
        java.util.Arrays.fill(acc, 0f);
        for (int u = 0; u < s.updates; u++) {
            float w = s.weights[u];
            float[] x = s.x[u];
            for (int i = 0; i < acc.length; i++) {
                acc[i] += w * x[i];
            }
        }
        return acc;
    }

    /**
     * One operation: decode (framing and headers, in place) and exactly accumulate all N updates
     * of P coordinates, chunk by chunk; exponents and padding are checked by the accumulator tile
     * by tile. Leaf hashes are not verified here (that is admission, measured by merkle).
     */
    @Benchmark
    public long accumulate(ChunkState s) throws ChunkRejectedException {
        long check = 0;
        for (int c = 0; c < s.chunks.length; c++) {
            List<DecodedChunk> decoded = new ArrayList<>(s.updates);
            for (int u = 0; u < s.updates; u++) {
                decoded.add(s.decoder.decode(s.chunks[c][u], ChunkDecoder.Verification.FRAMING));
            }
            ChunkAccumulator acc = new ChunkAccumulator(s.params, c);
            acc.addAll(decoded, s.weights);
            check += acc.totalWeight();
        }
        return check;
    }

    /** One operation: encode one update of P coordinates (clip, quantize, hash, write the Arrow chunks). */
    @Benchmark
    public EncodedUpdate encode(EncodeState s) {
        return s.encoder.encode(s.x, 7);
    }

    /**
     * One operation: hash every leaf of one update and build its Merkle tree, on one thread, with
     * the default engine ({@link Sha256Engine#fastest()}).
     */
    @Benchmark
    public byte[] merkle(EncodeState s) {
        byte[] leaves = s.leafBytes;
        return MerkleTree.ofLeafBytes(leaves, 0, leaves.length / WireParams.LEAF_BYTES, WireParams.LEAF_BYTES, false)
                .root();
    }

    /** The same on the common fork-join pool (all cores). */
    @Benchmark
    public byte[] merkleParallel(EncodeState s) {
        byte[] leaves = s.leafBytes;
        return MerkleTree.ofLeafBytes(leaves, 0, leaves.length / WireParams.LEAF_BYTES, WireParams.LEAF_BYTES, true)
                .root();
    }

    /** In-run baseline of {@link #merkle}: one {@code MessageDigest} call per leaf and node, one thread. */
    @Benchmark
    public byte[] merkleMessageDigest(EncodeState s) {
        byte[] leaves = s.leafBytes;
        return MerkleTree.ofLeafBytes(leaves, 0, leaves.length / WireParams.LEAF_BYTES, WireParams.LEAF_BYTES, false,
                Sha256Engine.MESSAGE_DIGEST).root();
    }

    /** In-run baseline of {@link #merkleParallel}: {@code MessageDigest} on all cores. */
    @Benchmark
    public byte[] merkleMessageDigestParallel(EncodeState s) {
        byte[] leaves = s.leafBytes;
        return MerkleTree.ofLeafBytes(leaves, 0, leaves.length / WireParams.LEAF_BYTES, WireParams.LEAF_BYTES, true,
                Sha256Engine.MESSAGE_DIGEST).root();
    }
}
