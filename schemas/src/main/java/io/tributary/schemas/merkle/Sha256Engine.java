package io.tributary.schemas.merkle;

/**
 * The ways this package can hash many Merkle leaves or nodes; both give the same bytes (SHA-256),
 * they differ only in speed (FORMAT.md, "Benchmark"). A third, SHA-256 compression in plain Java
 * without the digest's per-call overhead, was measured at 0.12-0.20x MESSAGE_DIGEST and dropped.
 */
public enum Sha256Engine {

    /** One {@code MessageDigest} call per message: the JDK's SHA-256 (SHA-NI where present). */
    MESSAGE_DIGEST,
    /**
     * Multi-buffer SHA-256 on the incubating Vector API: 16 (AVX-512) or 8 (AVX2) messages per
     * pass. Needs {@code --add-modules jdk.incubator.vector} and a species of at least 8 ints.
     */
    VECTOR;

    private static final boolean VECTOR_AVAILABLE = vectorAvailable();
    /**
     * Measured (FORMAT.md, "Benchmark"): 16 lanes beat the JDK's SHA-NI digest, 8 lanes did not
     * ({@code -XX:MaxVectorSize=32} on the same CPU), so only a 512-bit species makes VECTOR the default.
     */
    private static final Sha256Engine FASTEST = VECTOR_AVAILABLE && VectorBatch.LANES >= 16 ? VECTOR : MESSAGE_DIGEST;

    /** Whether this engine can run in this JVM (only {@link #VECTOR} may not). */
    public boolean isAvailable() {
        return this != VECTOR || VECTOR_AVAILABLE;
    }

    /** The default: {@link #VECTOR} where it runs 16 lanes (AVX-512), else {@link #MESSAGE_DIGEST}. */
    public static Sha256Engine fastest() {
        return FASTEST;
    }

    /**
     * Writes the leaf hashes {@code H(0x00 || leaf_i)} of {@code count} leaves of {@code leafLen}
     * bytes stored back to back from {@code off} to {@code out[outOff + 32 i, +32)}.
     */
    public void hashLeaves(byte[] data, int off, int count, int leafLen, byte[] out, int outOff) {
        if (count < 0 || off < 0 || leafLen < 0 || leafLen > Sha256Words.MAX_LEN
                || data.length - off < (long) count * leafLen) {
            throw new IllegalArgumentException(count + " leaves of " + leafLen + " bytes do not fit from offset " + off);
        }
        if (outOff < 0 || out.length - outOff < (long) count * Sha256.HASH_BYTES) {
            throw new IllegalArgumentException("no room for " + count + " hashes at " + outOff);
        }
        newBatch().hash(Sha256.LEAF_PREFIX, data, off, leafLen, leafLen, count, out, outOff);
    }

    /** A new, single-threaded hasher of this engine. */
    Sha256Batch newBatch() {
        switch (this) {
            case MESSAGE_DIGEST:
                return new MessageDigestBatch();
            case VECTOR:
                if (!VECTOR_AVAILABLE) {
                    throw new IllegalStateException("the Vector API engine needs --add-modules jdk.incubator.vector"
                            + " and a vector species of at least 8 ints");
                }
                // Fewer than one vector's worth of messages: the JDK's digest is the faster single hash.
                return new VectorBatch(MessageDigestBatch::new);
            default:
                throw new AssertionError(this);
        }
    }

    private static boolean vectorAvailable() {
        if (Boolean.getBoolean("tributary.sha256.noVector")
                || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            return VectorBatch.wideEnough();
        } catch (LinkageError e) {
            return false;
        }
    }
}
