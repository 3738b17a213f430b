package io.tributary.schemas.merkle;

/**
 * Hashes many equal-length messages {@code prefix || src[off + i * stride, +len)}, one 32-byte
 * digest per message written to {@code out[outOff + 32 * i, +32)}. Instances are not thread-safe.
 */
interface Sha256Batch {

    void hash(byte prefix, byte[] src, int off, int len, int stride, int count, byte[] out, int outOff);
}
