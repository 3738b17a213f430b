package io.tributary.contracts.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NonceAllocatorTest {

    @Test
    void shouldHandOutConsecutiveNonces() {
        NonceAllocator nonces = new NonceAllocator(7);

        assertThat(new long[] {nonces.allocate(), nonces.allocate(), nonces.allocate()}).containsExactly(7, 8, 9);
        assertThat(nonces.next()).isEqualTo(10);
    }

    @Test
    void shouldReuseTheLowestGivenBackNonceFirst() {
        NonceAllocator nonces = new NonceAllocator(0);
        for (int i = 0; i < 5; i++) {
            nonces.allocate();
        }
        nonces.release(3);
        nonces.release(1);

        assertThat(nonces.allocate()).isEqualTo(1);
        assertThat(nonces.allocate()).isEqualTo(3);
        assertThat(nonces.allocate()).isEqualTo(5);
    }

    @Test
    void shouldShrinkWhenTheTopNoncesAreGivenBack() {
        NonceAllocator nonces = new NonceAllocator(0);
        for (int i = 0; i < 4; i++) {
            nonces.allocate();
        }
        nonces.release(2);
        nonces.release(3);

        assertThat(nonces.next()).isEqualTo(2);
        assertThat(nonces.released()).isEmpty();
    }

    @Test
    void shouldForgetGapsBelowTheChainsFloor() {
        NonceAllocator nonces = new NonceAllocator(0);
        for (int i = 0; i < 4; i++) {
            nonces.allocate();
        }
        nonces.release(1);
        nonces.raiseFloor(6);

        assertThat(nonces.allocate()).isEqualTo(6);
    }

    @Test
    void shouldRefuseToTakeBackANonceItNeverGave() {
        NonceAllocator nonces = new NonceAllocator(3);

        assertThatThrownBy(() -> nonces.release(3)).isInstanceOf(IllegalArgumentException.class);
        nonces.allocate();
        nonces.allocate();
        nonces.release(3);
        assertThatThrownBy(() -> nonces.release(3)).isInstanceOf(IllegalArgumentException.class);
    }
}
