package io.tributary.ingest.keeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.contracts.tx.RevertDecoder;
import io.tributary.contracts.tx.RevertReason;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint8;

class HomeCoordinatorTest {

    private static final RevertDecoder DECODER = RevertDecoder.withProjectErrors();

    /** The revert data the coordinator returns for {@code error} with {@code args}, decoded as the writer does. */
    private static RevertReason revert(String signature, Type<?>... args) {
        String encoded = FunctionEncoder.encodeConstructor(List.of(args));
        return DECODER.decode(RevertDecoder.selector(signature) + encoded);
    }

    private static RevertReason wrongPhase(int phase) {
        return revert("TaskCoordinatorWrongPhase(uint256,uint16,uint8)", new Uint256(4), new Uint16(1), new Uint8(phase));
    }

    @Test
    void shouldCountARoundAsSettledWhenTheRevertSaysFinalizedOrFailed() {
        assertThat(HomeCoordinator.alreadySettled(wrongPhase(HomeCoordinator.PHASE_FINALIZED))).isTrue();
        assertThat(HomeCoordinator.alreadySettled(wrongPhase(HomeCoordinator.PHASE_FAILED))).isTrue();
        assertThat(HomeCoordinator.alreadySettled(revert("TaskCoordinatorTaskNotActive(uint256)", new Uint256(4))))
                .isTrue();
    }

    @Test
    void shouldTreatOtherRevertsAsErrorsWhenTheRoundIsNotSettled() {
        for (int phase = 0; phase <= 4; phase++) {
            assertThat(HomeCoordinator.alreadySettled(wrongPhase(phase))).as("phase %d", phase).isFalse();
        }
        assertThat(HomeCoordinator.alreadySettled(revert("TaskCoordinatorUnknownTask(uint256)", new Uint256(4))))
                .isFalse();
        assertThat(HomeCoordinator.alreadySettled(DECODER.decode("0x"))).isFalse();
    }
}
