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
        return new RpcErrorException(method, error.getCode(), error.getMessage(), error.getData());
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
