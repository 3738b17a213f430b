package io.tributary.contracts.tx;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/** anvil's well-known dev accounts (public test keys, never used outside local devnets) and test folders. */
final class TestKeys {

    static final Credentials DEV0 = Credentials.create("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    static final Credentials DEV1 = Credentials.create("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
    static final Credentials DEV2 = Credentials.create("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");

    private TestKeys() {}

    /** A signed EIP-1559 transfer, as the writer would record it. */
    static String[] signedTransfer(long chainId, long nonce) {
        RawTransaction tx = RawTransaction.createEtherTransaction(chainId, BigInteger.valueOf(nonce),
                BigInteger.valueOf(21_000), DEV1.getAddress(), BigInteger.TEN, BigInteger.ONE, BigInteger.valueOf(3));
        byte[] signed = TransactionEncoder.signMessage(tx, DEV0);
        return new String[] {Numeric.toHexString(signed), Numeric.toHexString(Hash.sha3(signed))};
    }

    /** A fresh folder under target/ for one test. */
    static Path testDir(String name) throws IOException {
        Path base = Path.of(System.getProperty("tributary.testDir", "target/test-tmp"));
        Path dir = base.resolve(name + "-" + System.nanoTime());
        Files.createDirectories(dir);
        return dir;
    }
}
