package io.tributary.ingest.abi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A directory holding {@code <Contract>.json} (a bare ABI or an artifact), or forge's output
 * layout {@code <File>.sol/<Contract>.json} (e.g. {@code contracts/target/forge-out}).
 */
public final class DirectoryAbiSource implements AbiSource {

    private final Path dir;

    public DirectoryAbiSource(Path dir) {
        this.dir = dir;
    }

    @Override
    public ContractAbi load(String contractName) throws IOException {
        Path flat = dir.resolve(contractName + ".json");
        if (Files.isRegularFile(flat)) {
            return ContractAbi.parse(contractName, Files.readString(flat));
        }
        Path conventional = dir.resolve(contractName + ".sol").resolve(contractName + ".json");
        if (Files.isRegularFile(conventional)) {
            return ContractAbi.parse(contractName, Files.readString(conventional));
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException("ABI directory " + dir + " does not exist (build the contracts first)");
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path sub : (Iterable<Path>) files::iterator) {
                Path candidate = sub.resolve(contractName + ".json");
                if (sub.getFileName().toString().endsWith(".sol") && Files.isRegularFile(candidate)) {
                    found.add(candidate);
                }
            }
        }
        if (found.size() == 1) {
            return ContractAbi.parse(contractName, Files.readString(found.get(0)));
        }
        if (found.isEmpty()) {
            throw new IOException("no ABI for contract " + contractName + " in " + dir
                    + " (looked for " + contractName + ".json and <File>.sol/" + contractName + ".json)");
        }
        throw new IOException("contract name " + contractName + " is ambiguous in " + dir + ": " + found);
    }

    @Override
    public String describe() {
        return dir.toString();
    }
}
