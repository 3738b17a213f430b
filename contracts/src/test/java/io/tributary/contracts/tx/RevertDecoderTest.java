package io.tributary.contracts.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;

class RevertDecoderTest {

    private final RevertDecoder decoder = RevertDecoder.of(List.of("WorkerHubUnderStaked(address,uint256)"));

    private static String encode(String name, org.web3j.abi.datatypes.Type<?>... args) {
        return FunctionEncoder.encode(new Function(name, List.of(args), List.of()));
    }

    @Test
    void shouldDecodeErrorString() {
        RevertReason reason = decoder.decode(encode("Error", new Utf8String("not enough stake")));

        assertThat(reason.kind()).isEqualTo(RevertReason.Kind.ERROR_STRING);
        assertThat(reason.selector()).isEqualTo("0x08c379a0");
        assertThat(reason).hasToString("not enough stake");
    }

    @Test
    void shouldDecodePanicWithItsMeaning() {
        RevertReason reason = decoder.decode(encode("Panic", new Uint256(0x11)));

        assertThat(reason.kind()).isEqualTo(RevertReason.Kind.PANIC);
        assertThat(reason).hasToString("Panic(0x11: arithmetic overflow or underflow)");
    }

    @Test
    void shouldDecodeAKnownCustomErrorWithItsArguments() {
        String data = encode("WorkerHubUnderStaked", new Address("0x00000000000000000000000000000000000000aa"),
                new Uint256(BigInteger.valueOf(42)));

        RevertReason reason = decoder.decode(data);

        assertThat(reason.kind()).isEqualTo(RevertReason.Kind.CUSTOM_ERROR);
        assertThat(reason.name()).isEqualTo("WorkerHubUnderStaked");
        assertThat(reason.arguments()).containsExactly("0x00000000000000000000000000000000000000aa", "42");
    }

    @Test
    void shouldKeepTheSelectorOfAnUnknownError() {
        RevertReason reason = decoder.decode("0xdeadbeef0000");

        assertThat(reason.kind()).isEqualTo(RevertReason.Kind.UNKNOWN);
        assertThat(reason.selector()).isEqualTo("0xdeadbeef");
        assertThat(reason.toString()).contains("0xdeadbeef");
    }

    @Test
    void shouldSayWhenThereIsNoRevertData() {
        assertThat(decoder.decode(null).kind()).isEqualTo(RevertReason.Kind.NO_DATA);
        assertThat(decoder.decode("0x").kind()).isEqualTo(RevertReason.Kind.NO_DATA);
    }

    @Test
    void shouldTreatTruncatedErrorStringDataAsUnknown() {
        assertThat(decoder.decode("0x08c379a000000000").kind()).isEqualTo(RevertReason.Kind.UNKNOWN);
    }

    @Test
    void shouldKnowTheCustomErrorsOfTheProjectContracts() {
        RevertDecoder project = RevertDecoder.withProjectErrors();
        String data = encode("MerkleSha256IndexOutOfRange", new Uint256(9), new Uint256(3));

        assertThat(project.decode(data)).hasToString("MerkleSha256IndexOutOfRange(9, 3)");
    }

    @Test
    void shouldRefuseSomethingThatIsNotAnErrorSignature() {
        assertThatThrownBy(() -> RevertDecoder.of(List.of("not a signature")))
                .hasMessageContaining("not an error signature");
    }

    @Test
    void shouldSplitTupleTypesAtTheTopLevelOnly() {
        assertThat(RevertDecoder.splitTypes("uint256,(address,bytes32)[],bool"))
                .containsExactly("uint256", "(address,bytes32)[]", "bool");
        assertThat(RevertDecoder.splitTypes("")).isEmpty();
    }
}
