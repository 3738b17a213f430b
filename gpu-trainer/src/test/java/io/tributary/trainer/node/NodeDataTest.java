package io.tributary.trainer.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.trainer.data.DataRoot;
import io.tributary.trainer.data.MnistLoader;
import io.tributary.trainer.data.Sample;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NodeDataTest {

    private static List<Sample> DIGITS;

    @BeforeAll
    static void loadDigits() throws Exception {
        DIGITS = MnistLoader.load(MnistLoader.defaultDir(), 200);
    }

    @Test
    void shouldGiveEachOneBasedShardItsOwnRowsWithTheSameHeldOutSplit() throws Exception {
        Set<String> seen = new HashSet<>();
        int total = 0;
        for (int shard = 1; shard <= 3; shard++) {
            NodeData data = NodeData.mnist(DIGITS, "mnist:iid", shard, 3);
            NodeData.RoundData round = data.forRound(1, 0).orElseThrow();
            assertThat(round.dataRoot()).isEqualTo(DataRoot.of(round.rows()));
            assertThat(data.forRound(1, 4).orElseThrow().dataRoot()).as("the same rows every round").isEqualTo(round.dataRoot());
            for (int i = 0; i < round.rows().size(); i++) {
                Sample s = round.rows().sample(i);
                assertThat(seen.add(new String(s.rowId(), java.nio.charset.StandardCharsets.US_ASCII))).isTrue();
            }
            total += round.rows().size();
            assertThat(data.heldOut().orElseThrow().size()).isEqualTo(NodeData.TEST_SIZE);
        }
        assertThat(total).isEqualTo(DIGITS.size() - NodeData.TEST_SIZE);
    }

    @Test
    void shouldRefuseABadShardOrDataSpec() throws Exception {
        assertThatThrownBy(() -> NodeData.mnist(DIGITS, "mnist", 0, 3)).hasMessageContaining("1 <= I <= N");
        assertThatThrownBy(() -> NodeData.mnist(DIGITS, "mnist", 4, 3)).hasMessageContaining("1 <= I <= N");
        assertThatThrownBy(() -> NodeData.mnist(DIGITS, "cifar", 1, 3)).hasMessageContaining("mnist[:iid|:dirichlet=ALPHA]");
        assertThat(NodeData.mnist(DIGITS, "mnist:dirichlet=0.3", 2, 3).forRound(1, 0)).isPresent();
    }
}
