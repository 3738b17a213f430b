package io.tributary.ingest.intake;

import io.tributary.contracts.tx.ChainViews;
import io.tributary.contracts.generated.ModelRegistry;
import io.tributary.contracts.generated.TaskCoordinator;
import io.tributary.contracts.generated.TaskIntake;
import io.tributary.contracts.generated.TrainingToken;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Locale;
import org.web3j.abi.datatypes.Address;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * The home chain over JSON-RPC: read-only views of the TaskIntake, token, registry and coordinator.
 * Intake checks requests with it, and {@link io.tributary.ingest.client.TaskClient} reads the nonces
 * and domain it signs with.
 */
public final class Web3jHomeChain implements HomeChain, AutoCloseable {

    private static final StaticGasProvider NO_GAS = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);

    private final Web3j web3j;
    private final long chainId;
    private final String taskIntakeAddress;
    private final String coordinatorAddress;
    private final TaskIntake intake;
    private final TrainingToken token;
    private final ModelRegistry registry;
    private final TaskCoordinator coordinator;
    private volatile byte[] tokenDomain;

    private Web3jHomeChain(Web3j web3j, long chainId, String taskIntake, String coordinator, String token,
            String registry) {
        this.web3j = web3j;
        this.chainId = chainId;
        this.taskIntakeAddress = taskIntake.toLowerCase(Locale.ROOT);
        this.coordinatorAddress = coordinator.toLowerCase(Locale.ROOT);
        ReadonlyTransactionManager reader = new ReadonlyTransactionManager(web3j, Address.DEFAULT.getValue());
        this.intake = TaskIntake.load(taskIntake, web3j, reader, NO_GAS);
        this.token = TrainingToken.load(token, web3j, reader, NO_GAS);
        this.registry = ModelRegistry.load(registry, web3j, reader, NO_GAS);
        this.coordinator = TaskCoordinator.load(coordinator, web3j, reader, NO_GAS);
    }

    /** Connects to the home chain at {@code rpcUrl} ({@link #close()} disconnects). */
    public static Web3jHomeChain connect(String rpcUrl, long chainId, String taskIntake, String coordinator,
            String token, String registry) {
        return new Web3jHomeChain(Web3j.build(new HttpService(rpcUrl)), chainId, taskIntake, coordinator, token,
                registry);
    }

    /** The JSON-RPC client (shared with the intake's transaction writer). */
    public Web3j web3j() {
        return web3j;
    }

    /** The TaskIntake wrapper (for encoding calls; reads through the read-only manager). */
    TaskIntake intake() {
        return intake;
    }

    @Override
    public long chainId() {
        return chainId;
    }

    @Override
    public String taskIntake() {
        return taskIntakeAddress;
    }

    @Override
    public String coordinator() {
        return coordinatorAddress;
    }

    @Override
    public long timestamp() throws IOException {
        return web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock().getTimestamp()
                .longValueExact();
    }

    @Override
    public BigInteger nonceOf(String client) throws IOException {
        return ChainViews.read("home chain view", () -> intake.nonceOf(client).send());
    }

    @Override
    public BigInteger balanceOf(String client) throws IOException {
        return ChainViews.read("home chain view", () -> token.balanceOf(client).send());
    }

    @Override
    public BigInteger allowance(String client) throws IOException {
        return ChainViews.read("home chain view", () -> token.allowance(client, coordinatorAddress).send());
    }

    @Override
    public BigInteger permitNonce(String client) throws IOException {
        return ChainViews.read("home chain view", () -> token.nonces(client).send());
    }

    @Override
    public byte[] tokenDomainSeparator() throws IOException {
        byte[] d = tokenDomain;
        if (d == null) {
            d = ChainViews.read("home chain view", () -> token.DOMAIN_SEPARATOR().send());
            tokenDomain = d;
        }
        return d.clone();
    }

    @Override
    public boolean modelExists(BigInteger modelId) throws IOException {
        return ChainViews.read("home chain view", () -> registry.modelExists(modelId).send());
    }

    @Override
    public boolean chainKnown(long chainId) throws IOException {
        TaskCoordinator.ChainConfig c = ChainViews.read("home chain view", () -> coordinator.chainConfig(BigInteger.valueOf(chainId)).send());
        return c.hub != null && !new BigInteger(c.hub.substring(2), 16).equals(BigInteger.ZERO);
    }


    @Override
    public void close() {
        web3j.shutdown();
    }
}
