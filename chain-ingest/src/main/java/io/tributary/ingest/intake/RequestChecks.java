package io.tributary.ingest.intake;

import io.tributary.contracts.generated.TaskIntake;
import io.tributary.schemas.avro.Permit;
import io.tributary.schemas.avro.RejectionReason;
import io.tributary.schemas.avro.TaskRequest;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Everything intake checks before it calls {@code postTaskFor}, in order: the spec maps to the
 * on-chain struct, the signature recovers the client, the request has not expired, the nonce is the
 * client's next one, the spec is sane (coordinator rules, tensor format limits, accumulator headroom,
 * known chains, registered model), the bounty is possible, the client holds it, and the coordinator
 * may take it (allowance, or a permit that is valid now). The first failure is the rejection.
 */
public final class RequestChecks {

    private static final BigInteger UINT128_MAX = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    private RequestChecks() {}

    /** A request that passed every check, as the contract call takes it. */
    public record Checked(TaskIntake.TaskRequest request, byte[] signature, TaskIntake.Permit permit) {}

    /** The {@code postTaskFor} arguments of {@code request}, or the reason it is refused. */
    public static Checked check(TaskRequest request, HomeChain chain) throws RequestRejectedException, IOException {
        TaskIntake.TaskRequest onChain = toChain(request);
        String client = onChain.client;

        byte[] signature = bytes(request.getSignature());
        if (signature.length == 0) {
            throw new RequestRejectedException(RejectionReason.UNSIGNED, "the request carries no signature");
        }
        byte[] digest = new TaskRequestDigest(chain.chainId(), chain.taskIntake()).digest(onChain);
        Optional<String> signer = Eip712.recover(digest, signature);
        if (signer.isEmpty() || !signer.get().equals(client)) {
            throw new RequestRejectedException(RejectionReason.BAD_SIGNATURE, "signature recovers "
                    + signer.orElse("nothing (malformed " + signature.length + "-byte signature)") + ", not the client "
                    + client);
        }

        long now = chain.timestamp();
        if (request.getDeadline() < now) {
            throw new RequestRejectedException(RejectionReason.EXPIRED, "request deadline " + request.getDeadline()
                    + " passed (home chain time " + now + ")");
        }
        BigInteger expected = chain.nonceOf(client);
        if (!onChain.nonce.equals(expected)) {
            throw new RequestRejectedException(
                    onChain.nonce.compareTo(expected) < 0 ? RejectionReason.REPLAYED_NONCE : RejectionReason.OUT_OF_BOUND,
                    "nonce " + onChain.nonce + " is not the client's next nonce " + expected);
        }

        TaskSpecs.checkSanity(request.getSpec(), now);
        List<Long> unknown = new ArrayList<>();
        for (long c : request.getSpec().getChains()) {
            if (!chain.chainKnown(c)) {
                unknown.add(c);
            }
        }
        if (!unknown.isEmpty()) {
            throw new RequestRejectedException(RejectionReason.BAD_SPEC, "chains " + unknown
                    + " are not configured on the coordinator");
        }
        if (!chain.modelExists(onChain.spec.modelId)) {
            throw new RequestRejectedException(RejectionReason.BAD_SPEC, "model " + onChain.spec.modelId
                    + " is not registered in the ModelRegistry");
        }

        BigInteger bounty = onChain.bounty;
        if (bounty.compareTo(onChain.spec.rounds) < 0 || bounty.compareTo(UINT128_MAX) > 0) {
            throw new RequestRejectedException(RejectionReason.BAD_SPEC, "bounty " + bounty
                    + " must be at least one unit per round (" + onChain.spec.rounds + ") and fit uint128");
        }
        BigInteger balance = chain.balanceOf(client);
        if (balance.compareTo(bounty) < 0) {
            throw new RequestRejectedException(RejectionReason.INSUFFICIENT_BALANCE, "client holds " + balance
                    + " but the bounty is " + bounty);
        }
        TaskIntake.Permit permit = permit(request.getPermit());
        BigInteger allowance = chain.allowance(client);
        if (allowance.compareTo(bounty) < 0) {
            String problem = permitProblem(request.getPermit(), permit, client, bounty, now, chain);
            if (problem != null) {
                throw new RequestRejectedException(RejectionReason.INSUFFICIENT_ALLOWANCE, "allowance " + allowance
                        + " is below the bounty " + bounty + " and " + problem);
            }
        }
        return new Checked(onChain, signature, permit);
    }

    /** The on-chain request struct of {@code request} (what the client signs). */
    public static TaskIntake.TaskRequest toChain(TaskRequest request) throws RequestRejectedException {
        String client = request.getClient() == null ? "" : request.getClient().toLowerCase(Locale.ROOT);
        if (!client.matches("0x[0-9a-f]{40}")) {
            throw new RequestRejectedException(RejectionReason.MALFORMED, "client is not an address: "
                    + request.getClient());
        }
        BigInteger bounty = uint256("bounty", request.getBounty());
        if (request.getNonce() < 0 || request.getDeadline() < 0) {
            throw new RequestRejectedException(RejectionReason.MALFORMED, "nonce and deadline must not be negative");
        }
        return new TaskIntake.TaskRequest(client, bounty, BigInteger.valueOf(request.getNonce()),
                BigInteger.valueOf(request.getDeadline()), TaskSpecs.toChain(request.getSpec()));
    }

    /** The permit as the contract takes it; all zero when there is none (the contract ignores a failing one). */
    static TaskIntake.Permit permit(Permit p) throws RequestRejectedException {
        if (p == null) {
            return new TaskIntake.Permit(BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, new byte[32], new byte[32]);
        }
        byte[] r = bytes(p.getR());
        byte[] s = bytes(p.getS());
        if (r.length != 32 || s.length != 32 || p.getV() < 0 || p.getV() > 255 || p.getDeadline() < 0) {
            throw new RequestRejectedException(RejectionReason.MALFORMED,
                    "permit needs 32-byte r and s, v in [0, 255] and a non-negative deadline");
        }
        return new TaskIntake.Permit(uint256("permit value", p.getValue()), BigInteger.valueOf(p.getDeadline()),
                BigInteger.valueOf(p.getV()), r, s);
    }

    private static String permitProblem(Permit avro, TaskIntake.Permit permit, String client, BigInteger bounty,
            long now, HomeChain chain) throws IOException {
        if (avro == null) {
            return "the request carries no permit";
        }
        if (permit.value.compareTo(bounty) < 0) {
            return "the permit is for " + permit.value + " only";
        }
        if (permit.deadline.compareTo(BigInteger.valueOf(now)) < 0) {
            return "the permit expired at " + permit.deadline;
        }
        byte[] digest = PermitDigest.digest(chain.tokenDomainSeparator(), client, chain.coordinator(), permit.value,
                chain.permitNonce(client), permit.deadline);
        byte[] signature = Eip712.concat(permit.r, permit.s, new byte[] {permit.v.byteValue()});
        Optional<String> signer = Eip712.recover(digest, signature);
        if (signer.isEmpty() || !signer.get().equals(client)) {
            return "the permit is not signed by the client for its current token nonce";
        }
        return null;
    }

    private static BigInteger uint256(String field, String decimal) throws RequestRejectedException {
        try {
            BigInteger v = new BigInteger(decimal);
            if (v.signum() >= 0 && v.bitLength() <= 256) {
                return v;
            }
        } catch (NumberFormatException | NullPointerException e) {
            // refused below
        }
        throw new RequestRejectedException(RejectionReason.MALFORMED, field + " is not a decimal uint256: " + decimal);
    }

    static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return new byte[0];
        }
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
