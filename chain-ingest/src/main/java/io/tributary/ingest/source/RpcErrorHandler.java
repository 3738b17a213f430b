package io.tributary.ingest.source;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classifies an RPC failure by walking its cause chain (Debezium's {@code ErrorHandler} habit):
 * a refused log range is answered by a smaller range, connection trouble, timeouts, HTTP 5xx/429
 * and node-internal errors are retried with backoff, anything else (bad parameters, unknown method,
 * bad configuration) is permanent and fails the task.
 */
public final class RpcErrorHandler {

    public enum Kind { RANGE_TOO_LARGE, RETRIABLE, PERMANENT }

    private static final Pattern HTTP_STATUS = Pattern.compile("Invalid response received: (\\d{3})");
    private static final String[] RANGE_HINTS = {
        "query returned more than", "too many results", "response size exceeded", "limit exceeded",
        "block range", "range too large", "range is too large", "exceed maximum block range",
        "more than 10000", "log response size", "query timeout exceeded"
    };

    public Kind classify(Throwable failure) {
        Kind verdict = Kind.PERMANENT;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RpcException rpc) {
                String msg = lower(rpc.getMessage());
                for (String hint : RANGE_HINTS) {
                    if (msg.contains(hint)) {
                        return Kind.RANGE_TOO_LARGE;
                    }
                }
                // -32005 limit exceeded (EIP-1474), -32603 internal error, -32000 server error (often transient)
                if (rpc.code() == -32005) {
                    return Kind.RANGE_TOO_LARGE;
                }
                if (rpc.code() == -32603 || rpc.code() == -32000 || rpc.code() == 429) {
                    return Kind.RETRIABLE;
                }
                return Kind.PERMANENT;
            }
            if (t instanceof ConnectException || t instanceof SocketTimeoutException
                    || t instanceof TimeoutException || t instanceof UnknownHostException
                    || t instanceof java.net.http.HttpTimeoutException
                    || t instanceof java.io.InterruptedIOException
                    || t instanceof java.net.SocketException || t instanceof java.io.EOFException) {
                return Kind.RETRIABLE;
            }
            Matcher m = HTTP_STATUS.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                int status = Integer.parseInt(m.group(1));
                return status >= 500 || status == 429 || status == 408 ? Kind.RETRIABLE : Kind.PERMANENT;
            }
            if (t instanceof IOException) {
                // an I/O failure we know nothing more about: most likely the transport
                verdict = Kind.RETRIABLE;
            }
        }
        return verdict;
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
