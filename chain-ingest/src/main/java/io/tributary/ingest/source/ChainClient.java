package io.tributary.ingest.source;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The few JSON-RPC reads the follower needs. Implementations throw {@link IOException} (or a
 * {@link RpcException}) on failure; {@link RpcErrorHandler} decides whether to retry.
 */
public interface ChainClient extends AutoCloseable {

    /** The number of the latest block. */
    long headNumber() throws IOException;

    /** The canonical headers of {@code from..to} inclusive, in order; shorter if the chain ends earlier. */
    List<BlockHeader> headers(long from, long to) throws IOException;

    /** A header by hash, canonical or not, if the node still has it. */
    Optional<BlockHeader> headerByHash(String hash) throws IOException;

    /** {@code eth_getLogs} over {@code from..to} inclusive, for {@code addresses}. */
    List<RawLog> logs(long from, long to, Collection<String> addresses) throws IOException;

    /** {@code eth_getLogs} of one block by hash (EIP-234), for {@code addresses}. */
    List<RawLog> logsByBlockHash(String blockHash, Collection<String> addresses) throws IOException;

    @Override
    default void close() {}
}
