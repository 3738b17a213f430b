package io.tributary.contracts.gateway;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * The bytes guardians sign for the project's Gateway (contracts/GATEWAY.md): the EIP-712 approval
 * digest of one cross-chain call, the guardian-rotation digest, the command id of a source event,
 * and signature sets in the order the Gateway accepts (strictly ascending signer address).
 */
public final class GatewayApprovals {

    static final byte[] DOMAIN_TYPEHASH = keccak(
            "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    static final byte[] APPROVAL_TYPEHASH = keccak("ContractCallApproval(bytes32 commandId,string sourceChain,"
            + "string sourceAddress,string destinationChain,address destinationAddress,bytes32 payloadHash)");
    static final byte[] ROTATION_TYPEHASH =
            keccak("GuardianRotation(address[] newGuardians,uint256 newThreshold,uint256 epoch)");
    private static final byte[] NAME_HASH = keccak("Tributary Gateway");
    private static final byte[] VERSION_HASH = keccak("1");

    private GatewayApprovals() {}

    /** One call to approve on a destination gateway, as the Gateway's approval type names it. */
    public record Approval(byte[] commandId, String sourceChain, String sourceAddress, String destinationChain,
            String destinationAddress, byte[] payloadHash) {
        public Approval {
            requireWord(commandId, "commandId");
            requireWord(payloadHash, "payloadHash");
            Objects.requireNonNull(sourceChain, "sourceChain");
            Objects.requireNonNull(sourceAddress, "sourceAddress");
            Objects.requireNonNull(destinationChain, "destinationChain");
            Objects.requireNonNull(destinationAddress, "destinationAddress");
        }
    }

    /** A destination gateway: its chain id and address bind every signature to it. */
    public record Domain(long chainId, String gatewayAddress) {
        public Domain {
            Objects.requireNonNull(gatewayAddress, "gatewayAddress");
        }

        /** EIP-712 domain separator of the gateway. */
        public byte[] separator() {
            return keccak(concat(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, uint(BigInteger.valueOf(chainId)),
                    address(gatewayAddress)));
        }
    }

    /** The EIP-712 digest a guardian signs to approve {@code approval} on {@code domain}'s gateway. */
    public static byte[] approvalDigest(Domain domain, Approval approval) {
        byte[] structHash = keccak(concat(APPROVAL_TYPEHASH, approval.commandId(),
                keccak(approval.sourceChain()), keccak(approval.sourceAddress()),
                keccak(approval.destinationChain()), address(approval.destinationAddress()),
                approval.payloadHash()));
        return typedDataDigest(domain, structHash);
    }

    /** The EIP-712 digest the current guardians (of {@code epoch}) sign to install a new set. */
    public static byte[] rotationDigest(Domain domain, List<String> newGuardians, int newThreshold, long epoch) {
        byte[][] members = newGuardians.stream().map(GatewayApprovals::address).toArray(byte[][]::new);
        byte[] structHash = keccak(concat(ROTATION_TYPEHASH, keccak(concat(members)),
                uint(BigInteger.valueOf(newThreshold)), uint(BigInteger.valueOf(epoch))));
        return typedDataDigest(domain, structHash);
    }

    /**
     * The command id of a source event (Axelar Amplifier's convention, GATEWAY.md "Command ids"):
     * keccak256(sourceChain + "_" + "0x" + lowercase tx hash + "-" + log index).
     */
    public static byte[] commandId(String sourceChain, String txHash, int logIndex) {
        String hex = Numeric.cleanHexPrefix(txHash).toLowerCase(java.util.Locale.ROOT);
        return keccak(sourceChain + "_0x" + hex + "-" + logIndex);
    }

    /** A 65-byte signature (r ‖ s ‖ v, v ∈ {27, 28}) of the digest as is, with no message prefix. */
    public static byte[] sign(byte[] digest, Credentials guardian) {
        requireWord(digest, "digest");
        Sign.SignatureData sig = Sign.signMessage(digest, guardian.getEcKeyPair(), false);
        return concat(sig.getR(), sig.getS(), sig.getV());
    }

    /** The address that signed {@code digest}, or an exception when the signature is malformed. */
    public static String signer(byte[] digest, byte[] signature) {
        if (signature.length != 65) {
            throw new IllegalArgumentException("a signature is 65 bytes, got " + signature.length);
        }
        byte[] r = java.util.Arrays.copyOfRange(signature, 0, 32);
        byte[] s = java.util.Arrays.copyOfRange(signature, 32, 64);
        try {
            BigInteger key = Sign.signedMessageHashToKey(digest, new Sign.SignatureData(signature[64], r, s));
            return "0x" + org.web3j.crypto.Keys.getAddress(key);
        } catch (java.security.SignatureException e) {
            throw new IllegalArgumentException("signature recovers no signer: " + e.getMessage(), e);
        }
    }

    /** A signature with the address that made it. */
    public record Signed(String signer, byte[] signature) {}

    /** Signatures ordered as the Gateway requires: by signer address ascending, one per signer. */
    public static List<byte[]> ordered(List<Signed> signatures) {
        List<Signed> sorted = new ArrayList<>(signatures);
        sorted.sort(Comparator.comparing(s -> Numeric.toBigInt(s.signer())));
        List<byte[]> out = new ArrayList<>();
        BigInteger previous = BigInteger.valueOf(-1);
        for (Signed s : sorted) {
            BigInteger signer = Numeric.toBigInt(s.signer());
            if (!signer.equals(previous)) {
                out.add(s.signature());
                previous = signer;
            }
        }
        return out;
    }

    private static byte[] typedDataDigest(Domain domain, byte[] structHash) {
        return keccak(concat(new byte[] {0x19, 0x01}, domain.separator(), structHash));
    }

    static byte[] keccak(String text) {
        return Hash.sha3(text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] keccak(byte[] bytes) {
        return Hash.sha3(bytes);
    }

    private static byte[] uint(BigInteger value) {
        return Numeric.toBytesPadded(value, 32);
    }

    private static byte[] address(String address) {
        byte[] raw = Numeric.hexStringToByteArray(address);
        if (raw.length != 20) {
            throw new IllegalArgumentException("not a 20-byte address: " + address);
        }
        byte[] word = new byte[32];
        System.arraycopy(raw, 0, word, 12, 20);
        return word;
    }

    private static void requireWord(byte[] word, String what) {
        if (word == null || word.length != 32) {
            throw new IllegalArgumentException(what + " must be 32 bytes");
        }
    }

    private static byte[] concat(byte[]... parts) {
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
