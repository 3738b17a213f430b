package io.tributary.schemas.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WireParamsTest {

    private static WireParams.Builder valid() {
        return Fixtures.small().toBuilder();
    }

    @Test
    void shouldDeriveLeavesChunksAndDepthFromDimension() {
        WireParams p = valid().dimension(1_000_000).chunkLeavesLog2(WireParams.DEFAULT_CHUNK_LEAVES_LOG2).build();
        assertThat(p.totalLeaves()).isEqualTo(15_625);
        assertThat(p.chunkCount()).isEqualTo(16);
        assertThat(p.treeDepth()).isEqualTo(14);
        assertThat(p.chunkLevel()).isEqualTo(10);
        assertThat(p.leavesInChunk(15)).isEqualTo(15_625 - 15 * 1024);
        assertThat(p.coordsInChunk(15)).isEqualTo(1_000_000 - 15 * 65_536);
        assertThat(p.toBuilder().build()).isEqualTo(p);
    }

    @Test
    void shouldRefuseNonsenseWithAClearMessage() {
        assertThatThrownBy(() -> valid().dimension(0).build()).hasMessageContaining("dimension must be >= 1");
        assertThatThrownBy(() -> valid().chunkLeavesLog2(21).build()).hasMessageContaining("chunkLeavesLog2");
        assertThatThrownBy(() -> valid().exponentRange(3, 2).build()).hasMessageContaining("greater than expMax");
        assertThatThrownBy(() -> valid().exponentRange(-129, 0).build()).hasMessageContaining("must lie within");
        assertThatThrownBy(() -> valid().exponentRange(0, 121).build()).hasMessageContaining("must lie within");
        assertThatThrownBy(() -> valid().exponentRange(-50, 0).build()).hasMessageContaining("exponent span");
        assertThatThrownBy(() -> valid().l2Bound(0).build()).hasMessageContaining("l2Bound");
        assertThatThrownBy(() -> valid().l2Bound(8).build()).hasMessageContaining("127 * 2^expMax");
        assertThatThrownBy(() -> valid().maxWeight(0).build()).hasMessageContaining("maxWeight");
        assertThatThrownBy(() -> valid().maxContributors(0).build()).hasMessageContaining("maxContributors");
        assertThatThrownBy(() -> WireParams.builder().dimension(5).build()).hasMessageContaining("exponentRange");
    }

    @Test
    void shouldRefuseParametersWhoseSumsCouldOverflowInt64() {
        // 2^20 contributors * 2^20 weight * 2^7 * 2^(span 16) = 2^63 > int64 max.
        assertThatThrownBy(() -> valid().exponentRange(-20, -4).maxWeight(1 << 20).maxContributors(1 << 20).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("accumulator headroom")
                .hasMessageContaining("exceeds int64 max");
        // One contributor fewer fits.
        assertThat(valid().exponentRange(-20, -4).maxWeight(1 << 20).maxContributors((1 << 20) - 1).build())
                .isNotNull();
    }
}
