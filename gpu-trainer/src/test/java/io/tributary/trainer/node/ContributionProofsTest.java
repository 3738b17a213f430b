package io.tributary.trainer.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.merkle.Contribution;
import io.tributary.schemas.merkle.MerkleTree;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContributionProofsTest {

    private static byte[] root(int b) {
        byte[] r = new byte[32];
        r[0] = (byte) b;
        r[31] = (byte) (b * 7);
        return r;
    }

    private static String addr(int b) {
        return "0x" + "00".repeat(19) + String.format("%02x", b);
    }

    @Test
    void shouldProveEachWorkersLeafUnderTheRootBuiltFromTheSortedReveals() {
        List<ContributionProofs.Reveal> reveals = new ArrayList<>(List.of(
                new ContributionProofs.Reveal(43112, addr(3), root(3), 30),
                new ContributionProofs.Reveal(31337, addr(9), root(9), 90),
                new ContributionProofs.Reveal(31337, addr(2), root(2), 20),
                new ContributionProofs.Reveal(412346, addr(1).toUpperCase().replace("0X", "0x"), root(1), 10)));
        // the aggregation job's tree: sorted by chain, then worker
        List<Contribution> expected = List.of(
                new Contribution(31337, HexFormat.of().parseHex(addr(2).substring(2)), root(2), 20),
                new Contribution(31337, HexFormat.of().parseHex(addr(9).substring(2)), root(9), 90),
                new Contribution(43112, HexFormat.of().parseHex(addr(3).substring(2)), root(3), 30),
                new Contribution(412346, HexFormat.of().parseHex(addr(1).substring(2)), root(1), 10));
        MerkleTree tree = Contribution.tree(expected);
        assertThat(ContributionProofs.contributions(reveals)).isEqualTo(expected);

        Optional<ContributionProofs.Proof> proof = ContributionProofs.prove(reveals, 43112, addr(3), tree.root());
        assertThat(proof).isPresent();
        assertThat(proof.get().index()).isEqualTo(2);
        assertThat(MerkleTree.verify(expected.get(2).leafHash(), 2, proof.get().siblings().toArray(new byte[0][]), tree.root()))
                .isTrue();
    }

    @Test
    void shouldGiveNoProofWhenTheRevealsDoNotRebuildTheCommittedRootOrLackTheWorker() {
        List<ContributionProofs.Reveal> reveals = List.of(
                new ContributionProofs.Reveal(31337, addr(2), root(2), 20),
                new ContributionProofs.Reveal(31337, addr(9), root(9), 90));
        byte[] onlyTheFirst = Contribution.tree(List.of(new Contribution(31337,
                HexFormat.of().parseHex(addr(2).substring(2)), root(2), 20))).root();
        assertThat(ContributionProofs.prove(reveals, 31337, addr(2), onlyTheFirst)).isEmpty();
        byte[] both = Contribution.tree(ContributionProofs.contributions(reveals)).root();
        assertThat(ContributionProofs.prove(reveals, 31337, addr(5), both)).isEmpty();
        assertThat(ContributionProofs.prove(reveals, 31337, addr(9), both)).isPresent();
    }
}
