package io.tributary.contracts.tx;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthGetCode;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.exceptions.TransactionException;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.exceptions.ContractCallException;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

/**
 * Lets generated web3j wrappers send through a {@link TransactionWriter}: the writer prices, signs,
 * records and waits; the gas price or EIP-1559 fees a wrapper passes in are ignored (the writer's fee
 * policy and cap decide), its gas limit is used (null: the writer estimates). A reverted transaction
 * comes back as a receipt with status 0 and its decoded revert reason, which the wrapper turns into a
 * {@link TransactionException}; a revert at estimation is thrown as one directly.
 */
final class WriterTransactionManager extends TransactionManager {

    private static final ThreadLocal<Deque<KeyScope>> SCOPES = ThreadLocal.withInitial(ArrayDeque::new);

    private final TransactionWriter writer;
    private final Supplier<String> keys;

    WriterTransactionManager(TransactionWriter writer, Supplier<String> keys) {
        super(new PollingTransactionReceiptProcessor(writer.web3j(), writer.pollInterval().toMillis(),
                writer.pollAttempts()), writer.address());
        this.writer = writer;
        this.keys = keys;
    }

    private record KeyScope(String key, AtomicInteger used) {
        String next() {
            int n = used.incrementAndGet();
            return n == 1 ? key : key + "#" + n;
        }
    }

    static Supplier<String> fixedKey(String key) {
        KeyScope scope = new KeyScope(key, new AtomicInteger());
        return scope::next;
    }

    static Supplier<String> scopedKeys() {
        return () -> {
            KeyScope scope = SCOPES.get().peek();
            if (scope == null) {
                throw new IllegalStateException("no idempotency key: wrap the wrapper call in "
                        + "TransactionWriter.withIdempotencyKey(key, ...) or use writer.transactionManager(key)");
            }
            return scope.next();
        };
    }

    static <T> T withKey(String key, Callable<T> action) throws Exception {
        Deque<KeyScope> scopes = SCOPES.get();
        scopes.push(new KeyScope(key, new AtomicInteger()));
        try {
            return action.call();
        } finally {
            scopes.pop();
        }
    }

    @Override
    protected TransactionReceipt executeTransaction(BigInteger gasPrice, BigInteger gasLimit, String to, String data,
            BigInteger value, boolean constructor) throws IOException, TransactionException {
        return sendAndWait(gasLimit, to, data, value, constructor);
    }

    @Override
    protected TransactionReceipt executeTransactionEIP1559(long chainId, BigInteger maxPriorityFeePerGas,
            BigInteger maxFeePerGas, BigInteger gasLimit, String to, String data, BigInteger value, boolean constructor)
            throws IOException, TransactionException {
        checkChain(chainId);
        return sendAndWait(gasLimit, to, data, value, constructor);
    }

    @Override
    public EthSendTransaction sendTransaction(BigInteger gasPrice, BigInteger gasLimit, String to, String data,
            BigInteger value, boolean constructor) throws IOException {
        return submit(gasLimit, to, data, value, constructor);
    }

    @Override
    public EthSendTransaction sendEIP1559Transaction(long chainId, BigInteger maxPriorityFeePerGas, BigInteger maxFeePerGas,
            BigInteger gasLimit, String to, String data, BigInteger value, boolean constructor) throws IOException {
        checkChain(chainId);
        return submit(gasLimit, to, data, value, constructor);
    }

    @Override
    public String sendCall(String to, String data, DefaultBlockParameter block) throws IOException {
        EthCall call = writer.web3j().ethCall(Transaction.createEthCallTransaction(getFromAddress(), to, data), block).send();
        if (call.hasError()) {
            RpcErrorException error = RpcErrorException.of("eth_call", call.getError());
            if (RpcErrors.classify(error) == RpcErrorKind.REVERTED) {
                throw new ContractCallException("eth_call reverted: " + writer.revertDecoder().decode(error.data()));
            }
            throw error;
        }
        return call.getValue();
    }

    @Override
    public EthGetCode getCode(String contractAddress, DefaultBlockParameter block) throws IOException {
        return writer.web3j().ethGetCode(contractAddress, block).send();
    }

    private TxRequest request(BigInteger gasLimit, String to, String data, BigInteger value, boolean constructor) {
        return new TxRequest(keys.get(), constructor ? null : to, value, data, gasLimit);
    }

    private TransactionReceipt sendAndWait(BigInteger gasLimit, String to, String data, BigInteger value, boolean constructor)
            throws IOException, TransactionException {
        TxRequest request = request(gasLimit, to, data, value, constructor);
        try {
            return writer.send(request).receipt();
        } catch (TxRevertedException e) {
            if (e.receipt().isPresent()) {
                return e.receipt().get(); // status 0 with the revert reason: the wrapper reports it
            }
            throw new TransactionException(e.getMessage());
        } catch (TxWriteException e) {
            throw new IOException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing " + request.idempotencyKey(), e);
        }
    }

    private EthSendTransaction submit(BigInteger gasLimit, String to, String data, BigInteger value, boolean constructor)
            throws IOException {
        TxRequest request = request(gasLimit, to, data, value, constructor);
        try {
            EthSendTransaction response = new EthSendTransaction();
            response.setResult(writer.submit(request));
            return response;
        } catch (TxWriteException e) {
            throw new IOException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing " + request.idempotencyKey(), e);
        }
    }

    private void checkChain(long chainId) {
        if (chainId != writer.chainId() && chainId > 0) {
            throw new IllegalArgumentException("the wrapper asks for chain " + chainId + ", the writer serves chain "
                    + writer.chainId());
        }
    }
}
