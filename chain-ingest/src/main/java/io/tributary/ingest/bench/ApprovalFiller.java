package io.tributary.ingest.bench;

import io.tributary.contracts.generated.TrainingToken;
import io.tributary.ingest.source.Web3jChainClient;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.http.HttpService;

/**
 * Fills an anvil chain with ERC-20 {@code Approval} logs of the project's token, as many per block
 * as asked: mining is switched off (no automine, no interval), the block gas limit raised, the
 * {@code approve} calls sent from anvil's unlocked dev accounts in JSON-RPC batches with explicit
 * nonces (anvil signs them, so no client-side signing limits the rate), and each block mined with
 * {@code anvil_mine}. {@code approve} needs no balance and is one of the cheapest calls that log.
 *
 * <p>Anvil keeps its pending pool in a structure that slows down as it grows (here: 10,000 pending
 * transactions took 5x as long per transaction as 1,000), so very large blocks make the fill slow
 * rather than the chain smaller in any way the connector would notice.
 */
final class ApprovalFiller implements AutoCloseable {

    /** Gas limit of one {@code approve} (it uses 26-46k; the rest is headroom). */
    static final long GAS_PER_CALL = 80_000;
    /** {@code eth_sendTransaction} calls per JSON-RPC batch. */
    private static final int BATCH = 500;

    private final Web3j web3j;
    /** anvil_* and evm_* calls. */
    private final Web3jChainClient rpc;
    private final String token;
    private final List<String> senders;

    /** What the fill produced: the blocks holding the logs, its transactions (one log each), and how long it took. */
    record Filled(long firstBlock, long lastBlock, long head, long logs, Set<String> txHashes, double seconds) {
        long blocks() {
            return lastBlock - firstBlock + 1;
        }
    }

    ApprovalFiller(String rpcUrl, String token, List<String> senders) {
        this.web3j = Web3j.build(new HttpService(Objects.requireNonNull(rpcUrl, "rpcUrl")));
        this.rpc = new Web3jChainClient(rpcUrl, Duration.ofSeconds(60));
        this.token = Objects.requireNonNull(token, "token").toLowerCase(Locale.ROOT);
        this.senders = List.copyOf(senders);
        if (this.senders.isEmpty()) {
            throw new IllegalArgumentException("need at least one sender account");
        }
    }

    /**
     * Mines {@code logs} approvals in blocks of {@code perBlock}, then {@code emptyBlocks} empty blocks
     * on top (so that a reader with that many confirmations sees them all), and leaves mining off.
     */
    Filled fill(long logs, int perBlock, int emptyBlocks, Consumer<String> progress) throws IOException {
        if (logs < 1 || perBlock < 1 || emptyBlocks < 0) {
            throw new IllegalArgumentException("need logs >= 1, perBlock >= 1, emptyBlocks >= 0");
        }
        long t0 = System.nanoTime();
        call("evm_setAutomine", false);
        call("evm_setIntervalMining", 0);
        call("evm_setBlockGasLimit", quantity(BigInteger.valueOf(GAS_PER_CALL * perBlock + GAS_PER_CALL * perBlock / 4)));
        // pending transactions of an earlier step (a deployment) would share the first block; mine them now
        call("anvil_mine", quantity(BigInteger.ONE));

        BigInteger gasPrice = web3j.ethGasPrice().send().getGasPrice().shiftLeft(1);
        BigInteger[] nonces = new BigInteger[senders.size()];
        for (int s = 0; s < senders.size(); s++) {
            nonces[s] = web3j.ethGetTransactionCount(senders.get(s), DefaultBlockParameterName.PENDING).send()
                    .getTransactionCount();
        }
        long firstBlock = -1;
        long lastBlock = -1;
        long sent = 0;
        Set<String> txHashes = new HashSet<>();
        while (sent < logs) {
            int inBlock = (int) Math.min(perBlock, logs - sent);
            for (int done = 0; done < inBlock; ) {
                int n = Math.min(BATCH, inBlock - done);
                BatchRequest batch = web3j.newBatch();
                for (int i = 0; i < n; i++) {
                    long seq = sent + done + i;
                    int s = (int) (seq % senders.size());
                    batch.add(web3j.ethSendTransaction(new Transaction(senders.get(s), nonces[s], gasPrice,
                            BigInteger.valueOf(GAS_PER_CALL), token, BigInteger.ZERO, approve(seq))));
                    nonces[s] = nonces[s].add(BigInteger.ONE);
                }
                BatchResponse answers = batch.send();
                for (Response<?> r : answers.getResponses()) {
                    if (r.hasError()) {
                        throw new IOException("eth_sendTransaction refused: " + r.getError().getMessage());
                    }
                    txHashes.add(((EthSendTransaction) r).getTransactionHash().toLowerCase(Locale.ROOT));
                }
                done += n;
            }
            call("anvil_mine", quantity(BigInteger.ONE));
            EthBlock.Block block = web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock();
            if (block.getTransactions().size() != inBlock) {
                throw new IOException("block " + block.getNumber() + " holds " + block.getTransactions().size()
                        + " transactions, expected " + inBlock + " (gas limit " + block.getGasLimit() + ")");
            }
            lastBlock = block.getNumber().longValueExact();
            if (firstBlock < 0) {
                firstBlock = lastBlock;
            }
            sent += inBlock;
            progress.accept(String.format(Locale.ROOT, "filled %,d / %,d logs in %d blocks (%.1f s)",
                    sent, logs, lastBlock - firstBlock + 1, seconds(t0)));
        }
        if (emptyBlocks > 0) {
            call("anvil_mine", quantity(BigInteger.valueOf(emptyBlocks)));
        }
        long head = web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
        checkReceipts(lastBlock);
        if (txHashes.size() != sent) {
            throw new IOException("anvil answered " + txHashes.size() + " distinct transaction hashes for " + sent + " calls");
        }
        return new Filled(firstBlock, lastBlock, head, sent, Set.copyOf(txHashes), seconds(t0));
    }

    /** The last fill transaction must have succeeded (a revert would leave a block short of logs). */
    private void checkReceipts(long block) throws IOException {
        EthBlock.Block b = web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(block)), false)
                .send().getBlock();
        List<EthBlock.TransactionResult> txs = b.getTransactions();
        String last = (String) txs.get(txs.size() - 1).get();
        var receipt = web3j.ethGetTransactionReceipt(last).send().getTransactionReceipt();
        if (receipt.isEmpty() || !receipt.get().isStatusOK() || receipt.get().getLogs().size() != 1) {
            throw new IOException("fill transaction " + last + " did not log one Approval: " + receipt);
        }
    }

    /** {@code approve(spender, amount)} with a different spender and amount per call. */
    private static String approve(long seq) {
        String spender = String.format(Locale.ROOT, "0x%040x", 0x1000 + seq % 64);
        return FunctionEncoder.encode(new Function(TrainingToken.FUNC_APPROVE,
                List.of(new Address(spender), new Uint256(BigInteger.valueOf(seq + 1))), List.of()));
    }

    private void call(String method, Object... params) throws IOException {
        rpc.call(method, List.of(params));
    }

    private static String quantity(BigInteger n) {
        return "0x" + n.toString(16);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    @Override
    public void close() {
        web3j.shutdown();
        rpc.close();
    }
}
