package io.tributary.schemas.merkle;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * SHA-256 (FIPS 180-4) constants and message padding for the batch engines. Messages here are always {@code prefix || src[base, base + len)}: one prefix
 * byte (the Merkle domain tag) followed by {@code len} bytes.
 */
final class Sha256Words {

    static final int[] K = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    };

    static final int[] IV = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };

    /** Big-endian int view of a byte[] (one load and a byte swap once compiled). */
    static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    /** Longest {@code len} supported: the bit length of the message must fit in 32 bits. */
    static final int MAX_LEN = (1 << 28) - 2;

    private Sha256Words() {}

    /** Number of 64-byte blocks of the padded message {@code prefix || len bytes}. */
    static int blocks(int len) {
        return (len + 1 + 8) / 64 + 1;
    }

    /**
     * Number of leading words that depend on the message bytes; the words after them (the 0x80
     * marker, zeros and the bit length) are the same for every message of this length.
     */
    static int variableWords(int len) {
        return (len + 1 + 3) / 4;
    }

    /** Words 1 to {@code insideWords(len) - 1} lie wholly inside the message bytes (after the prefix). */
    static int insideWords(int len) {
        return len < 3 ? 1 : (len - 3) / 4 + 1;
    }

    /**
     * The last variable word when it is not inside the message ({@code len % 4 != 3}): the last
     * 1 to 3 message bytes, the 0x80 marker, then zeros.
     */
    static int lastWord(byte[] src, int base, int len) {
        int p = len & ~3; // position of the word's first byte (the prefix shifts positions by one)
        int v = 0;
        for (int q = p; q <= len; q++) {
            v = v << 8 | (src[base + q - 1] & 0xff);
        }
        v = v << 8 | 0x80;
        return v << (8 * (2 - (len - p)));
    }

    /** Byte {@code p} of the padded message (for any p < 64 * blocks(len)). */
    static int paddedByte(byte prefix, byte[] src, int base, int len, int p) {
        if (p == 0) {
            return prefix & 0xff;
        }
        if (p <= len) {
            return src[base + p - 1] & 0xff;
        }
        if (p == len + 1) {
            return 0x80;
        }
        int end = 64 * blocks(len);
        if (p >= end - 4) { // the low half of the 64-bit bit length; the high half is 0 (len <= MAX_LEN)
            return (int) ((8L * (len + 1)) >>> (8 * (end - 1 - p))) & 0xff;
        }
        return 0;
    }

    /** Word {@code t} of the padded message, big-endian. */
    static int word(byte prefix, byte[] src, int base, int len, int t) {
        int p = 4 * t;
        if (t > 0 && p + 3 <= len) {
            return (int) INT_BE.get(src, base + p - 1);
        }
        return paddedByte(prefix, src, base, len, p) << 24
                | paddedByte(prefix, src, base, len, p + 1) << 16
                | paddedByte(prefix, src, base, len, p + 2) << 8
                | paddedByte(prefix, src, base, len, p + 3);
    }
}
