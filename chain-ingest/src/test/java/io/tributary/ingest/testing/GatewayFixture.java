package io.tributary.ingest.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;

/**
 * The project's real {@code Gateway} (from forge's output) as a log emitter for tests: anyone may
 * call {@code callContract}, which emits {@code ContractCall}. Also writes ABI directories in which
 * a Gateway address is known under a wrong ABI, to provoke unknown and undecodable logs.
 */
public final class GatewayFixture {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GatewayFixture() {}

    public static Path forgeOut() {
        return Path.of(System.getProperty("tributary.forge.out", "../contracts/target/forge-out"));
    }

    public static JsonNode artifact() throws IOException {
        Path file = forgeOut().resolve("Gateway.sol").resolve("Gateway.json");
        if (!Files.isRegularFile(file)) {
            throw new IOException("no Gateway artifact at " + file + " (build contracts first)");
        }
        return JSON.readTree(file.toFile());
    }

    /** Deploys a Gateway named {@code chainName} with the sender as its only guardian. */
    public static String deploy(AnvilTestChain chain, String chainName) throws IOException {
        String bytecode = artifact().path("bytecode").path("object").asText();
        String args = FunctionEncoder.encodeConstructor(List.of(new Utf8String(chainName),
                new DynamicArray<>(Address.class, List.of(new Address(chain.account()))), new Uint256(1)));
        return chain.deploy(bytecode + args);
    }

    public static String callData(String destinationChain, String payloadText) {
        Function f = new Function("callContract", List.of(new Utf8String(destinationChain),
                new Utf8String("0x000000000000000000000000000000000000beef"),
                new DynamicBytes(payloadText.getBytes(java.nio.charset.StandardCharsets.UTF_8))), List.of());
        return FunctionEncoder.encode(f);
    }

    /** Emits one ContractCall log (one block) and returns the transaction hash. */
    public static String emit(AnvilTestChain chain, String gateway, String payloadText) throws IOException {
        return chain.send(gateway, callData("avalanche-local", payloadText));
    }

    /** The transaction object of {@link #emit} for {@code anvil_reorg}. */
    public static Map<String, String> emitTx(AnvilTestChain chain, String gateway, String payloadText) {
        return chain.txObject(gateway, callData("avalanche-local", payloadText));
    }

    /**
     * Writes {@code dir} with the real {@code Gateway.json}, a {@code MuteGateway.json} whose ABI has
     * no events (its logs are unknown) and a {@code BrokenGateway.json} whose {@code ContractCall}
     * declares no indexed argument (same topic0, so its logs are undecodable).
     */
    public static Path writeAbiDir(Path dir) throws IOException {
        Files.createDirectories(dir);
        JsonNode artifact = artifact();
        Files.writeString(dir.resolve("Gateway.json"), JSON.writeValueAsString(artifact.path("abi")));
        Files.writeString(dir.resolve("MuteGateway.json"), "[]");
        ArrayNode broken = JSON.createArrayNode();
        for (JsonNode entry : artifact.path("abi")) {
            if ("event".equals(entry.path("type").asText()) && "ContractCall".equals(entry.path("name").asText())) {
                ObjectNode copy = entry.deepCopy();
                for (JsonNode in : copy.path("inputs")) {
                    ((ObjectNode) in).put("indexed", false);
                }
                broken.add(copy);
            }
        }
        Files.writeString(dir.resolve("BrokenGateway.json"), JSON.writeValueAsString(broken));
        return dir;
    }
}
