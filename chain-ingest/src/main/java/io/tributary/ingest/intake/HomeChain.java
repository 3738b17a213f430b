package io.tributary.ingest.intake;

import java.io.IOException;
import java.math.BigInteger;

/**
 * What intake reads from the home chain before it spends gas: the views of the TaskIntake, the
 * escrow token, the model registry and the coordinator. {@link Web3jHomeChain} reads a real chain;
 * tests may pass a small in-memory one.
 */
public interface HomeChain {

    long chainId();

    /** The TaskIntake contract (EIP-712 verifying contract). */
    String taskIntake();

    /** The TaskCoordinator (spender of the bounty). */
    String coordinator();

    /** Timestamp of the latest block, unix seconds. */
    long timestamp() throws IOException;

    /** {@code TaskIntake.nonceOf(client)}. */
    BigInteger nonceOf(String client) throws IOException;

    BigInteger balanceOf(String client) throws IOException;

    /** The token allowance of {@code client} to the coordinator. */
    BigInteger allowance(String client) throws IOException;

    /** The token's ERC-2612 nonce of {@code client}. */
    BigInteger permitNonce(String client) throws IOException;

    /** The token's {@code DOMAIN_SEPARATOR()}. */
    byte[] tokenDomainSeparator() throws IOException;

    boolean modelExists(BigInteger modelId) throws IOException;

    /** Whether the coordinator has a hub configured for {@code chainId}. */
    boolean chainKnown(long chainId) throws IOException;
}
