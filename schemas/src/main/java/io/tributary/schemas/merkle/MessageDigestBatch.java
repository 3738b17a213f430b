package io.tributary.schemas.merkle;

/** {@link Sha256Batch} on the JDK's {@code MessageDigest} (SHA-NI where the CPU has it), one call per message. */
final class MessageDigestBatch implements Sha256Batch {

    private final Sha256 sha = new Sha256();

    @Override
    public void hash(byte prefix, byte[] src, int off, int len, int stride, int count, byte[] out, int outOff) {
        for (int i = 0; i < count; i++) {
            sha.hash(prefix, src, off + i * stride, len, out, outOff + i * Sha256.HASH_BYTES);
        }
    }
}
