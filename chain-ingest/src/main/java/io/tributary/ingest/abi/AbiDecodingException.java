package io.tributary.ingest.abi;

/** The bytes are not a valid ABI encoding of the expected types. */
public final class AbiDecodingException extends Exception {
    public AbiDecodingException(String message) {
        super(message);
    }
}
