package io.tributary.contracts.tx;

import java.io.IOException;
import org.web3j.protocol.core.Response;

/** A JSON-RPC error answer (the node was reached and said no), with its code, message and data. */
public final class RpcErrorException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int code;
    private final String rpcMessage;
    private final String data;

    public RpcErrorException(String method, int code, String rpcMessage, String data) {
        super(method + " failed: " + rpcMessage + " (code " + code + (data == null ? "" : ", data " + data) + ")");
        this.code = code;
        this.rpcMessage = rpcMessage == null ? "" : rpcMessage;
        this.data = data;
    }

    static RpcErrorException of(String method, Response.Error error) {
        return new RpcErrorException(method, error.getCode(), error.getMessage(), hexData(error.getData()));
    }

    private static final java.util.regex.Pattern HEX = java.util.regex.Pattern.compile("0x[0-9a-fA-F]*");

    /**
     * web3j hands the error's {@code data} over as JSON text: a quoted hex string from geth and anvil,
     * an object holding one from some other nodes. Returns the hex, or null when there is none.
     */
    static String hexData(String json) {
        if (json == null) {
            return null;
        }
        java.util.regex.Matcher hex = HEX.matcher(json);
        return hex.find() ? hex.group() : null;
    }

    public int code() {
        return code;
    }

    public String rpcMessage() {
        return rpcMessage;
    }

    /** The error's {@code data} (revert data for {@code execution reverted}), or null. */
    public String data() {
        return data;
    }
}
