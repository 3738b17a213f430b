package io.tributary.ingest.relayer;

import io.tributary.contracts.gateway.GatewayApprovals;
import io.tributary.schemas.avro.GatewayAttestation;
import io.tributary.schemas.avro.RejectionReason;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The valid guardian signatures gathered for one message. A signature counts only if it recovers,
 * from the digest the submitter computes itself from the source event (never from the attestation's
 * own fields), to the guardian the attestation names, and that guardian is in the destination
 * gateway's current set; one signature per guardian. Everything else is refused with a reason.
 */
final class SignatureSet {

    /** The outcome of offering one attestation. */
    record Verdict(RejectionReason rejection, String detail) {
        static final Verdict ACCEPTED = new Verdict(null, "accepted");

        boolean accepted() {
            return rejection == null;
        }
    }

    private final ContractCallMessage message;
    private final byte[] digest;
    private final Map<String, byte[]> bySigner = new LinkedHashMap<>();

    SignatureSet(ContractCallMessage message, GatewayApprovals.Domain destination) {
        this.message = message;
        this.digest = GatewayApprovals.approvalDigest(destination, message.approval());
    }

    /** Checks {@code attestation} against the message and {@code guardians} (lowercase addresses). */
    Verdict offer(GatewayAttestation attestation, Set<String> guardians) {
        String mismatch = mismatch(attestation);
        if (mismatch != null) {
            return new Verdict(RejectionReason.MALFORMED, "attestation disagrees with the source event on " + mismatch);
        }
        byte[] signature = bytes(attestation.getSignature());
        String claimed = attestation.getGuardian().toLowerCase(Locale.ROOT);
        String signer;
        try {
            signer = GatewayApprovals.signer(digest, signature).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return new Verdict(RejectionReason.BAD_SIGNATURE, "malformed signature: " + e.getMessage());
        }
        if (!signer.equals(claimed)) {
            return new Verdict(RejectionReason.BAD_SIGNATURE, "signature recovers to " + signer + ", not to the claimed "
                    + "guardian " + claimed + " (wrong key or wrong digest)");
        }
        if (!guardians.contains(signer)) {
            return new Verdict(RejectionReason.BAD_SIGNATURE, signer + " is not a guardian of "
                    + message.destinationChain() + "'s gateway");
        }
        if (bySigner.containsKey(signer)) {
            return new Verdict(RejectionReason.DUPLICATE, "guardian " + signer + " already signed " + message.messageId());
        }
        bySigner.put(signer, signature);
        return Verdict.ACCEPTED;
    }

    /** Drops signatures of signers no longer in {@code guardians} (after a rotation); returns how many. */
    int retainGuardians(Set<String> guardians) {
        int before = bySigner.size();
        bySigner.keySet().retainAll(guardians);
        return before - bySigner.size();
    }

    int size() {
        return bySigner.size();
    }

    /** {@code count} signatures in the order the gateway requires (ascending signer address). */
    List<byte[]> ordered(int count) {
        List<GatewayApprovals.Signed> all = new ArrayList<>();
        bySigner.forEach((signer, sig) -> all.add(new GatewayApprovals.Signed(signer, sig)));
        List<byte[]> ordered = GatewayApprovals.ordered(all);
        return ordered.subList(0, Math.min(count, ordered.size()));
    }

    private String mismatch(GatewayAttestation a) {
        if (!a.getMessageId().equals(message.messageId())) {
            return "messageId";
        }
        if (!Arrays.equals(bytes(a.getCommandId()), message.commandId())) {
            return "commandId";
        }
        if (!a.getSourceChain().equals(message.sourceChain())) {
            return "sourceChain";
        }
        if (!a.getSourceAddress().equals(message.sourceAddress())) {
            return "sourceAddress";
        }
        if (!a.getDestinationChain().equals(message.destinationChain())) {
            return "destinationChain";
        }
        if (!a.getDestinationAddress().equalsIgnoreCase(message.destinationAddress())) {
            return "destinationAddress";
        }
        if (!Arrays.equals(bytes(a.getPayloadHash()), message.payloadHash())) {
            return "payloadHash";
        }
        return null;
    }

    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
