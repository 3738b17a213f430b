package io.tributary.ingest.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AdaptiveRangeTest {

    @Test
    void shouldHalveWhenRefusedButNotBelowMinimum() {
        AdaptiveRange r = new AdaptiveRange(100, 10, 1000, 2);
        assertThat(r.shrink()).isTrue();
        assertThat(r.size()).isEqualTo(50);
        r.shrink();
        r.shrink();
        assertThat(r.size()).isEqualTo(12);
        assertThat(r.shrink()).isTrue();
        assertThat(r.size()).isEqualTo(10);
        assertThat(r.shrink()).as("already at the minimum").isFalse();
        assertThat(r.size()).isEqualTo(10);
    }

    @Test
    void shouldDoubleAfterRunOfFullRangesUpToMaximum() {
        AdaptiveRange r = new AdaptiveRange(100, 10, 300, 2);
        r.succeeded(true);
        assertThat(r.size()).isEqualTo(100);
        r.succeeded(true);
        assertThat(r.size()).isEqualTo(200);
        r.succeeded(true);
        r.succeeded(true);
        assertThat(r.size()).isEqualTo(300);
    }

    @Test
    void shouldNotGrowOnShortRangesAtTheHead() {
        AdaptiveRange r = new AdaptiveRange(100, 10, 300, 1);
        r.succeeded(false);
        r.succeeded(false);
        assertThat(r.size()).isEqualTo(100);
    }

    @Test
    void shouldRestartTheGrowthCountAfterARefusal() {
        AdaptiveRange r = new AdaptiveRange(100, 10, 300, 2);
        r.succeeded(true);
        r.shrink();
        r.succeeded(true);
        assertThat(r.size()).isEqualTo(50);
    }

    @Test
    void shouldNotAskForARefusedSizeAgainRightAway() {
        AdaptiveRange r = new AdaptiveRange(64, 1, 1024, 1);
        r.shrink(); // 64 refused -> 32
        for (int i = 0; i < 5; i++) {
            r.succeeded(true);
        }
        assertThat(r.size()).as("grows up to just below the refused size").isEqualTo(63);
        for (int i = 0; i < AdaptiveRange.PATIENCE; i++) {
            r.succeeded(true);
        }
        assertThat(r.size()).as("after enough successes the refusal is forgotten").isGreaterThanOrEqualTo(64);
    }

    @Test
    void shouldRefuseNonsenseBounds() {
        assertThatThrownBy(() -> new AdaptiveRange(5, 10, 100, 1)).hasMessageContaining("min");
        assertThatThrownBy(() -> new AdaptiveRange(10, 0, 100, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
