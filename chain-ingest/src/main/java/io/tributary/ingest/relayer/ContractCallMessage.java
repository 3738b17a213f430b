package io.tributary.ingest.relayer;

import io.tributary.contracts.gateway.GatewayApprovals;
import io.tributary.schemas.avro.ChainEvent;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;

/**
 * One cross-chain call read from a Gateway {@code ContractCall} event of {@code chain.events}, with
 * the ids GATEWAY.md derives from it. {@code sourceAddress} is the sender as an EIP-55 checksummed
 * {@code 0x} string, whatever case the event record used: it is hashed as text, so every guardian
 * and the submitter must write it the same way.
 *
 * @param sourceChain name of the source chain (its gateway's {@code chainName()})
 * @param sourceChainId chain id of the source chain
 * @param txHash source transaction hash, {@code 0x} lowercase
 * @param logIndex index of the log in its block
 * @param sourceAddress the event's {@code sender}, checksummed
 * @param destinationChain the event's {@code destinationChain}
 * @param destinationAddress the event's {@code destinationContractAddress}, as an address (lowercase)
 * @param payloadHash keccak256 of {@code payload} (checked)
 * @param payload the payload to execute with
 * @param emittedAt when the connector emitted the event, unix millis (the age of a pending message)
 */
public record ContractCallMessage(String sourceChain, long sourceChainId, String txHash, int logIndex,
        String sourceAddress, String destinationChain, String destinationAddress, byte[] payloadHash,
        byte[] payload, long emittedAt) {

    /** {@code contractName} of the Gateway's events in {@code chain.events}. */
    public static final String CONTRACT_NAME = "Gateway";
    /** {@code eventName} of an outgoing call. */
    public static final String EVENT_NAME = "ContractCall";

    /** Why an event cannot be relayed. */
    public static final class InvalidEventException extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean badHash;

        InvalidEventException(String message, boolean badHash) {
            super(message);
            this.badHash = badHash;
        }

        /** True when the payload does not hash to the event's payloadHash. */
        public boolean badHash() {
            return badHash;
        }
    }

    public ContractCallMessage {
        Objects.requireNonNull(sourceChain, "sourceChain");
        Objects.requireNonNull(txHash, "txHash");
        Objects.requireNonNull(sourceAddress, "sourceAddress");
        Objects.requireNonNull(destinationChain, "destinationChain");
        Objects.requireNonNull(destinationAddress, "destinationAddress");
        payloadHash = payloadHash.clone();
        payload = payload.clone();
    }

    /** Whether {@code event} is a Gateway ContractCall (confirmed or retracted). */
    public static boolean isContractCall(ChainEvent event) {
        return CONTRACT_NAME.equals(event.getContractName()) && EVENT_NAME.equals(event.getEventName());
    }

    /**
     * Reads the call from a ContractCall event emitted on the chain named {@code sourceChain}.
     *
     * @throws InvalidEventException when a field is missing or malformed, or the payload does not
     *     hash to the event's payloadHash
     */
    public static ContractCallMessage from(ChainEvent event, String sourceChain) throws InvalidEventException {
        if (!isContractCall(event)) {
            throw new InvalidEventException("not a Gateway ContractCall: " + event.getContractName() + "."
                    + event.getEventName(), false);
        }
        Map<String, String> f = event.getFields();
        String sender = require(f, "sender");
        String destinationChain = require(f, "destinationChain");
        String destination = require(f, "destinationContractAddress");
        byte[] payloadHash = hex(f, "payloadHash");
        byte[] payload = hex(f, "payload");
        if (!sender.matches("0x[0-9a-fA-F]{40}")) {
            throw new InvalidEventException("sender is not an address: '" + sender + "'", false);
        }
        if (!destination.matches("0x[0-9a-fA-F]{40}")) {
            throw new InvalidEventException("destinationContractAddress is not an address: '" + destination + "'", false);
        }
        if (destinationChain.isEmpty()) {
            throw new InvalidEventException("destinationChain is empty", false);
        }
        if (payloadHash.length != 32) {
            throw new InvalidEventException("payloadHash is not 32 bytes", false);
        }
        if (!Arrays.equals(Hash.sha3(payload), payloadHash)) {
            throw new InvalidEventException("payload hashes to " + Numeric.toHexString(Hash.sha3(payload))
                    + ", the event says " + Numeric.toHexString(payloadHash), true);
        }
        String txHash = event.getSource().getTxHash();
        if (!txHash.matches("0x[0-9a-fA-F]{64}")) {
            throw new InvalidEventException("source txHash is not a 32-byte hash: '" + txHash + "'", false);
        }
        return new ContractCallMessage(sourceChain, event.getSource().getChainId(), txHash.toLowerCase(Locale.ROOT),
                event.getSource().getLogIndex(), Keys.toChecksumAddress(sender), destinationChain,
                destination.toLowerCase(Locale.ROOT), payloadHash, payload, event.getEmittedAt());
    }

    /** GATEWAY.md's message id: {@code 0x<lowercase tx hash>-<log index>}. */
    public String messageId() {
        return messageId(txHash, logIndex);
    }

    /** The message id of the log at {@code logIndex} of transaction {@code txHash}. */
    public static String messageId(String txHash, int logIndex) {
        return "0x" + Numeric.cleanHexPrefix(txHash).toLowerCase(Locale.ROOT) + "-" + logIndex;
    }

    /** GATEWAY.md's command id: keccak256(sourceChain + "_" + messageId). */
    public byte[] commandId() {
        return GatewayApprovals.commandId(sourceChain, txHash, logIndex);
    }

    /** The approval guardians sign for the destination gateway. */
    public GatewayApprovals.Approval approval() {
        return new GatewayApprovals.Approval(commandId(), sourceChain, sourceAddress, destinationChain,
                destinationAddress, payloadHash);
    }

    @Override
    public byte[] payloadHash() {
        return payloadHash.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContractCallMessage m && m.sourceChainId == sourceChainId && m.logIndex == logIndex
                && m.txHash.equals(txHash) && m.sourceChain.equals(sourceChain)
                && m.sourceAddress.equals(sourceAddress) && m.destinationChain.equals(destinationChain)
                && m.destinationAddress.equals(destinationAddress) && Arrays.equals(m.payloadHash, payloadHash)
                && Arrays.equals(m.payload, payload) && m.emittedAt == emittedAt;
    }

    @Override
    public int hashCode() {
        return Objects.hash(sourceChainId, txHash, logIndex);
    }

    @Override
    public String toString() {
        return "ContractCall " + messageId() + " " + sourceChain + " -> " + destinationChain + ":" + destinationAddress
                + " (" + payload.length + " payload bytes)";
    }

    private static String require(Map<String, String> fields, String name) throws InvalidEventException {
        String value = fields.get(name);
        if (value == null) {
            throw new InvalidEventException("field '" + name + "' is missing", false);
        }
        return value;
    }

    private static byte[] hex(Map<String, String> fields, String name) throws InvalidEventException {
        String value = require(fields, name);
        if (!value.matches("0x([0-9a-fA-F]{2})*")) {
            throw new InvalidEventException("field '" + name + "' is not 0x-hex bytes", false);
        }
        return Numeric.hexStringToByteArray(value);
    }
}
