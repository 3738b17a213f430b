package io.tributary.ingest.abi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** ABI JSON files on the classpath under a prefix, by default {@code io/tributary/contracts/abi/<Contract>.json}. */
public final class ClasspathAbiSource implements AbiSource {

    public static final String DEFAULT_PREFIX = "io/tributary/contracts/abi/";

    private final String prefix;

    public ClasspathAbiSource(String prefix) {
        String p = prefix.startsWith("/") ? prefix.substring(1) : prefix;
        this.prefix = p.isEmpty() || p.endsWith("/") ? p : p + "/";
    }

    @Override
    public ContractAbi load(String contractName) throws IOException {
        String resource = prefix + contractName + ".json";
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = ClasspathAbiSource.class.getClassLoader();
        }
        InputStream in = loader.getResourceAsStream(resource);
        if (in == null) {
            in = ClasspathAbiSource.class.getClassLoader().getResourceAsStream(resource);
        }
        if (in == null) {
            throw new IOException("no ABI for contract " + contractName + " on the classpath at " + resource);
        }
        try (InputStream stream = in) {
            return ContractAbi.parse(contractName, new String(stream.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Override
    public String describe() {
        return "classpath:" + prefix;
    }
}
