package io.tributary.ingest.source;

import java.io.IOException;

/** The node answered with a JSON-RPC error object. */
public final class RpcException extends IOException {

    private final int code;

    public RpcException(String method, int code, String message) {
        super(method + " failed: " + code + " " + message);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
