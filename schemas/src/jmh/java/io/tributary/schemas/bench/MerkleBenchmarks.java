package io.tributary.schemas.bench;

import io.tributary.schemas.merkle.MerkleTree;
import io.tributary.schemas.merkle.Sha256Engine;
import io.tributary.schemas.tensor.WireParams;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Merkle tree of one update's leaves (66-byte leaves, FORMAT.md) with each {@link Sha256Engine},
 * on one thread and on all cores, in the same run, so that the engines compare as ratios
 * ({@link MerkleBench} turns the scores into GB/s of leaf bytes). One operation: hash all leaves
 * and build the tree.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.SECONDS)
public class MerkleBenchmarks {

    @State(Scope.Benchmark)
    public static class Leaves {
        @Param({"MESSAGE_DIGEST", "VECTOR"})
        public Sha256Engine engine;
        @Param("15625")
        public int leaves;
        byte[] bytes;

        @Setup(Level.Trial)
        public void setUp() {
            if (!engine.isAvailable()) {
                throw new IllegalStateException(engine + " is not available in this JVM");
            }
            bytes = new byte[leaves * WireParams.LEAF_BYTES];
            new SplittableRandom(4).nextBytes(bytes);
        }
    }

    @Benchmark
    public byte[] oneThread(Leaves s) {
        return MerkleTree.ofLeafBytes(s.bytes, 0, s.leaves, WireParams.LEAF_BYTES, false, s.engine).root();
    }

    @Benchmark
    public byte[] allCores(Leaves s) {
        return MerkleTree.ofLeafBytes(s.bytes, 0, s.leaves, WireParams.LEAF_BYTES, true, s.engine).root();
    }
}
