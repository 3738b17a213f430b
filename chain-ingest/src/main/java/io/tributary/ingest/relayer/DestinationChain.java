package io.tributary.ingest.relayer;

import io.tributary.contracts.gateway.GatewayApprovals;
import io.tributary.contracts.generated.Gateway;
import io.tributary.contracts.tx.TransactionWriter;
import io.tributary.contracts.tx.TxRecord;
import io.tributary.contracts.tx.TxRequest;
import io.tributary.contracts.tx.TxResult;
import io.tributary.contracts.tx.TxWriteException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * The submitter's handle on one destination chain: its gateway's views, its current guardian set,
 * and the transaction writer (submitter key) every approval and execution goes through.
 */
final class DestinationChain implements AutoCloseable {


    private final RelayerConfig.Chain chain;
    private final Web3j web3j;
    private final TransactionWriter writer;
    private final Gateway gateway;
    private final GatewayApprovals.Domain domain;
    private Set<String> guardians = Set.of();
    private int threshold;

    private DestinationChain(RelayerConfig.Chain chain, Web3j web3j, TransactionWriter writer) {
        this.chain = chain;
        this.web3j = web3j;
        this.writer = writer;
        this.gateway = Gateway.load(chain.gateway(), web3j, writer.transactionManager(),
                writer.gasProvider(BigInteger.valueOf(1_000_000)));
        this.domain = new GatewayApprovals.Domain(chain.chainId(), chain.gateway());
    }

    /** Connects to {@code chain} with the submitter's key; its writer keeps state under {@code stateDir}. */
    static DestinationChain open(RelayerConfig config, RelayerConfig.Chain chain, Credentials submitter)
            throws IOException, TxWriteException, InterruptedException {
        Web3j web3j = Web3j.build(new HttpService(chain.rpcUrl()));
        Path dir = config.stateDir().resolve("submitter-" + submitter.getAddress().toLowerCase(Locale.ROOT))
                .resolve("chain-" + chain.chainId());
        TransactionWriter writer;
        try {
            BigInteger cap = config.maxFeeCapWei();
            writer = TransactionWriter.builder()
                    .web3j(web3j)
                    .credentials(submitter)
                    .chainId(chain.chainId())
                    .stateDir(dir)
                    .serviceDefaults(cap)
                    .build();
        } catch (IOException | TxWriteException | InterruptedException | RuntimeException e) {
            web3j.shutdown();
            throw e;
        }
        DestinationChain destination = new DestinationChain(chain, web3j, writer);
        try {
            destination.refreshGuardians();
        } catch (IOException | RuntimeException e) {
            destination.close();
            throw e;
        }
        return destination;
    }

    RelayerConfig.Chain chain() {
        return chain;
    }

    GatewayApprovals.Domain domain() {
        return domain;
    }

    /** The gateway's current guardians (lowercase addresses), as last read. */
    Set<String> guardians() {
        return guardians;
    }

    /** The gateway's current threshold, as last read. */
    int threshold() {
        return threshold;
    }

    /** Reads the guardian set and threshold from the gateway again (after a rotation). */
    void refreshGuardians() throws IOException {
        try {
            @SuppressWarnings("unchecked")
            List<String> members = gateway.guardians().send();
            Set<String> set = new HashSet<>();
            members.forEach(m -> set.add(m.toLowerCase(Locale.ROOT)));
            guardians = Set.copyOf(set);
            threshold = gateway.threshold().send().intValueExact();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("reading the guardians of " + chain.name() + "'s gateway failed: " + e.getMessage(), e);
        }
    }

    /** Where a command stands on this chain's gateway. */
    enum CommandState { UNKNOWN, APPROVED, APPROVED_OTHERWISE, EXECUTED }

    CommandState state(ContractCallMessage m) throws IOException {
        byte[] commandId = m.commandId();
        try {
            if (gateway.isContractCallExecuted(commandId).send()) {
                return CommandState.EXECUTED;
            }
            if (!gateway.isCommandExecuted(commandId).send()) {
                return CommandState.UNKNOWN;
            }
            boolean ours = gateway.isContractCallApproved(commandId, m.sourceChain(), m.sourceAddress(),
                    m.destinationAddress(), m.payloadHash()).send();
            return ours ? CommandState.APPROVED : CommandState.APPROVED_OTHERWISE;
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("reading command " + m.messageId() + " on " + chain.name() + " failed: "
                    + e.getMessage(), e);
        }
    }

    /** Sends {@code approveContractCall} with {@code signatures} (ordered) under the idempotency key. */
    TxResult approve(String key, ContractCallMessage m, List<byte[]> signatures)
            throws TxWriteException, InterruptedException {
        Function approve = new Function("approveContractCall", List.of(new Bytes32(m.commandId()),
                new Utf8String(m.sourceChain()), new Utf8String(m.sourceAddress()), new Address(m.destinationAddress()),
                new Bytes32(m.payloadHash()), new DynamicArray<>(DynamicBytes.class,
                        signatures.stream().map(DynamicBytes::new).toList())), List.of());
        return writer.send(TxRequest.call(key, chain.gateway(), FunctionEncoder.encode(approve)));
    }

    /** Calls the receiver's {@code execute(commandId, sourceChain, sourceAddress, payload)}. */
    TxResult execute(String key, ContractCallMessage m) throws TxWriteException, InterruptedException {
        Function execute = new Function("execute", List.of(new Bytes32(m.commandId()), new Utf8String(m.sourceChain()),
                new Utf8String(m.sourceAddress()), new DynamicBytes(m.payload())), List.of());
        return writer.send(TxRequest.call(key, m.destinationAddress(), FunctionEncoder.encode(execute)));
    }

    /**
     * The idempotency key for the next attempt of a write: {@code base} first, then {@code base/2},
     * {@code base/3}, ... past every attempt the writer recorded as reverted on chain or refused. An
     * attempt still in flight or mined successfully keeps its key, so a restart resumes it instead
     * of writing again.
     */
    String nextKey(String base) {
        for (int n = 1;; n++) {
            String key = n == 1 ? base : base + "/" + n;
            Optional<TxRecord> record = writer.recordOf(key);
            if (record.isEmpty()) {
                return key;
            }
            TxRecord r = record.get();
            boolean spent = r.status() == TxRecord.Status.FAILED
                    || (r.status() == TxRecord.Status.MINED && !r.success());
            if (!spent) {
                return key;
            }
        }
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            // the writer's records are on disk already; only the lock file handle is lost
        } finally {
            web3j.shutdown();
        }
    }
}
