package io.tributary.schemas.merkle;

/**
 * {@link Sha256Batch} in plain Java (JIT-compiled, no intrinsic): the padding words that do not
 * depend on the message are computed once per call, and no digest object is involved.
 */
final class ScalarBatch implements Sha256Batch {

    private final int[] state = new int[8];
    private final int[] w = new int[64];
    private int[] words = new int[0];

    @Override
    public void hash(byte prefix, byte[] src, int off, int len, int stride, int count, byte[] out, int outOff) {
        if (count <= 0) {
            return;
        }
        int blocks = Sha256Words.blocks(len);
        int variable = Sha256Words.variableWords(len);
        int[] m = messageWords(prefix, src, off, len, blocks);
        int[] st = state;
        for (int i = 0; i < count; i++) {
            int base = off + i * stride;
            for (int t = 0; t < variable; t++) {
                m[t] = Sha256Words.word(prefix, src, base, len, t);
            }
            System.arraycopy(Sha256Words.IV, 0, st, 0, 8);
            for (int b = 0; b < blocks; b++) {
                System.arraycopy(m, 16 * b, w, 0, 16);
                Sha256Words.compress(st, w);
            }
            int o = outOff + i * Sha256.HASH_BYTES;
            for (int k = 0; k < 8; k++) {
                Sha256Words.INT_BE.set(out, o + 4 * k, st[k]);
            }
        }
    }

    /** The padded message's words, with the constant tail filled in for this length. */
    private int[] messageWords(byte prefix, byte[] src, int off, int len, int blocks) {
        if (words.length < 16 * blocks) {
            words = new int[16 * blocks];
        }
        for (int t = Sha256Words.variableWords(len); t < 16 * blocks; t++) {
            words[t] = Sha256Words.word(prefix, src, off, len, t);
        }
        return words;
    }
}
