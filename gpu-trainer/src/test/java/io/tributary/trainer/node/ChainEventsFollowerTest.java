package io.tributary.trainer.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import io.tributary.schemas.avro.LogSource;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the node keeps of chain.events (the follower's Kafka loop itself runs in TrainerNodeIT). */
class ChainEventsFollowerTest {

    private static final String COORDINATOR = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9";
    private static final String OWN_HUB = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";
    private static final String OTHER_HUB = "0x0165878a594ca255338adfa4d48449f69242eb8f";

    private static ChainEvent event(ChangeOp op, long chainId, String contract, String name, Map<String, String> fields) {
        return ChainEvent.newBuilder().setOp(op)
                .setSource(LogSource.newBuilder().setChainId(chainId).setBlockNumber(5).setBlockHash("0xab").setBlockTimestamp(1)
                        .setTxHash("0xcd").setLogIndex(0).setContract(contract).build())
                .setContractName("X").setEventName(name).setFields(fields).setTopics(List.of())
                .setData(ByteBuffer.allocate(0)).setEmittedAt(0).build();
    }

    @Test
    void shouldLearnOfTasksFromTheCoordinatorOrItsOwnHubOnly() throws Exception {
        ChainEventsFollower f = new ChainEventsFollower("127.0.0.1:1", COORDINATOR, 412346, OWN_HUB);
        f.apply(event(ChangeOp.c, 31337, COORDINATOR.toLowerCase(), "TaskPosted", Map.of("taskId", "3")), "k1");
        f.apply(event(ChangeOp.c, 412346, OWN_HUB, "TaskAnnounced", Map.of("taskId", "5")), "k2");
        f.apply(event(ChangeOp.c, 43112, OTHER_HUB, "TaskAnnounced", Map.of("taskId", "9")), "k3");
        f.apply(event(ChangeOp.c, 31337, OTHER_HUB, "TaskPosted", Map.of("taskId", "11")), "k4");
        assertThat(f.tasks()).containsExactly(3L, 5L);
        f.close();
    }

    @Test
    void shouldKeepConfirmedRevealsOfEveryHubAndDropRetractedOnes() throws Exception {
        ChainEventsFollower f = new ChainEventsFollower("127.0.0.1:1", COORDINATOR, 412346, OWN_HUB);
        Map<String, String> a = Map.of("taskId", "3", "round", "1", "worker", "0x00000000000000000000000000000000000000a1",
                "updateRoot", "0x" + "11".repeat(32), "samples", "700", "dataRoot", "0x" + "00".repeat(32));
        Map<String, String> b = Map.of("taskId", "3", "round", "1", "worker", "0x00000000000000000000000000000000000000b2",
                "updateRoot", "0x" + "22".repeat(32), "samples", "300", "dataRoot", "0x" + "00".repeat(32));
        f.apply(event(ChangeOp.c, 412346, OWN_HUB, "UpdateRevealed", a), "ka");
        f.apply(event(ChangeOp.c, 43112, OTHER_HUB, "UpdateRevealed", b), "kb");
        assertThat(f.reveals(3, 1)).hasSize(2);
        assertThat(f.reveals(3, 0)).isEmpty();
        f.apply(event(ChangeOp.d, 43112, OTHER_HUB, "UpdateRevealed", b), "kb");
        assertThat(f.reveals(3, 1)).singleElement().satisfies(r -> {
            assertThat(r.chainId()).isEqualTo(412346);
            assertThat(r.weight()).isEqualTo(700);
            assertThat(r.updateRoot()[0]).isEqualTo((byte) 0x11);
        });
        f.close();
    }
}
