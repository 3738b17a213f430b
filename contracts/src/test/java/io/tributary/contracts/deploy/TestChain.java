package io.tributary.contracts.deploy;

import io.tributary.contracts.testing.Anvil;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;

/** One of the devnet's three chains, as an automining anvil started by a test and stopped by {@link #close()}. */
final class TestChain implements AutoCloseable {

    /** Funded accounts: as many as {@link Anvil} starts every test chain with. */
    static final int ACCOUNTS = Anvil.ACCOUNTS;

    final String name;
    final long chainId;
    final boolean home;
    final Web3j web3j;
    private final Anvil anvil;

    private TestChain(String name, boolean home, Anvil anvil) {
        this.name = name;
        this.chainId = anvil.chainId;
        this.home = home;
        this.anvil = anvil;
        this.web3j = anvil.web3j;
    }

    /** The devnet's three chains, started in parallel. */
    static List<TestChain> devnetChains(Path dir) throws IOException, InterruptedException {
        List<TestChain> chains = new ArrayList<>();
        try {
            chains.add(launch("home", 31337, true, dir));
            chains.add(launch("arbitrum-local", 412346, false, dir));
            chains.add(launch("avalanche-local", 43112, false, dir));
            for (TestChain chain : chains) {
                chain.anvil.awaitReady();
            }
            return chains;
        } catch (IOException | InterruptedException | RuntimeException e) {
            closeAll(chains);
            throw e;
        }
    }

    static void closeAll(List<TestChain> chains) {
        for (TestChain chain : chains) {
            chain.close();
        }
    }

    private static TestChain launch(String name, long chainId, boolean home, Path dir) throws IOException {
        return new TestChain(name, home, Anvil.launch(chainId, dir.resolve(name + ".anvil.log")));
    }

    /** Calls an anvil/evm method (evm_mine, evm_setNextBlockTimestamp, anvil_setCode, ...). */
    Object rpc(String method, Object... params) throws IOException {
        return anvil.call(method, params);
    }

    long nonce(String address) throws IOException {
        return anvil.nonce(address, DefaultBlockParameterName.LATEST);
    }

    BigInteger balance(String address) throws IOException {
        return anvil.balance(address);
    }

    long timestamp() throws IOException {
        return anvil.timestamp();
    }

    /** Mines a block at exactly {@code time}; later automined blocks follow from there. */
    void mineAt(long time) throws IOException {
        rpc("evm_setNextBlockTimestamp", time);
        rpc("evm_mine");
    }

    @Override
    public void close() {
        anvil.close();
    }
}
