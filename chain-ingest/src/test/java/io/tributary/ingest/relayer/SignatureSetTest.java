package io.tributary.ingest.relayer;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.contracts.gateway.GatewayApprovals;
import io.tributary.schemas.avro.GatewayAttestation;
import io.tributary.schemas.avro.RejectionReason;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/** Signature checks with GATEWAY.md's worked-example keys and gateway (guardians = keys 1, 2, 3). */
class SignatureSetTest {

    private static final GatewayApprovals.Domain DOMAIN =
            new GatewayApprovals.Domain(31337, "0x5615dEB798BB3E4dFa0139dFa1b3D433Cc23b72f");
    private static final Credentials K1 = key(1);
    private static final Credentials K2 = key(2);
    private static final Credentials K3 = key(3);
    private static final Credentials K4 = key(4);
    private static final Set<String> GUARDIANS = Set.of(K1.getAddress(), K2.getAddress(), K3.getAddress());

    private final ContractCallMessage message;
    private final byte[] digest;

    SignatureSetTest() throws Exception {
        message = ContractCallMessage.from(Messages.event(Messages.fields("hello tributary")), "home");
        digest = GatewayApprovals.approvalDigest(DOMAIN, message.approval());
    }

    private static Credentials key(int n) {
        return Credentials.create(Numeric.toHexStringNoPrefixZeroPadded(BigInteger.valueOf(n), 64));
    }

    private GatewayAttestation attestation(String guardian, byte[] signature) {
        return GatewayAttestation.newBuilder()
                .setMessageId(message.messageId())
                .setCommandId(ByteBuffer.wrap(message.commandId()))
                .setSourceChain(message.sourceChain())
                .setSourceAddress(message.sourceAddress())
                .setDestinationChain(message.destinationChain())
                .setDestinationAddress(message.destinationAddress())
                .setPayloadHash(ByteBuffer.wrap(message.payloadHash()))
                .setGuardian(guardian)
                .setSignature(ByteBuffer.wrap(signature))
                .setSignedAt(0)
                .build();
    }

    @Test
    void shouldAcceptGuardianSignaturesAndOrderThemBySigner() {
        SignatureSet set = new SignatureSet(message, DOMAIN);

        assertThat(set.offer(attestation(K1.getAddress(), GatewayApprovals.sign(digest, K1)), GUARDIANS).accepted()).isTrue();
        assertThat(set.offer(attestation(K2.getAddress(), GatewayApprovals.sign(digest, K2)), GUARDIANS).accepted()).isTrue();

        assertThat(set.size()).isEqualTo(2);
        List<byte[]> ordered = set.ordered(2);
        assertThat(ordered.get(0)).isEqualTo(GatewayApprovals.sign(digest, K2)); // 0x2B5A... < 0x7E5F...
        assertThat(ordered.get(1)).isEqualTo(GatewayApprovals.sign(digest, K1));
        assertThat(set.ordered(1)).hasSize(1);
    }

    @Test
    void shouldRefuseSecondSignatureOfTheSameGuardianAsDuplicate() {
        SignatureSet set = new SignatureSet(message, DOMAIN);
        GatewayAttestation a = attestation(K1.getAddress(), GatewayApprovals.sign(digest, K1));

        set.offer(a, GUARDIANS);
        SignatureSet.Verdict again = set.offer(a, GUARDIANS);

        assertThat(again.rejection()).isEqualTo(RejectionReason.DUPLICATE);
        assertThat(set.size()).isEqualTo(1);
    }

    @Test
    void shouldRefuseSignatureOfAnotherKeyOrDigestOrOfANonGuardian() {
        SignatureSet set = new SignatureSet(message, DOMAIN);
        GatewayApprovals.Approval other = new GatewayApprovals.Approval(message.commandId(), "home",
                message.sourceAddress(), "arbitrum-local", message.destinationAddress(),
                Hash.sha3("other".getBytes(StandardCharsets.UTF_8)));

        SignatureSet.Verdict wrongKey = set.offer(attestation(K2.getAddress(), GatewayApprovals.sign(digest, K4)), GUARDIANS);
        SignatureSet.Verdict wrongDigest = set.offer(attestation(K2.getAddress(),
                GatewayApprovals.sign(GatewayApprovals.approvalDigest(DOMAIN, other), K2)), GUARDIANS);
        SignatureSet.Verdict outsider = set.offer(attestation(K4.getAddress(), GatewayApprovals.sign(digest, K4)), GUARDIANS);
        SignatureSet.Verdict garbage = set.offer(attestation(K1.getAddress(), new byte[12]), GUARDIANS);

        assertThat(List.of(wrongKey, wrongDigest, outsider, garbage)).extracting(SignatureSet.Verdict::rejection)
                .containsOnly(RejectionReason.BAD_SIGNATURE);
        assertThat(wrongKey.detail()).contains("not to the claimed guardian");
        assertThat(outsider.detail()).contains("is not a guardian");
        assertThat(set.size()).isZero();
    }

    @Test
    void shouldRefuseAttestationWhoseFieldsDisagreeWithTheEvent() {
        SignatureSet set = new SignatureSet(message, DOMAIN);
        GatewayAttestation a = attestation(K1.getAddress(), GatewayApprovals.sign(digest, K1));
        a.setDestinationChain("avalanche-local");

        SignatureSet.Verdict verdict = set.offer(a, GUARDIANS);

        assertThat(verdict.rejection()).isEqualTo(RejectionReason.MALFORMED);
        assertThat(verdict.detail()).contains("destinationChain");
    }

    @Test
    void shouldDropSignaturesOfRotatedOutGuardians() {
        SignatureSet set = new SignatureSet(message, DOMAIN);
        set.offer(attestation(K1.getAddress(), GatewayApprovals.sign(digest, K1)), GUARDIANS);
        set.offer(attestation(K3.getAddress(), GatewayApprovals.sign(digest, K3)), GUARDIANS);

        assertThat(set.retainGuardians(Set.of(K3.getAddress(), K4.getAddress()))).isEqualTo(1);
        assertThat(set.size()).isEqualTo(1);
    }
}
