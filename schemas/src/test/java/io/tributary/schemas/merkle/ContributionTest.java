package io.tributary.schemas.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContributionTest {

    private static final HexFormat HEX = HexFormat.of();

    private static Contribution first() {
        byte[] worker = new byte[20];
        for (int i = 0; i < 20; i++) {
            worker[i] = (byte) (i + 1);
        }
        byte[] root = new byte[32];
        Arrays.fill(root, (byte) 0xaa);
        return new Contribution(31337, worker, root, 1000);
    }

    private static Contribution second() {
        byte[] worker = new byte[20];
        Arrays.fill(worker, (byte) 0x11);
        byte[] root = new byte[32];
        Arrays.fill(root, (byte) 0xbb);
        return new Contribution(1, worker, root, 7);
    }

    @Test
    void shouldEncodeLeafAsChainWorkerRootWeightBigEndianWhenHashed() {
        Contribution c = first();
        assertThat(c.leafBytes()).hasSize(68);
        assertThat(HEX.formatHex(c.leafBytes())).isEqualTo("0000000000007a69"
                + "0102030405060708090a0b0c0d0e0f1011121314"
                + "aa".repeat(32)
                + "00000000000003e8");
        assertThat(HEX.formatHex(c.leafHash()))
                .isEqualTo("fadada3946ca4b3f55b7f338d4c2c9709edd03b7e2280b62b3e34ed308253bb3");
        assertThat(HEX.formatHex(second().leafHash()))
                .isEqualTo("4b6ea515853863d34f26195ed35c25b1962ea2281f519ee6e89bdf0055e00056");
    }

    @Test
    void shouldBuildContributionsRootAndClaimProofs() {
        MerkleTree tree = Contribution.tree(List.of(first(), second()));
        assertThat(HEX.formatHex(tree.root()))
                .isEqualTo("e8e8515e245724d3990d3fdac3646de6603cedabad39d1107b7fc7e15bdd2893");
        assertThat(MerkleTree.verify(second().leafHash(), 1, tree.proof(1), tree.root())).isTrue();
        assertThat(MerkleTree.verify(second().leafHash(), 0, tree.proof(1), tree.root())).isFalse();
    }

    @Test
    void shouldTreatChainIdAndWeightAsUnsigned() {
        Contribution c = new Contribution(-1L, new byte[20], new byte[32], Long.MIN_VALUE);
        assertThat(HEX.formatHex(c.leafBytes())).startsWith("ffffffffffffffff").endsWith("8000000000000000");
        assertThat(c.toString()).contains("chainId=18446744073709551615", "weight=9223372036854775808");
    }

    @Test
    void shouldRefuseAddressesAndRootsOfTheWrongLength() {
        assertThatThrownBy(() -> new Contribution(1, new byte[19], new byte[32], 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("20-byte address");
        assertThatThrownBy(() -> new Contribution(1, new byte[20], new byte[31], 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
    }
}
