package io.tributary.ingest.abi;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the ABI JSON of the project's contracts comes from: a directory of forge artifacts or ABI
 * files, or the classpath ({@code io/tributary/contracts/abi/<Contract>.json}, shipped by the
 * contracts jar).
 */
public interface AbiSource {

    /** The ABI of {@code contractName}; an {@link IOException} saying where it looked if it is missing. */
    ContractAbi load(String contractName) throws IOException;

    /** Where this source looks, for messages. */
    String describe();

    String CLASSPATH = "classpath";

    /**
     * Parses the connector's {@code abi.source} option: {@code classpath}, {@code classpath:<prefix>}
     * or a directory path (optionally written {@code dir:<path>}).
     */
    static AbiSource of(String spec) {
        String s = spec.trim();
        if (s.toLowerCase(Locale.ROOT).equals(CLASSPATH)) {
            return new ClasspathAbiSource(ClasspathAbiSource.DEFAULT_PREFIX);
        }
        if (s.startsWith("classpath:")) {
            return new ClasspathAbiSource(s.substring("classpath:".length()));
        }
        if (s.startsWith("dir:")) {
            s = s.substring(4);
        }
        return new DirectoryAbiSource(Path.of(s));
    }
}
