package io.tributary.ingest.intake;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * EIP-712 building blocks: 32-byte ABI words, domain separators, the {@code \x19\x01} digest, and
 * 65-byte (r, s, v) signatures over a digest. The typed structs themselves are in
 * {@link TaskRequestDigest} and {@link PermitDigest}.
 */
public final class Eip712 {

    private static final byte[] DOMAIN_TYPEHASH = keccak(
            "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    private static final BigInteger HALF_N = Sign.CURVE_PARAMS.getN().shiftRight(1);

    private Eip712() {}

    /** keccak256 of a UTF-8 string (type strings, names). */
    public static byte[] keccak(String text) {
        return Hash.sha3(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The domain separator of an OpenZeppelin {@code EIP712(name, version)} contract. */
    public static byte[] domainSeparator(String name, String version, long chainId, String verifyingContract) {
        return Hash.sha3(concat(DOMAIN_TYPEHASH, keccak(name), keccak(version), word(BigInteger.valueOf(chainId)),
                address(verifyingContract)));
    }

    /** {@code keccak256("\x19\x01" || domainSeparator || structHash)}: what is signed. */
    public static byte[] digest(byte[] domainSeparator, byte[] structHash) {
        return Hash.sha3(concat(new byte[] {0x19, 0x01}, domainSeparator, structHash));
    }

    /** Signs a digest (no prefix added): 65 bytes r || s || v with v in {27, 28}. */
    public static byte[] sign(byte[] digest, Credentials key) {
        Sign.SignatureData s = Sign.signMessage(digest, key.getEcKeyPair(), false);
        return concat(s.getR(), s.getS(), s.getV());
    }

    /**
     * The address (lower-case 0x hex) that signed {@code digest}, or empty when the signature is not a
     * valid 65-byte signature with a low s (the rules of OpenZeppelin's {@code ECDSA.tryRecover}).
     */
    public static Optional<String> recover(byte[] digest, byte[] signature) {
        if (signature == null || signature.length != 65) {
            return Optional.empty();
        }
        byte[] r = Arrays.copyOfRange(signature, 0, 32);
        byte[] s = Arrays.copyOfRange(signature, 32, 64);
        int v = signature[64] & 0xff;
        if ((v != 27 && v != 28) || new BigInteger(1, s).compareTo(HALF_N) > 0) {
            return Optional.empty();
        }
        try {
            BigInteger publicKey = Sign.signedMessageHashToKey(digest, new Sign.SignatureData((byte) v, r, s));
            return Optional.of("0x" + Keys.getAddress(publicKey));
        } catch (java.security.SignatureException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A non-negative integer as one big-endian 32-byte word; fails above 2^256 - 1. */
    public static byte[] word(BigInteger value) {
        if (value.signum() < 0 || value.bitLength() > 256) {
            throw new IllegalArgumentException("not a uint256: " + value);
        }
        return Numeric.toBytesPadded(value, 32);
    }

    /** A signed integer as one two's-complement 32-byte word (int8 ... int256). */
    public static byte[] signedWord(long value) {
        byte[] out = new byte[32];
        Arrays.fill(out, value < 0 ? (byte) 0xff : 0);
        for (int i = 0; i < 8; i++) {
            out[31 - i] = (byte) (value >>> (8 * i));
        }
        return out;
    }

    /** An address as one 32-byte word. */
    public static byte[] address(String address) {
        byte[] raw = Numeric.hexStringToByteArray(address);
        if (raw.length != 20) {
            throw new IllegalArgumentException("not a 20-byte address: " + address);
        }
        byte[] out = new byte[32];
        System.arraycopy(raw, 0, out, 12, 20);
        return out;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
