package io.tributary.contracts.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.schemas.merkle.Contribution;
import io.tributary.schemas.merkle.MerkleTree;
import io.tributary.schemas.merkle.Sha256;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.utils.Numeric;

/**
 * The Java Merkle hashing (schemas) and the Solidity one (MerkleSha256.sol) must be the same
 * function: the forge tests check the contract against test/vectors/merkle-v1.json, and this test
 * checks the Java side against the very same file.
 */
class MerkleVectorsTest {

    private static JsonNode vectors;

    @BeforeAll
    static void load() throws IOException {
        vectors = new ObjectMapper().readTree(Path.of("test/vectors/merkle-v1.json").toFile());
        assertThat(vectors.path("version").asInt()).isEqualTo(1);
    }

    @Test
    void shouldHashLeavesAsTheContractDoes() {
        Sha256 sha = new Sha256();
        assertThat(vectors.path("leafHashes")).isNotEmpty();
        for (JsonNode v : vectors.path("leafHashes")) {
            assertThat(hex(sha.leafHash(bytes(v, "leafBytes")))).isEqualTo(v.path("leafHash").asText());
        }
    }

    @Test
    void shouldHashNodesAsTheContractDoes() {
        Sha256 sha = new Sha256();
        assertThat(vectors.path("nodeHashes")).isNotEmpty();
        for (JsonNode v : vectors.path("nodeHashes")) {
            assertThat(hex(sha.nodeHash(bytes(v, "left"), bytes(v, "right")))).isEqualTo(v.path("hash").asText());
        }
    }

    @Test
    void shouldBuildTheSameRootsAndProofsAsTheContractVerifies() {
        assertThat(vectors.path("trees")).isNotEmpty();
        for (JsonNode t : vectors.path("trees")) {
            List<byte[]> leaves = new ArrayList<>();
            t.path("leafBytes").forEach(l -> leaves.add(Numeric.hexStringToByteArray(l.asText())));
            MerkleTree tree = MerkleTree.ofLeaves(leaves);
            String size = "tree of " + t.path("size").asInt();
            assertThat(tree.depth()).as(size).isEqualTo(t.path("depth").asInt());
            assertThat(hex(tree.root())).as(size).isEqualTo(t.path("root").asText());
            for (int i = 0; i < leaves.size(); i++) {
                List<String> expected = new ArrayList<>();
                t.path("proofs").get(i).forEach(s -> expected.add(s.asText()));
                List<String> actual = new ArrayList<>();
                for (byte[] sibling : tree.proof(i)) {
                    actual.add(hex(sibling));
                }
                assertThat(actual).as(size + ", proof of leaf " + i).isEqualTo(expected);
                byte[] leafHash = Numeric.hexStringToByteArray(t.path("leaves").get(i).asText());
                assertThat(MerkleTree.verify(leafHash, i, tree.proof(i), tree.root())).isTrue();
            }
        }
    }

    @Test
    void shouldEncodeContributionLeavesAsTheContractDoes() {
        assertThat(vectors.path("contributions")).isNotEmpty();
        for (JsonNode c : vectors.path("contributions")) {
            Contribution contribution = new Contribution(Long.parseUnsignedLong(c.path("chainId").asText()),
                    bytes(c, "worker"), bytes(c, "updateRoot"), Long.parseUnsignedLong(c.path("weight").asText()));
            assertThat(hex(contribution.leafBytes())).isEqualTo(c.path("leafBytes").asText());
            assertThat(hex(contribution.leafHash())).isEqualTo(c.path("leafHash").asText());
        }
    }

    private static byte[] bytes(JsonNode node, String field) {
        return Numeric.hexStringToByteArray(node.path(field).asText());
    }

    private static String hex(byte[] bytes) {
        return Numeric.toHexString(bytes);
    }
}
