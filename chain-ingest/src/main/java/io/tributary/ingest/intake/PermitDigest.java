package io.tributary.ingest.intake;

import java.math.BigInteger;
import org.web3j.crypto.Hash;

/**
 * The ERC-2612 permit digest (OpenZeppelin {@code ERC20Permit}):
 * {@code Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)} under the
 * token's own domain separator (read from the token's {@code DOMAIN_SEPARATOR()}).
 */
public final class PermitDigest {

    private static final byte[] PERMIT_TYPEHASH =
            Eip712.keccak("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    private PermitDigest() {}

    /** What {@code owner} signs to let {@code spender} take {@code value} until {@code deadline}. */
    public static byte[] digest(byte[] tokenDomainSeparator, String owner, String spender, BigInteger value,
            BigInteger nonce, BigInteger deadline) {
        byte[] struct = Hash.sha3(Eip712.concat(PERMIT_TYPEHASH, Eip712.address(owner), Eip712.address(spender),
                Eip712.word(value), Eip712.word(nonce), Eip712.word(deadline)));
        return Eip712.digest(tokenDomainSeparator, struct);
    }
}
