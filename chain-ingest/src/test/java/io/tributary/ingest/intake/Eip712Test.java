package io.tributary.ingest.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.contracts.generated.TaskIntake;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

class Eip712Test {

    private static final Credentials CLIENT =
            Credentials.create("0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e");
    private static final String INTAKE = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

    @Test
    void shouldRecoverTheSignerWhenTheSignatureIsOverTheDigest() {
        byte[] digest = Eip712.keccak("anything");
        byte[] sig = Eip712.sign(digest, CLIENT);
        assertThat(sig).hasSize(65);
        assertThat(Eip712.recover(digest, sig)).contains(CLIENT.getAddress().toLowerCase());
        assertThat(Eip712.recover(Eip712.keccak("something else"), sig)).isNotEqualTo(
                java.util.Optional.of(CLIENT.getAddress().toLowerCase()));
    }

    @Test
    void shouldRecoverNothingWhenTheSignatureIsMalformedOrHasAHighS() {
        byte[] digest = Eip712.keccak("x");
        byte[] sig = Eip712.sign(digest, CLIENT);
        assertThat(Eip712.recover(digest, new byte[64])).isEmpty();
        byte[] badV = sig.clone();
        badV[64] = 29;
        assertThat(Eip712.recover(digest, badV)).isEmpty();
        // (r, n - s) is the same signature's malleable twin: OpenZeppelin refuses it, so do we
        BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64));
        byte[] twin = sig.clone();
        System.arraycopy(Numeric.toBytesPadded(Sign.CURVE_PARAMS.getN().subtract(s), 32), 0, twin, 32, 32);
        twin[64] = (byte) (sig[64] == 27 ? 28 : 27);
        assertThat(Eip712.recover(digest, twin)).isEmpty();
    }

    @Test
    void shouldEncodeNegativeIntegersAsTwosComplementWords() {
        assertThat(Numeric.toHexString(Eip712.signedWord(-8))).isEqualTo("0x" + "ff".repeat(31) + "f8");
        assertThat(Numeric.toHexString(Eip712.signedWord(5))).isEqualTo("0x" + "00".repeat(31) + "05");
    }

    @Test
    void shouldChangeTheDigestWhenAnySignedFieldOrTheDomainChanges() throws Exception {
        TaskIntake.TaskRequest r = RequestChecks.toChain(io.tributary.schemas.avro.TaskRequest.newBuilder()
                .setRequestId("r").setClient(CLIENT.getAddress()).setSpec(Specs.sane(1000, 31337L).build())
                .setBounty("1000").setNonce(0).setDeadline(2000).setSignature(java.nio.ByteBuffer.allocate(0))
                .build());
        TaskRequestDigest digest = new TaskRequestDigest(31337, INTAKE);
        byte[] base = digest.digest(r);
        assertThat(digest.digest(r)).isEqualTo(base);
        assertThat(new TaskRequestDigest(31338, INTAKE).digest(r)).isNotEqualTo(base);
        TaskIntake.TaskRequest bumped = new TaskIntake.TaskRequest(r.client, r.bounty, BigInteger.ONE, r.deadline, r.spec);
        assertThat(digest.digest(bumped)).isNotEqualTo(base);
        r.spec.expMin = BigInteger.valueOf(-25);
        assertThat(digest.digest(r)).isNotEqualTo(base);
    }
}
