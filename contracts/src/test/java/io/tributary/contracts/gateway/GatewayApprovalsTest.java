package io.tributary.contracts.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.contracts.gateway.GatewayApprovals.Approval;
import io.tributary.contracts.gateway.GatewayApprovals.Domain;
import io.tributary.contracts.gateway.GatewayApprovals.Signed;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/** Reproduces the worked example of contracts/GATEWAY.md byte for byte (the forge tests check the same). */
class GatewayApprovalsTest {

    private static final Domain ARBITRUM = new Domain(31337, "0x5615dEB798BB3E4dFa0139dFa1b3D433Cc23b72f");
    private static final Approval EXAMPLE = new Approval(
            Numeric.hexStringToByteArray("0x" + "00".repeat(31) + "01"), "home",
            "0x5FbDB2315678afecb367f032d93F642f64180aa3", "arbitrum-local",
            "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
            Hash.sha3("hello tributary".getBytes(StandardCharsets.UTF_8)));

    private static Credentials key(int k) {
        return Credentials.create(ECKeyPair.create(BigInteger.valueOf(k)));
    }

    @Test
    void shouldComputeTheDomainSeparatorAndApprovalDigestOfTheWorkedExample() {
        assertThat(Numeric.toHexString(EXAMPLE.payloadHash()))
                .isEqualTo("0xb7352f217b3c66b9341da2a0292232962896d7164d71e36387a85b37a9619628");
        assertThat(Numeric.toHexString(ARBITRUM.separator()))
                .isEqualTo("0x769abd07814e2a14547cb559a81da9166fc12be5d1e5125ed602c394ca05d88f");
        assertThat(Numeric.toHexString(GatewayApprovals.approvalDigest(ARBITRUM, EXAMPLE)))
                .isEqualTo("0x20e2dc11556485925b78539fa4461fef873de759ebd6d6ba424cc3639d46ec1f");
    }

    @Test
    void shouldProduceTheSameDeterministicSignaturesAsForge() {
        byte[] digest = GatewayApprovals.approvalDigest(ARBITRUM, EXAMPLE);
        assertThat(Numeric.toHexString(GatewayApprovals.sign(digest, key(1)))).isEqualTo(
                "0x572b4001aef025cca86b02b9ad0c69fa352ea657599d88c7042b7a4dca3fe44b"
                        + "49b1e5f493ef0e18ae1a4faf38a0b7ca145a6654f8eb599e3f0801a52fcf9ff21c");
        assertThat(Numeric.toHexString(GatewayApprovals.sign(digest, key(2)))).isEqualTo(
                "0x2dec38b2749cb2f0617e14d90dab21fb158c1aa10d22ddc9e9f8cbd4c36e272f"
                        + "261a6d70795d8d68e3c7a442970818b094de531cfba5ae4cdfa0f8d85323d70c1c");
    }

    @Test
    void shouldComputeTheRotationDigestOfTheWorkedExample() {
        List<String> next = List.of(key(4).getAddress(), key(5).getAddress(), key(6).getAddress());
        byte[] digest = GatewayApprovals.rotationDigest(ARBITRUM, next, 2, 1);
        assertThat(Numeric.toHexString(digest))
                .isEqualTo("0x524a52a44178276103fa6d195265b6cc152b62c3c8a82130ab1f432a171b7b0a");
        assertThat(Numeric.toHexString(GatewayApprovals.sign(digest, key(3)))).isEqualTo(
                "0xecd82184dc4931068e66b46734358d92c68c8f926feb72fd39ba1f895feb64a2"
                        + "18db9b651610cc979e7b16d1bee23d5ff2025747cb5eaf91a9f900760d60e6a71c");
    }

    @Test
    void shouldOrderSignaturesBySignerAndDropDuplicates() {
        byte[] digest = GatewayApprovals.approvalDigest(ARBITRUM, EXAMPLE);
        Signed one = new Signed(key(1).getAddress(), GatewayApprovals.sign(digest, key(1)));
        Signed two = new Signed(key(2).getAddress(), GatewayApprovals.sign(digest, key(2)));
        List<byte[]> ordered = GatewayApprovals.ordered(List.of(one, two, one));
        assertThat(ordered).containsExactly(two.signature(), one.signature()); // 0x2B5A… < 0x7E5F…
        assertThat(GatewayApprovals.signer(digest, one.signature())).isEqualToIgnoringCase(key(1).getAddress());
    }

    @Test
    void shouldDeriveTheCommandIdFromTheSourceEventWhateverTheHexCase() {
        byte[] lower = GatewayApprovals.commandId("home", "0x" + "ab".repeat(32), 3);
        byte[] upper = GatewayApprovals.commandId("home", "0x" + "AB".repeat(32), 3);
        assertThat(lower).isEqualTo(upper)
                .isEqualTo(Hash.sha3(("home_0x" + "ab".repeat(32) + "-3").getBytes(StandardCharsets.UTF_8)));
        assertThat(GatewayApprovals.commandId("home", "0x" + "ab".repeat(32), 4)).isNotEqualTo(lower);
    }

    @Test
    void shouldRefuseMalformedInputs() {
        assertThatThrownBy(() -> new Approval(new byte[31], "a", "b", "c", "0x" + "00".repeat(20), new byte[32]))
                .hasMessageContaining("commandId must be 32 bytes");
        assertThatThrownBy(() -> GatewayApprovals.signer(new byte[32], new byte[64]))
                .hasMessageContaining("65 bytes");
        assertThatThrownBy(() -> GatewayApprovals.approvalDigest(new Domain(1, "0x1234"), EXAMPLE))
                .hasMessageContaining("not a 20-byte address");
    }
}
