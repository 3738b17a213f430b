package io.tributary.schemas.merkle;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The two domain-separated SHA-256 hashes of the Merkle scheme (FORMAT.md, "Merkle tree"):
 * {@code leaf = H(0x00 || leafBytes)} and {@code node = H(0x01 || left || right)}.
 *
 * <p>An instance wraps one {@link MessageDigest} and is therefore not thread-safe; it is cheap to
 * create one per thread or per tree. The JDK's SHA-256 uses the CPU's SHA extensions where present.
 * Trees hash their leaves and levels in batches with a {@link Sha256Engine} instead.
 */
public final class Sha256 {

    /** Length of every hash, in bytes. */
    public static final int HASH_BYTES = 32;
    static final byte LEAF_PREFIX = 0x00;
    static final byte NODE_PREFIX = 0x01;

    private final MessageDigest digest;
    /** Prefix and input copied together, so each hash is one update call (fewer digest overheads). */
    private byte[] scratch = new byte[1 + 2 * HASH_BYTES + 8];

    public Sha256() {
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }

    /** Writes {@code H(0x00 || buf[off, off+len))} to {@code out[outOff, outOff+32)}. */
    public void leafHash(byte[] buf, int off, int len, byte[] out, int outOff) {
        hash(LEAF_PREFIX, buf, off, len, out, outOff);
    }

    /** Writes {@code H(prefix || buf[off, off+len))} to {@code out[outOff, outOff+32)}. */
    void hash(byte prefix, byte[] buf, int off, int len, byte[] out, int outOff) {
        if (scratch.length < len + 1) {
            scratch = new byte[len + 1];
        }
        scratch[0] = prefix;
        System.arraycopy(buf, off, scratch, 1, len);
        digest.update(scratch, 0, len + 1);
        finish(out, outOff);
    }

    /** {@code H(0x00 || leafBytes)}. */
    public byte[] leafHash(byte[] leafBytes) {
        byte[] out = new byte[HASH_BYTES];
        leafHash(leafBytes, 0, leafBytes.length, out, 0);
        return out;
    }

    /** Writes {@code H(0x01 || a[aOff,+32) || b[bOff,+32))} to {@code out[outOff, outOff+32)}. */
    public void nodeHash(byte[] a, int aOff, byte[] b, int bOff, byte[] out, int outOff) {
        byte[] s = scratch;
        s[0] = NODE_PREFIX;
        System.arraycopy(a, aOff, s, 1, HASH_BYTES);
        System.arraycopy(b, bOff, s, 1 + HASH_BYTES, HASH_BYTES);
        digest.update(s, 0, 1 + 2 * HASH_BYTES);
        finish(out, outOff);
    }

    /** {@code H(0x01 || left || right)}. */
    public byte[] nodeHash(byte[] left, byte[] right) {
        byte[] out = new byte[HASH_BYTES];
        nodeHash(left, 0, right, 0, out, 0);
        return out;
    }

    private void finish(byte[] out, int outOff) {
        try {
            digest.digest(out, outOff, HASH_BYTES);
        } catch (DigestException e) {
            throw new IllegalArgumentException("output has no room for a 32-byte hash at " + outOff, e);
        }
    }
}
