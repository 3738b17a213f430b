package io.tributary.contracts.tx;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.web3j.protocol.exceptions.ClientConnectionException;

/**
 * Classifies failures by walking the cause chain: the first JSON-RPC error answer decides by its
 * message (geth, anvil, reth and erigon phrase the same conditions alike); otherwise transport
 * failures (connection refused, timeouts, HTTP 429/5xx) are {@link RpcErrorKind#UNAVAILABLE} and the
 * rest is {@link RpcErrorKind#PERMANENT}.
 */
public final class RpcErrors {

    private static final Pattern HTTP_STATUS = Pattern.compile("Invalid response received: (\\d{3})");

    private RpcErrors() {}

    public static RpcErrorKind classify(Throwable failure) {
        boolean transport = false;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RpcErrorException rpc) {
                return classifyRpc(rpc.code(), rpc.rpcMessage());
            }
            if (t instanceof ClientConnectionException http) {
                return classifyHttp(http.getMessage());
            }
            if (t instanceof ConnectException || t instanceof SocketTimeoutException
                    || t instanceof NoRouteToHostException || t instanceof UnknownHostException
                    || t instanceof SocketException || t instanceof InterruptedIOException) {
                return RpcErrorKind.UNAVAILABLE;
            }
            if (t instanceof IOException) {
                transport = true; // keep looking for a more specific cause
            }
        }
        return transport ? RpcErrorKind.UNAVAILABLE : RpcErrorKind.PERMANENT;
    }

    /** Classifies one JSON-RPC error answer by its code and message. */
    public static RpcErrorKind classifyRpc(int code, String message) {
        String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (m.contains("nonce too low") || m.contains("nonce is too low") || m.contains("oldnonce")) {
            return RpcErrorKind.NONCE_TOO_LOW;
        }
        if (m.contains("nonce too high") || m.contains("nonce is too high")) {
            return RpcErrorKind.NONCE_TOO_HIGH;
        }
        if (m.contains("replacement transaction underpriced") || m.contains("replacement fee too low")
                || m.contains("replacement underpriced")) {
            return RpcErrorKind.REPLACEMENT_UNDERPRICED;
        }
        if (m.contains("already known") || m.contains("already imported") || m.contains("known transaction")) {
            return RpcErrorKind.ALREADY_KNOWN;
        }
        if (m.contains("less than block base fee") || m.contains("fee cap less than")
                || m.contains("max fee per gas less than") || m.contains("transaction underpriced")
                || m.contains("feecap too low") || m.contains("fee too low")) {
            return RpcErrorKind.FEE_TOO_LOW;
        }
        if (m.contains("insufficient funds")) {
            return RpcErrorKind.INSUFFICIENT_FUNDS;
        }
        if (code == 3 || m.contains("execution reverted") || m.startsWith("revert")) {
            return RpcErrorKind.REVERTED;
        }
        if (code == -32005 || code == 429 || m.contains("rate limit") || m.contains("too many requests")
                || m.contains("header not found") || m.contains("try again") || m.contains("timeout")) {
            return RpcErrorKind.UNAVAILABLE;
        }
        return RpcErrorKind.PERMANENT;
    }

    private static RpcErrorKind classifyHttp(String message) {
        Matcher status = HTTP_STATUS.matcher(message == null ? "" : message);
        if (status.find()) {
            int code = Integer.parseInt(status.group(1));
            return code == 429 || code == 408 || code >= 500 ? RpcErrorKind.UNAVAILABLE : RpcErrorKind.PERMANENT;
        }
        return RpcErrorKind.UNAVAILABLE;
    }
}
