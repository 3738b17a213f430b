package io.tributary.ingest.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.schemas.avro.Permit;
import io.tributary.schemas.avro.RejectionReason;
import io.tributary.schemas.avro.TaskRequest;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

class RequestChecksTest {

    private static final Credentials CLIENT =
            Credentials.create("0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e");
    private static final Credentials OTHER =
            Credentials.create("0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356");
    private static final long NOW = 1_700_000_000L;
    private static final BigInteger BOUNTY = BigInteger.valueOf(1_000);

    /** A home chain in memory: what intake reads, set by each test. */
    private static final class FakeChain implements HomeChain {
        final Map<String, BigInteger> nonces = new HashMap<>();
        final Map<String, BigInteger> balances = new HashMap<>();
        final Map<String, BigInteger> allowances = new HashMap<>();
        final Set<Long> chains = new HashSet<>(Set.of(31337L));
        final Set<BigInteger> models = new HashSet<>(Set.of(BigInteger.ONE));
        final byte[] tokenDomain = Eip712.keccak("token domain");

        @Override
        public long chainId() {
            return 31337;
        }

        @Override
        public String taskIntake() {
            return "0x5fbdb2315678afecb367f032d93f642f64180aa3";
        }

        @Override
        public String coordinator() {
            return "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";
        }

        @Override
        public long timestamp() {
            return NOW;
        }

        @Override
        public BigInteger nonceOf(String client) {
            return nonces.getOrDefault(client, BigInteger.ZERO);
        }

        @Override
        public BigInteger balanceOf(String client) {
            return balances.getOrDefault(client, BigInteger.ZERO);
        }

        @Override
        public BigInteger allowance(String client) {
            return allowances.getOrDefault(client, BigInteger.ZERO);
        }

        @Override
        public BigInteger permitNonce(String client) {
            return BigInteger.ZERO;
        }

        @Override
        public byte[] tokenDomainSeparator() {
            return tokenDomain.clone();
        }

        @Override
        public boolean modelExists(BigInteger modelId) {
            return models.contains(modelId);
        }

        @Override
        public boolean chainKnown(long chainId) {
            return chains.contains(chainId);
        }
    }

    private final FakeChain chain = new FakeChain();
    private final String client = CLIENT.getAddress().toLowerCase();

    private TaskRequest.Builder unsigned() {
        chain.balances.put(client, BOUNTY);
        chain.allowances.put(client, BOUNTY);
        return TaskRequest.newBuilder().setRequestId("req-1").setClient(client)
                .setSpec(Specs.sane(NOW + 60, 31337L).build()).setBounty(BOUNTY.toString()).setNonce(0)
                .setDeadline(NOW + 600).setSignature(ByteBuffer.allocate(0));
    }

    private TaskRequest signed(TaskRequest.Builder b, Credentials key) throws Exception {
        TaskRequest r = b.build();
        byte[] digest = new TaskRequestDigest(chain.chainId(), chain.taskIntake()).digest(RequestChecks.toChain(r));
        r.setSignature(ByteBuffer.wrap(Eip712.sign(digest, key)));
        return r;
    }

    private Permit permit(Credentials key, BigInteger value, long deadline) {
        byte[] sig = Eip712.sign(PermitDigest.digest(chain.tokenDomain, client, chain.coordinator(), value,
                BigInteger.ZERO, BigInteger.valueOf(deadline)), key);
        return Permit.newBuilder().setValue(value.toString()).setDeadline(deadline).setV(sig[64] & 0xff)
                .setR(ByteBuffer.wrap(Arrays.copyOfRange(sig, 0, 32)))
                .setS(ByteBuffer.wrap(Arrays.copyOfRange(sig, 32, 64))).build();
    }

    private void assertRejected(TaskRequest r, RejectionReason reason, String detail) {
        assertThatThrownBy(() -> RequestChecks.check(r, chain))
                .isInstanceOfSatisfying(RequestRejectedException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(detail);
    }

    @Test
    void shouldPassASignedRequestWhenTheAllowanceCoversTheBounty() throws Exception {
        RequestChecks.Checked ok = RequestChecks.check(signed(unsigned(), CLIENT), chain);
        assertThat(ok.request().client).isEqualTo(client);
        assertThat(ok.signature()).hasSize(65);
        assertThat(ok.permit().value).isZero();
    }

    @Test
    void shouldRejectAsUnsignedWhenThereIsNoSignature() {
        assertRejected(unsigned().build(), RejectionReason.UNSIGNED, "no signature");
    }

    @Test
    void shouldRejectWhenSomeoneElseSigned() throws Exception {
        assertRejected(signed(unsigned(), OTHER), RejectionReason.BAD_SIGNATURE, "not the client");
    }

    @Test
    void shouldRejectWhenASignedFieldWasChangedAfterSigning() throws Exception {
        TaskRequest r = signed(unsigned(), CLIENT);
        r.setBounty("999");
        assertRejected(r, RejectionReason.BAD_SIGNATURE, "not the client");
    }

    @Test
    void shouldRejectWhenTheDeadlinePassed() throws Exception {
        assertRejected(signed(unsigned().setDeadline(NOW - 1), CLIENT), RejectionReason.EXPIRED, "passed");
    }

    @Test
    void shouldRejectAReplayedNonce() throws Exception {
        chain.nonces.put(client, BigInteger.ONE);
        assertRejected(signed(unsigned(), CLIENT), RejectionReason.REPLAYED_NONCE, "next nonce 1");
    }

    @Test
    void shouldRejectAnUnknownChainOrModelAsBadSpec() throws Exception {
        assertRejected(signed(unsigned().setSpec(Specs.sane(NOW + 60, 31337L, 5L).build()), CLIENT),
                RejectionReason.BAD_SPEC, "chains [5] are not configured");
        chain.models.clear();
        assertRejected(signed(unsigned(), CLIENT), RejectionReason.BAD_SPEC, "model 1 is not registered");
    }

    @Test
    void shouldRejectABountyBelowOneUnitPerRound() throws Exception {
        assertRejected(signed(unsigned().setBounty("2"), CLIENT), RejectionReason.BAD_SPEC, "one unit per round");
    }

    @Test
    void shouldRejectWhenTheClientDoesNotHoldTheBounty() throws Exception {
        TaskRequest r = signed(unsigned(), CLIENT);
        chain.balances.put(client, BOUNTY.subtract(BigInteger.ONE));
        assertRejected(r, RejectionReason.INSUFFICIENT_BALANCE, "holds 999");
    }

    @Test
    void shouldRejectInsufficientAllowanceWithoutAPermit() throws Exception {
        TaskRequest r = signed(unsigned(), CLIENT);
        chain.allowances.remove(client);
        assertRejected(r, RejectionReason.INSUFFICIENT_ALLOWANCE, "carries no permit");
    }

    @Test
    void shouldPassWithoutAllowanceWhenThePermitIsSignedByTheClient() throws Exception {
        TaskRequest.Builder b = unsigned().setPermit(permit(CLIENT, BOUNTY, NOW + 600));
        chain.allowances.remove(client);
        RequestChecks.Checked ok = RequestChecks.check(signed(b, CLIENT), chain);
        assertThat(ok.permit().value).isEqualTo(BOUNTY);
        assertThat(ok.permit().r).hasSize(32);
    }

    @Test
    void shouldRejectAPermitSignedByAnotherKeyOrTooSmallOrExpired() throws Exception {
        TaskRequest.Builder forged = unsigned().setPermit(permit(OTHER, BOUNTY, NOW + 600));
        chain.allowances.remove(client);
        assertRejected(signed(forged, CLIENT), RejectionReason.INSUFFICIENT_ALLOWANCE, "not signed by the client");
        TaskRequest.Builder small = unsigned().setPermit(permit(CLIENT, BigInteger.TEN, NOW + 600));
        chain.allowances.remove(client);
        assertRejected(signed(small, CLIENT), RejectionReason.INSUFFICIENT_ALLOWANCE, "is for 10 only");
        TaskRequest.Builder expired = unsigned().setPermit(permit(CLIENT, BOUNTY, NOW - 1));
        chain.allowances.remove(client);
        assertRejected(signed(expired, CLIENT), RejectionReason.INSUFFICIENT_ALLOWANCE, "expired");
    }

    @Test
    void shouldRejectAClientThatIsNotAnAddressAsMalformed() {
        assertRejected(unsigned().setClient("alice").build(), RejectionReason.MALFORMED, "not an address");
    }
}
