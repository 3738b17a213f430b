package io.tributary.ingest.intake;

import io.tributary.contracts.generated.ModelRegistry;
import io.tributary.contracts.generated.TaskCoordinator;
import io.tributary.contracts.generated.TaskIntake;
import io.tributary.contracts.generated.TrainingToken;
import io.tributary.contracts.tx.FeePolicy;
import io.tributary.contracts.tx.RetryPolicy;
import io.tributary.contracts.tx.RevertDecoder;
import io.tributary.contracts.tx.TransactionWriter;
import io.tributary.contracts.tx.TxWriteException;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.web3j.abi.datatypes.Address;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * The home chain as intake sees it: read-only views of the TaskIntake, token, registry and
 * coordinator, and the {@link TransactionWriter} of the submitter key that sends {@code postTaskFor}.
 */
final class Web3jHomeChain implements HomeChain, AutoCloseable {

    private static final BigInteger GWEI = BigInteger.TEN.pow(9);
    private static final StaticGasProvider NO_GAS = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);

    private final IntakeConfig config;
    private final Web3j web3j;
    private final TransactionWriter writer;
    private final TaskIntake intake;
    private final TrainingToken token;
    private final ModelRegistry registry;
    private final TaskCoordinator coordinator;
    private volatile byte[] tokenDomain;

    private Web3jHomeChain(IntakeConfig config, Web3j web3j, TransactionWriter writer) {
        this.config = config;
        this.web3j = web3j;
        this.writer = writer;
        ReadonlyTransactionManager reader = new ReadonlyTransactionManager(web3j, Address.DEFAULT.getValue());
        this.intake = TaskIntake.load(config.taskIntake(), web3j, reader, NO_GAS);
        this.token = TrainingToken.load(config.token(), web3j, reader, NO_GAS);
        this.registry = ModelRegistry.load(config.registry(), web3j, reader, NO_GAS);
        this.coordinator = TaskCoordinator.load(config.coordinator(), web3j, reader, NO_GAS);
    }

    static Web3jHomeChain open(IntakeConfig config) throws IOException, InterruptedException {
        Web3j web3j = Web3j.build(new HttpService(config.rpcUrl()));
        try {
            BigInteger cap = config.maxFeeCapWei();
            TransactionWriter writer = TransactionWriter.builder()
                    .web3j(web3j)
                    .credentials(Credentials.create(config.submitterKey()))
                    .chainId(config.chainId())
                    .stateDir(config.stateDir())
                    .feePolicy(new FeePolicy(cap, BigInteger.ONE, cap.min(GWEI), 2))
                    .receiptPolling(Duration.ofMillis(100), 300)
                    .resendInterval(Duration.ofSeconds(2))
                    .feeCapWait(Duration.ofSeconds(1), Duration.ofSeconds(30))
                    .retry(new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(20)))
                    .revertDecoder(RevertDecoder.withProjectErrors())
                    .build();
            return new Web3jHomeChain(config, web3j, writer);
        } catch (TxWriteException e) {
            web3j.shutdown();
            throw new IOException("cannot open the transaction writer of the intake: " + e.getMessage(), e);
        } catch (IOException | InterruptedException | RuntimeException e) {
            web3j.shutdown();
            throw e;
        }
    }

    TransactionWriter writer() {
        return writer;
    }

    /** The TaskIntake wrapper (for encoding calls; reads through the read-only manager). */
    TaskIntake intake() {
        return intake;
    }

    @Override
    public long chainId() {
        return config.chainId();
    }

    @Override
    public String taskIntake() {
        return config.taskIntake();
    }

    @Override
    public String coordinator() {
        return config.coordinator();
    }

    @Override
    public long timestamp() throws IOException {
        return web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock().getTimestamp()
                .longValueExact();
    }

    @Override
    public BigInteger nonceOf(String client) throws IOException {
        return read(() -> intake.nonceOf(client).send());
    }

    @Override
    public BigInteger balanceOf(String client) throws IOException {
        return read(() -> token.balanceOf(client).send());
    }

    @Override
    public BigInteger allowance(String client) throws IOException {
        return read(() -> token.allowance(client, config.coordinator()).send());
    }

    @Override
    public BigInteger permitNonce(String client) throws IOException {
        return read(() -> token.nonces(client).send());
    }

    @Override
    public byte[] tokenDomainSeparator() throws IOException {
        byte[] d = tokenDomain;
        if (d == null) {
            d = read(() -> token.DOMAIN_SEPARATOR().send());
            tokenDomain = d;
        }
        return d.clone();
    }

    @Override
    public boolean modelExists(BigInteger modelId) throws IOException {
        return read(() -> registry.modelExists(modelId).send());
    }

    @Override
    public boolean chainKnown(long chainId) throws IOException {
        TaskCoordinator.ChainConfig c = read(() -> coordinator.chainConfig(BigInteger.valueOf(chainId)).send());
        return c.hub != null && !new BigInteger(c.hub.substring(2), 16).equals(BigInteger.ZERO);
    }

    private static <T> T read(Callable<T> call) throws IOException {
        try {
            return call.call();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("home chain view failed: " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(Web3jHomeChain.class).warn("closing the intake writer: {}", e.toString());
        } finally {
            web3j.shutdown();
        }
    }
}
