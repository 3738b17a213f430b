package io.tributary.schemas.merkle;

import java.nio.ByteOrder;
import java.util.function.Supplier;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Multi-buffer SHA-256 on the Vector API: {@code LANES} independent messages of the same length
 * are hashed at once, lane i carrying message i (its words are transposed so that word t of all
 * messages is one vector). Whatever is left over (fewer than {@code LANES} messages) goes to the
 * fallback made by the constructor's factory (the JDK's digest: faster than a scalar Java SHA-256 here).
 *
 * <p>The words are moved into lanes with vectors too: each message's words are loaded big-endian
 * a vector at a time, then gathered word by word; the hashes go out through a scatter and
 * big-endian vector stores. The 64 rounds are ordered so that the e-to-e dependency holds two
 * additions after Ch and Sigma1 (they are latency-bound otherwise); C2 turns the logic into
 * {@code vpternlogd} and the rotations into {@code vprord} on AVX-512.
 *
 * <p>Only load this class after {@link Sha256Engine} has checked that the incubator module is
 * present; it uses the widest species the CPU offers and needs at least 8 lanes.
 */
final class VectorBatch implements Sha256Batch {

    static final VectorSpecies<Integer> SPECIES = IntVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();

    private final Supplier<Sha256Batch> remainderFactory;
    /** Created on first use: most calls of a big tree have no remainder. */
    private Sha256Batch remainder;
    /** Message words of one batch: word t of lane j at {@code t * LANES + j}, all blocks. */
    private int[] words = new int[0];
    /** Message schedule of one block: W[t] of lane j at {@code t * LANES + j}. */
    private final int[] w = new int[64 * LANES];
    private final int[] state = new int[8 * LANES];
    /** Row j: words of message j of a batch, before the transposition (see {@link #loadRow}). */
    private int[] rows = new int[0];
    private int[] rowMapCache = new int[LANES];
    private int rowMapLength = -1;
    /** The batch's hashes as words in output order: word k of lane j at {@code 8 * j + k}. */
    private final int[] hashes = new int[8 * LANES];
    /** Scatter map of state word k (a vector over lanes) into {@link #hashes}. */
    private static final int[] HASH_ROWS = rowStarts(8);

    private final int minMessages;

    VectorBatch(Supplier<Sha256Batch> remainder) {
        this(remainder, MIN_MESSAGES);
    }

    /** With {@code minMessages = 0}, every full vector of messages is hashed in lanes (tests). */
    VectorBatch(Supplier<Sha256Batch> remainder, int minMessages) {
        this.remainderFactory = remainder;
        this.minMessages = minMessages;
    }

    private static int[] rowStarts(int rowLength) {
        int[] map = new int[LANES];
        for (int j = 0; j < LANES; j++) {
            map[j] = j * rowLength;
        }
        return map;
    }

    /** Whether this JVM offers a species wide enough to be worth it (at least 8 int lanes). */
    static boolean wideEnough() {
        return LANES >= 8;
    }

    /**
     * Calls with fewer messages go wholly to the fallback. Until C2 has compiled it, Vector API code
     * runs 10-100x slower than the JDK's digest (fresh JVM, one thread: a first tree of 1,000
     * leaves took ~530 ms against ~53 ms, and still ~75 ms against ~2-6 ms at the sixth tree; a
     * first tree of 15,625 leaves ~1.6 s against ~0.2 s, then par from the fourth). Small trees
     * and levels stay on the digest, so only big levels pay that warm-up, once per JVM. Equal to
     * MerkleTree's parallel slice, so that full slices of a big level run in lanes.
     */
    static final int MIN_MESSAGES = 1024;

    @Override
    public void hash(byte prefix, byte[] src, int off, int len, int stride, int count, byte[] out, int outOff) {
        int full = count < minMessages ? 0 : count - count % LANES;
        if (full > 0) {
            int blocks = Sha256Words.blocks(len);
            int variable = Sha256Words.variableWords(len);
            int fast = Sha256Words.insideWords(len);
            int[] m = messageWords(prefix, src, off, len, blocks);
            // Words 0..gathered-1 are the prefix and message bytes only: each lane's are loaded
            // with whole vectors, then transposed with one gather per word.
            int gathered = len >= 3 ? fast : 0;
            int rowLength = LANES * ((gathered + LANES - 1) / LANES);
            int[] rowMap = rowMap(rowLength);
            for (int i = 0; i < full; i += LANES) {
                for (int j = 0; j < LANES && gathered > 0; j++) {
                    loadRow(src, off + (i + j) * stride, gathered, rowLength, j * rowLength);
                }
                for (int t = 0; t < gathered; t++) {
                    IntVector v = IntVector.fromArray(SPECIES, rows, t, rowMap, 0);
                    if (t == 0) { // the byte before the message becomes the prefix
                        v = v.lanewise(VectorOperators.AND, 0x00ffffff).lanewise(VectorOperators.OR, (prefix & 0xff) << 24);
                    }
                    v.intoArray(m, t * LANES);
                }
                if (gathered > 0 && variable == gathered + 1) {
                    // The one word holding the last message bytes and the 0x80 marker.
                    for (int j = 0, base = off + i * stride; j < LANES; j++, base += stride) {
                        m[gathered * LANES + j] = Sha256Words.lastWord(src, base, len);
                    }
                } else {
                    for (int j = 0; j < LANES; j++) {
                        int base = off + (i + j) * stride;
                        for (int t = gathered; t < variable; t++) {
                            m[t * LANES + j] = Sha256Words.word(prefix, src, base, len, t);
                        }
                    }
                }
                hashBatch(m, blocks);
                writeHashes(out, outOff + i * Sha256.HASH_BYTES);
            }
        }
        if (full < count) {
            if (remainder == null) {
                remainder = remainderFactory.get();
            }
            remainder.hash(prefix, src, off + full * stride, len, stride, count - full, out,
                    outOff + full * Sha256.HASH_BYTES);
        }
    }

    /**
     * Puts words 0..words-1 of the message at {@code base} (word 0 still holding the byte before
     * the message in place of the prefix) at {@code rows[row, row + words)}.
     */
    private void loadRow(byte[] src, int base, int words, int rowLength, int row) {
        int[] r = rows;
        if (base >= 1 && base - 1 + 4 * rowLength <= src.length) {
            for (int c = 0; c < rowLength; c += LANES) {
                IntVector.fromByteArray(SPECIES, src, base - 1 + 4 * c, ByteOrder.BIG_ENDIAN).intoArray(r, row + c);
            }
        } else { // at the edges of src: word by word
            for (int t = 1; t < words; t++) {
                r[row + t] = (int) Sha256Words.INT_BE.get(src, base + 4 * t - 1);
            }
            r[row] = (src[base] & 0xff) << 16 | (src[base + 1] & 0xff) << 8 | (src[base + 2] & 0xff);
        }
    }

    /** Gather map of word t across the rows of {@link #rows}: row j starts at {@code j * rowLength}. */
    private int[] rowMap(int rowLength) {
        if (rows.length < LANES * rowLength) {
            rows = new int[LANES * rowLength];
        }
        if (rowMapLength != rowLength) {
            rowMapCache = rowStarts(rowLength);
            rowMapLength = rowLength;
        }
        return rowMapCache;
    }

    /**
     * Writes the batch's LANES hashes back to back from {@code o}: the state words are scattered
     * into hash order, then stored big-endian a vector (two hashes with 16 lanes) at a time.
     */
    private void writeHashes(byte[] out, int o) {
        int[] st = state;
        int[] h = hashes;
        for (int k = 0; k < 8; k++) {
            IntVector.fromArray(SPECIES, st, k * LANES).intoArray(h, k, HASH_ROWS, 0);
        }
        for (int q = 0; q < 8; q++) {
            IntVector.fromArray(SPECIES, h, q * LANES).intoByteArray(out, o + 4 * q * LANES, ByteOrder.BIG_ENDIAN);
        }
    }

    /** Transposed message words of one batch, with the constant tail (same in every lane) filled in. */
    private int[] messageWords(byte prefix, byte[] src, int off, int len, int blocks) {
        if (words.length < 16 * blocks * LANES) {
            words = new int[16 * blocks * LANES];
        }
        for (int t = Sha256Words.variableWords(len); t < 16 * blocks; t++) {
            int v = Sha256Words.word(prefix, src, off, len, t);
            for (int j = 0; j < LANES; j++) {
                words[t * LANES + j] = v;
            }
        }
        return words;
    }

    /** Hashes the LANES messages of {@code m} ({@code blocks} blocks each) into {@link #state}. */
    private void hashBatch(int[] m, int blocks) {
        int[] st = state;
        for (int k = 0; k < 8; k++) {
            IntVector.broadcast(SPECIES, Sha256Words.IV[k]).intoArray(st, k * LANES);
        }
        for (int b = 0; b < blocks; b++) {
            System.arraycopy(m, 16 * LANES * b, w, 0, 16 * LANES);
            compress();
        }
    }

    /** One block in every lane: expands {@link #w} and adds the 64 rounds into {@link #state}. */
    private void compress() {
        int[] w = this.w;
        for (int t = 16; t < 64; t++) {
            IntVector x = IntVector.fromArray(SPECIES, w, (t - 15) * LANES);
            IntVector y = IntVector.fromArray(SPECIES, w, (t - 2) * LANES);
            IntVector s0 = x.lanewise(VectorOperators.ROR, 7)
                    .lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.ROR, 18))
                    .lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 3));
            IntVector s1 = y.lanewise(VectorOperators.ROR, 17)
                    .lanewise(VectorOperators.XOR, y.lanewise(VectorOperators.ROR, 19))
                    .lanewise(VectorOperators.XOR, y.lanewise(VectorOperators.LSHR, 10));
            IntVector.fromArray(SPECIES, w, (t - 16) * LANES)
                    .add(s0)
                    .add(IntVector.fromArray(SPECIES, w, (t - 7) * LANES))
                    .add(s1)
                    .intoArray(w, t * LANES);
        }
        int[] st = state;
        IntVector a = IntVector.fromArray(SPECIES, st, 0);
        IntVector b = IntVector.fromArray(SPECIES, st, LANES);
        IntVector c = IntVector.fromArray(SPECIES, st, 2 * LANES);
        IntVector d = IntVector.fromArray(SPECIES, st, 3 * LANES);
        IntVector e = IntVector.fromArray(SPECIES, st, 4 * LANES);
        IntVector f = IntVector.fromArray(SPECIES, st, 5 * LANES);
        IntVector g = IntVector.fromArray(SPECIES, st, 6 * LANES);
        IntVector h = IntVector.fromArray(SPECIES, st, 7 * LANES);
        IntVector bc = b.lanewise(VectorOperators.XOR, c);
        for (int t = 0; t < 64; t++) {
            IntVector s1 = e.lanewise(VectorOperators.ROR, 6)
                    .lanewise(VectorOperators.XOR, e.lanewise(VectorOperators.ROR, 11))
                    .lanewise(VectorOperators.XOR, e.lanewise(VectorOperators.ROR, 25));
            IntVector ch = g.lanewise(VectorOperators.XOR, e.lanewise(VectorOperators.AND,
                    f.lanewise(VectorOperators.XOR, g)));
            // h + K + W does not depend on e: adding it first leaves two additions after Ch and
            // Sigma1 on the e -> e chain (the rounds are latency-bound otherwise).
            IntVector t1 = h.add(IntVector.fromArray(SPECIES, w, t * LANES).add(Sha256Words.K[t])).add(ch).add(s1);
            IntVector s0 = a.lanewise(VectorOperators.ROR, 2)
                    .lanewise(VectorOperators.XOR, a.lanewise(VectorOperators.ROR, 13))
                    .lanewise(VectorOperators.XOR, a.lanewise(VectorOperators.ROR, 22));
            // Maj(a, b, c) = b ^ ((a ^ b) & (b ^ c)); this round's a ^ b is the next round's b ^ c.
            IntVector ab = a.lanewise(VectorOperators.XOR, b);
            IntVector maj = b.lanewise(VectorOperators.XOR, ab.lanewise(VectorOperators.AND, bc));
            bc = ab;
            h = g;
            g = f;
            f = e;
            e = d.add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.add(s0.add(maj));
        }
        a.add(IntVector.fromArray(SPECIES, st, 0)).intoArray(st, 0);
        b.add(IntVector.fromArray(SPECIES, st, LANES)).intoArray(st, LANES);
        c.add(IntVector.fromArray(SPECIES, st, 2 * LANES)).intoArray(st, 2 * LANES);
        d.add(IntVector.fromArray(SPECIES, st, 3 * LANES)).intoArray(st, 3 * LANES);
        e.add(IntVector.fromArray(SPECIES, st, 4 * LANES)).intoArray(st, 4 * LANES);
        f.add(IntVector.fromArray(SPECIES, st, 5 * LANES)).intoArray(st, 5 * LANES);
        g.add(IntVector.fromArray(SPECIES, st, 6 * LANES)).intoArray(st, 6 * LANES);
        h.add(IntVector.fromArray(SPECIES, st, 7 * LANES)).intoArray(st, 7 * LANES);
    }
}
