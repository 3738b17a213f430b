package io.tributary.contracts.deploy;

import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.Bip32ECKeyPair;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.MnemonicUtils;

/**
 * anvil's default dev accounts, derived from its well-known test mnemonic (BIP-44 path
 * m/44'/60'/0'/0/i). Public test keys: never fund them anywhere but a local devnet.
 */
public final class DevKeys {

    /** The mnemonic anvil (and hardhat) fund by default. */
    public static final String ANVIL_MNEMONIC = "test test test test test test test test test test test junk";

    private DevKeys() {}

    /** The first {@code count} accounts anvil funds when started without --mnemonic. */
    public static List<Credentials> anvil(int count) {
        if (count < 1 || count > 1000) {
            throw new IllegalArgumentException("count must be in 1..1000, was " + count);
        }
        Bip32ECKeyPair master = Bip32ECKeyPair.generateKeyPair(MnemonicUtils.generateSeed(ANVIL_MNEMONIC, ""));
        List<Credentials> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int[] path = {44 | Bip32ECKeyPair.HARDENED_BIT, 60 | Bip32ECKeyPair.HARDENED_BIT,
                0 | Bip32ECKeyPair.HARDENED_BIT, 0, i};
            keys.add(Credentials.create(Bip32ECKeyPair.deriveKeyPair(master, path)));
        }
        return List.copyOf(keys);
    }
}
