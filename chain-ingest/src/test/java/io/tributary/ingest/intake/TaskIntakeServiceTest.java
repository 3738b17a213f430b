package io.tributary.ingest.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.contracts.tx.RevertReason;
import io.tributary.schemas.avro.RejectionReason;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskIntakeServiceTest {

    private static RevertReason custom(String name) {
        return new RevertReason(RevertReason.Kind.CUSTOM_ERROR, "0x12345678", name, List.of("1", "2"), "0x");
    }

    @Test
    void shouldMapTheContractsRevertsToTheirRejectionReasons() {
        assertThat(TaskIntakeService.reasonOf(custom("TaskIntakeBadNonce"))).isEqualTo(RejectionReason.REPLAYED_NONCE);
        assertThat(TaskIntakeService.reasonOf(custom("TaskIntakeBadSignature"))).isEqualTo(RejectionReason.BAD_SIGNATURE);
        assertThat(TaskIntakeService.reasonOf(custom("TaskIntakeRequestExpired"))).isEqualTo(RejectionReason.EXPIRED);
        assertThat(TaskIntakeService.reasonOf(custom("TaskCoordinatorInsufficientAllowance")))
                .isEqualTo(RejectionReason.INSUFFICIENT_ALLOWANCE);
        assertThat(TaskIntakeService.reasonOf(custom("TaskCoordinatorUnderfunded")))
                .isEqualTo(RejectionReason.INSUFFICIENT_BALANCE);
        assertThat(TaskIntakeService.reasonOf(custom("TaskCoordinatorNoHeadroom"))).isEqualTo(RejectionReason.HEADROOM);
        assertThat(TaskIntakeService.reasonOf(custom("TaskCoordinatorUnknownChain"))).isEqualTo(RejectionReason.BAD_SPEC);
    }

    @Test
    void shouldCallAnyOtherRevertChainRejected() {
        assertThat(TaskIntakeService.reasonOf(custom("TaskCoordinatorNotTaskIntake")))
                .isEqualTo(RejectionReason.CHAIN_REJECTED);
        assertThat(TaskIntakeService.reasonOf(new RevertReason(RevertReason.Kind.NO_DATA, "", "", List.of(), "0x")))
                .isEqualTo(RejectionReason.CHAIN_REJECTED);
    }

    @Test
    void shouldKeyTheOnChainWriteByTheRequestId() {
        assertThat(TaskIntakeService.idempotencyKey("abc")).isEqualTo("postTaskFor:abc");
    }

    @Test
    void shouldNameEveryMissingSettingWhenTheConfigIsIncomplete() {
        assertThatThrownBy(() -> IntakeConfig.builder().homeChain("http://127.0.0.1:1", 0)
                .contracts("0x1", null, "0x" + "11".repeat(20), "0x" + "22".repeat(20)).submitterKey("nope").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafkaBootstrap is required")
                .hasMessageContaining("chain id must be positive")
                .hasMessageContaining("taskIntake must be a 0x address")
                .hasMessageContaining("coordinator must be a 0x address")
                .hasMessageContaining("submitterKey must be a 32-byte hex private key")
                .hasMessageContaining("stateDir is required");
    }

    @Test
    void shouldNotPrintTheKeyWhenTheConfigIsLogged() {
        String key = "ab".repeat(32);
        IntakeConfig config = IntakeConfig.builder().kafkaBootstrap("127.0.0.1:9092").homeChain("http://127.0.0.1:1", 1)
                .contracts("0x" + "11".repeat(20), "0x" + "22".repeat(20), "0x" + "33".repeat(20), "0x" + "44".repeat(20))
                .submitterKey(key).stateDir(Path.of("target/x")).build();
        assertThat(config.toString()).doesNotContain(key).contains("tributary-intake");
    }
}
