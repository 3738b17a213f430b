package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class RoundAggregationJobConfigTest {

    @Test
    void shouldRefuseAConfigWithoutModelsOrWithNegativeDurations() {
        assertThatThrownBy(() -> RoundAggregationJob.Config.builder().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model shape");
        assertThatThrownBy(() -> RoundAggregationJob.Config.builder().model(1, 0, 3).build())
                .hasMessageContaining("dimension must be >= 1");
        assertThatThrownBy(() -> RoundAggregationJob.Config.builder().model(1, 10, 3)
                .closeGrace(Duration.ofSeconds(-1)).build()).hasMessageContaining("closeGrace");
        assertThatThrownBy(() -> RoundAggregationJob.Config.builder().model(1, 10, 3)
                .chainIdleness(Duration.ZERO).build()).hasMessageContaining("chainIdleness must be > 0");
    }

    @Test
    void shouldParseOptionsAndModelShapesWithADefaultShapeFromTheCommandLine() {
        Configuration c = RoundAggregationJobMain.parse(new String[] {"--kafka.bootstrap-servers", "127.0.0.1:9092",
            "--models", "1=784:4, 2=1000000:10", "--round.close-grace", "45 s"});
        assertThat(c.get(RoundAggregationJobMain.BOOTSTRAP_SERVERS)).isEqualTo("127.0.0.1:9092");
        assertThat(c.get(RoundAggregationJobMain.CLOSE_GRACE)).isEqualTo(Duration.ofSeconds(45));
        RoundAggregationJob.Config.Builder b = RoundAggregationJob.Config.builder();
        RoundAggregationJobMain.models(c.get(RoundAggregationJobMain.MODELS), b);
        assertThat(b.build().modelShapes()).containsEntry(2L, new RoundAggregationJob.ModelShape(1_000_000, 10));
        assertThat(RoundAggregationJob.ModelShape.of(b.build().modelShapes(), 3L)).isNull();
        RoundAggregationJobMain.models("*=101770:4", b);
        assertThat(RoundAggregationJob.ModelShape.of(b.build().modelShapes(), 3L))
                .isEqualTo(new RoundAggregationJob.ModelShape(101_770, 4));
        assertThat(RoundAggregationJob.ModelShape.of(b.build().modelShapes(), 2L))
                .isEqualTo(new RoundAggregationJob.ModelShape(1_000_000, 10));
        assertThatThrownBy(() -> RoundAggregationJobMain.parse(new String[] {"--nope", "1"}))
                .hasMessageContaining("unknown option --nope");
        assertThatThrownBy(() -> RoundAggregationJobMain.models("1=784", RoundAggregationJob.Config.builder()))
                .hasMessageContaining("modelId=dimension:chunkLeavesLog2");
    }
}
