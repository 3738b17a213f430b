package io.tributary.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeysTest {

    @Test
    void shouldBuildOneKeyPerLogWhateverTheHexCase() {
        assertThat(Keys.chainEvent(31337, "0xABCdef", "0xFF00", 4)).isEqualTo("31337:0xabcdef:0xff00:4");
        assertThat(Keys.chainEvent(31337, "0xabcdef", "0xff00", 4))
                .isEqualTo(Keys.chainEvent(31337, "0xABCDEF", "0xFF00", 4));
    }

    @Test
    void shouldBuildChunkRoundAndDeadLetterKeys() {
        assertThat(Keys.chunk(7, 2, 13)).isEqualTo("7:2:13");
        assertThat(Keys.round(7, 2)).isEqualTo("7:2");
        assertThat(Keys.chainBlock(43112)).isEqualTo("43112");
        assertThat(Keys.deadLetter("updates.chunks", "7:2:13")).isEqualTo("updates.chunks:7:2:13");
        assertThat(Keys.deadLetter("tasks.requests", null)).isEqualTo("tasks.requests:");
    }
}
