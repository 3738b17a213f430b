package io.tributary.contracts.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void shouldDoubleTheBackoffUpToItsMaximum() {
        RetryPolicy retry = new RetryPolicy(Duration.ofMillis(100), Duration.ofMillis(700), Duration.ofSeconds(5));

        assertThat(retry.backoff(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(retry.backoff(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(retry.backoff(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(retry.backoff(4)).isEqualTo(Duration.ofMillis(700));
        assertThat(retry.backoff(60)).isEqualTo(Duration.ofMillis(700));
    }

    @Test
    void shouldRefuseNonsense() {
        assertThatThrownBy(() -> new RetryPolicy(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .hasMessageContaining("initialBackoff must be positive");
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .hasMessageContaining("below initialBackoff");
    }
}
