package io.tributary.ingest.relayer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.contracts.gateway.GatewayApprovals;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

class ContractCallMessageTest {

    @Test
    void shouldDeriveMessageIdAndCommandIdAsGatewayMdSays() throws Exception {
        ContractCallMessage m = ContractCallMessage.from(Messages.event(Messages.fields("hello tributary")), "home");

        assertThat(m.messageId()).isEqualTo(Messages.TX_HASH + "-3");
        assertThat(m.commandId()).isEqualTo(Hash.sha3(("home_" + Messages.TX_HASH + "-3").getBytes(StandardCharsets.UTF_8)));
        assertThat(m.payloadHash()).isEqualTo(
                Numeric.hexStringToByteArray("0xb7352f217b3c66b9341da2a0292232962896d7164d71e36387a85b37a9619628"));
        assertThat(m.payload()).isEqualTo("hello tributary".getBytes(StandardCharsets.UTF_8));
        assertThat(m.destinationAddress()).isEqualTo(Messages.RECEIVER.toLowerCase());
        assertThat(m.emittedAt()).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void shouldWriteSourceAddressChecksummedWhateverTheEventsCase() throws Exception {
        Map<String, String> upper = Messages.fields("x");
        upper.put("sender", "0x" + Messages.SENDER.substring(2).toUpperCase());
        ContractCallMessage fromLower = ContractCallMessage.from(Messages.event(Messages.fields("x")), "home");
        ContractCallMessage fromUpper = ContractCallMessage.from(Messages.event(upper), "home");

        assertThat(fromLower.sourceAddress()).isEqualTo("0x5FbDB2315678afecb367f032d93F642f64180aa3");
        assertThat(fromUpper.sourceAddress()).isEqualTo(fromLower.sourceAddress());
        assertThat(GatewayApprovals.approvalDigest(new GatewayApprovals.Domain(1, Messages.RECEIVER), fromUpper.approval()))
                .isEqualTo(GatewayApprovals.approvalDigest(new GatewayApprovals.Domain(1, Messages.RECEIVER),
                        fromLower.approval()));
    }

    @Test
    void shouldRefusePayloadThatDoesNotHashToPayloadHash() {
        Map<String, String> f = Messages.fields("hello");
        f.put("payload", Numeric.toHexString("tampered".getBytes(StandardCharsets.UTF_8)));

        assertThatThrownBy(() -> ContractCallMessage.from(Messages.event(f), "home"))
                .isInstanceOfSatisfying(ContractCallMessage.InvalidEventException.class, e -> assertThat(e.badHash()).isTrue())
                .hasMessageContaining("payload hashes to");
    }

    @Test
    void shouldRefuseMissingOrMalformedFields() {
        Map<String, String> missing = Messages.fields("x");
        missing.remove("destinationChain");
        Map<String, String> badAddress = Messages.fields("x");
        badAddress.put("destinationContractAddress", "arbitrum:0x12");
        Map<String, String> badHex = Messages.fields("x");
        badHex.put("payload", "0xabc");

        assertThatThrownBy(() -> ContractCallMessage.from(Messages.event(missing), "home"))
                .hasMessageContaining("'destinationChain' is missing");
        assertThatThrownBy(() -> ContractCallMessage.from(Messages.event(badAddress), "home"))
                .hasMessageContaining("destinationContractAddress is not an address");
        assertThatThrownBy(() -> ContractCallMessage.from(Messages.event(badHex), "home"))
                .hasMessageContaining("'payload' is not 0x-hex bytes");
    }

    @Test
    void shouldRefuseEventsOtherThanContractCall() {
        var event = Messages.event(Messages.fields("x"));
        event.setEventName("ContractCallApproved");

        assertThat(ContractCallMessage.isContractCall(event)).isFalse();
        assertThatThrownBy(() -> ContractCallMessage.from(event, "home")).hasMessageContaining("not a Gateway ContractCall");
    }
}
