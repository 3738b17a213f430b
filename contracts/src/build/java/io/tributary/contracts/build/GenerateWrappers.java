package io.tributary.contracts.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.web3j.codegen.SolidityFunctionWrapperGenerator;

/**
 * Build-time tool (run by Maven with the Java source launcher, never shipped): turns the forge
 * artifacts of every deployable contract compiled from {@code src/} into web3j wrappers.
 *
 * <p>Arguments: {@code FORGE_OUT SOURCE_ROOT WORK_DIR JAVA_OUT RESOURCE_OUT PACKAGE}. For each
 * {@code FORGE_OUT/X.sol/Y.json} whose {@code metadata.settings.compilationTarget} names a file under
 * {@code src/} that still exists and whose {@code bytecode.object} is not empty (interfaces and
 * abstract contracts have none), it writes {@code WORK_DIR/Y.abi} and {@code WORK_DIR/Y.bin} and
 * runs {@link SolidityFunctionWrapperGenerator} on them. It also writes {@code custom-errors.txt}
 * (one error signature per line, from every ABI including interfaces) under RESOURCE_OUT/PACKAGE so
 * that revert data can be decoded at run time, and each deployable contract's ABI as
 * {@code RESOURCE_OUT/io/tributary/contracts/abi/Y.json}, for code that decodes logs by ABI. No
 * per-contract configuration: whatever is in
 * {@code src/} at build time gets a wrapper. Output folders are emptied first, so a removed contract
 * leaves no stale wrapper.
 */
public final class GenerateWrappers {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GenerateWrappers() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            throw new IllegalArgumentException(
                    "usage: GenerateWrappers FORGE_OUT SOURCE_ROOT WORK_DIR JAVA_OUT RESOURCE_OUT PACKAGE");
        }
        Path forgeOut = Path.of(args[0]);
        Path projectDir = Path.of(args[1]);
        Path workDir = Path.of(args[2]);
        Path javaOut = Path.of(args[3]);
        Path resourceOut = Path.of(args[4]);
        String pkg = args[5];
        if (!Files.isDirectory(forgeOut)) {
            throw new IOException("no forge artifacts at " + forgeOut + " (forge build must run first)");
        }
        Path pkgDir = javaOut.resolve(pkg.replace('.', '/'));
        Path resourcePkgDir = resourceOut.resolve(pkg.replace('.', '/'));
        deleteRecursively(workDir);
        deleteRecursively(pkgDir);
        deleteRecursively(resourcePkgDir);
        Files.createDirectories(workDir);
        Files.createDirectories(javaOut);
        Files.createDirectories(resourcePkgDir);
        // ABIs ship in the jar too, for readers that decode logs without wrappers (the log source).
        Path abiResources = resourceOut.resolve("io/tributary/contracts/abi");
        deleteRecursively(abiResources);
        Files.createDirectories(abiResources);

        Map<String, Path> deployable = new TreeMap<>();
        Map<String, String> sourceOf = new TreeMap<>();
        TreeSet<String> errors = new TreeSet<>();
        for (Path artifact : artifacts(forgeOut)) {
            JsonNode root = JSON.readTree(artifact.toFile());
            JsonNode target = root.path("metadata").path("settings").path("compilationTarget");
            if (!target.isObject() || target.size() != 1) {
                throw new IOException(artifact + " has no metadata.settings.compilationTarget; cannot tell"
                        + " whether it was compiled from src/ (is extra_output trimmed in foundry.toml?)");
            }
            Map.Entry<String, JsonNode> only = target.properties().iterator().next();
            String source = only.getKey();
            String name = only.getValue().asText();
            if (!source.startsWith("src/") || !Files.isRegularFile(projectDir.resolve(source))) {
                continue; // tests, test utilities, node_modules, stale artifacts
            }
            JsonNode abi = root.path("abi");
            collectErrors(abi, errors);
            String bytecode = root.path("bytecode").path("object").asText("");
            if (bytecode.isEmpty() || bytecode.equals("0x")) {
                continue; // interface or abstract contract: nothing to deploy
            }
            String previous = sourceOf.putIfAbsent(name, source);
            if (previous != null && !previous.equals(source)) {
                throw new IOException("two contracts named " + name + " (" + previous + ", " + source
                        + "): wrapper class names would collide; rename one");
            }
            Path abiFile = workDir.resolve(name + ".abi");
            Path binFile = workDir.resolve(name + ".bin");
            Files.writeString(abiFile, JSON.writeValueAsString(abi), StandardCharsets.UTF_8);
            Files.writeString(binFile, bytecode.startsWith("0x") ? bytecode.substring(2) : bytecode,
                    StandardCharsets.UTF_8);
            Files.copy(abiFile, abiResources.resolve(name + ".json"));
            deployable.put(name, abiFile);
        }
        // The generator prints a line per wrapper; keep the build quiet and show it only on failure.
        java.io.PrintStream console = System.out;
        java.io.ByteArrayOutputStream chatter = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(chatter, true, StandardCharsets.UTF_8));
        try {
            generate(deployable, workDir, javaOut, pkg);
        } catch (Exception e) {
            console.print(chatter.toString(StandardCharsets.UTF_8));
            throw e;
        } finally {
            System.setOut(console);
        }
        Files.write(resourcePkgDir.resolve("custom-errors.txt"), errors, StandardCharsets.UTF_8);
        // The Maven build prints this one line; it is a build tool, not library code.
        System.out.println("[contracts] web3j wrappers: " + deployable.size() + " " + deployable.keySet()
                + ", " + errors.size() + " custom error signatures");
    }

    private static void generate(Map<String, Path> deployable, Path workDir, Path javaOut, String pkg)
            throws IOException, ClassNotFoundException {
        for (Map.Entry<String, Path> e : deployable.entrySet()) {
            String name = e.getKey();
            new SolidityFunctionWrapperGenerator(
                            workDir.resolve(name + ".bin").toFile(),
                            e.getValue().toFile(),
                            javaOut.toFile(),
                            name,
                            pkg,
                            true, // Java native types (String, BigInteger, byte[]), as the web3j CLI does
                            false,
                            20)
                    .generate();
        }
    }

    private static List<Path> artifacts(Path forgeOut) throws IOException {
        try (Stream<Path> files = Files.walk(forgeOut)) {
            List<Path> list = new ArrayList<>();
            files.filter(p -> p.toString().endsWith(".json"))
                    .filter(p -> !p.startsWith(forgeOut.resolve("build-info")))
                    .filter(p -> p.getParent() != null && p.getParent().getFileName().toString().endsWith(".sol"))
                    .sorted()
                    .forEach(list::add);
            return list;
        }
    }

    /** Adds {@code Name(type1,type2)} for every {@code error} entry of an ABI (tuples expanded). */
    private static void collectErrors(JsonNode abi, TreeSet<String> out) {
        for (JsonNode item : abi) {
            if ("error".equals(item.path("type").asText())) {
                out.add(item.path("name").asText() + "(" + types(item.path("inputs")) + ")");
            }
        }
    }

    private static String types(JsonNode inputs) {
        List<String> types = new ArrayList<>();
        for (Iterator<JsonNode> it = inputs.elements(); it.hasNext(); ) {
            JsonNode input = it.next();
            String type = input.path("type").asText();
            if (type.startsWith("tuple")) {
                type = "(" + types(input.path("components")) + ")" + type.substring("tuple".length());
            }
            types.add(type);
        }
        return String.join(",", types);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
