package io.tributary.contracts.tx;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * Decodes revert data. Knows {@code Error(string)}, {@code Panic(uint256)} and every custom error
 * signature it is given; {@link #withProjectErrors()} adds those of all project contracts (listed at
 * build time next to the generated wrappers).
 */
public final class RevertDecoder {

    static final String PROJECT_ERRORS = "/io/tributary/contracts/generated/custom-errors.txt";
    private static final String ERROR_STRING = "0x08c379a0";
    private static final String PANIC = "0x4e487b71";
    private static final Map<Integer, String> PANICS = Map.of(
            0x00, "generic compiler panic", 0x01, "assert failed", 0x11, "arithmetic overflow or underflow",
            0x12, "division or modulo by zero", 0x21, "invalid enum value", 0x22, "bad storage byte array",
            0x31, "pop on empty array", 0x32, "array index out of bounds", 0x41, "out of memory",
            0x51, "call to zero-initialised function");

    private final Map<String, String> signaturesBySelector;

    private RevertDecoder(Map<String, String> signaturesBySelector) {
        this.signaturesBySelector = Map.copyOf(signaturesBySelector);
    }

    /** A decoder that knows the given custom error signatures, e.g. {@code "WorkerHubNotRegistered(address)"}. */
    public static RevertDecoder of(Collection<String> errorSignatures) {
        Map<String, String> bySelector = new HashMap<>();
        for (String signature : errorSignatures) {
            String s = signature.strip();
            if (s.isEmpty()) {
                continue;
            }
            if (!s.matches("[A-Za-z_$][A-Za-z0-9_$]*\\(.*\\)")) {
                throw new IllegalArgumentException("not an error signature: '" + s + "'");
            }
            bySelector.put(selector(s), s);
        }
        return new RevertDecoder(bySelector);
    }

    /** A decoder that knows every custom error of the project's contracts (empty if none were built). */
    public static RevertDecoder withProjectErrors() {
        List<String> signatures = new ArrayList<>();
        try (InputStream in = RevertDecoder.class.getResourceAsStream(PROJECT_ERRORS)) {
            if (in != null) {
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                reader.lines().forEach(signatures::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PROJECT_ERRORS, e);
        }
        return of(signatures);
    }

    /** {@code 0x} + the first 4 bytes of keccak256(signature). */
    public static String selector(String signature) {
        return Hash.sha3String(signature).substring(0, 10);
    }

    public RevertReason decode(String revertData) {
        String data = revertData == null ? "0x" : Numeric.prependHexPrefix(revertData.strip()).toLowerCase();
        if (data.length() < 10) {
            return new RevertReason(RevertReason.Kind.NO_DATA, "", "", List.of(), data);
        }
        String selector = data.substring(0, 10);
        String args = "0x" + data.substring(10);
        try {
            if (selector.equals(ERROR_STRING)) {
                List<Type> decoded = decodeArgs(args, List.of("string"));
                return new RevertReason(RevertReason.Kind.ERROR_STRING, selector, "Error",
                        List.of(decoded.get(0).getValue().toString()), data);
            }
            if (selector.equals(PANIC)) {
                List<Type> decoded = decodeArgs(args, List.of("uint256"));
                int code = ((java.math.BigInteger) decoded.get(0).getValue()).intValue();
                return new RevertReason(RevertReason.Kind.PANIC, selector, "Panic",
                        List.of(String.format("0x%02x: %s", code, PANICS.getOrDefault(code, "unknown panic code"))),
                        data);
            }
            String signature = signaturesBySelector.get(selector);
            if (signature != null) {
                String name = signature.substring(0, signature.indexOf('('));
                List<String> types = splitTypes(signature.substring(name.length() + 1, signature.length() - 1));
                List<String> rendered = new ArrayList<>();
                try {
                    for (Type value : decodeArgs(args, types)) {
                        rendered.add(render(value));
                    }
                } catch (RuntimeException e) {
                    rendered = List.of(args); // tuples and exotic types: keep the raw arguments
                }
                return new RevertReason(RevertReason.Kind.CUSTOM_ERROR, selector, name, rendered, data);
            }
        } catch (RuntimeException malformed) {
            // fall through: data that claims a known selector but does not decode
        }
        return new RevertReason(RevertReason.Kind.UNKNOWN, selector, "", List.of(), data);
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static List<Type> decodeArgs(String args, List<String> types) {
        List<TypeReference<Type>> refs = new ArrayList<>();
        for (String type : types) {
            try {
                refs.add((TypeReference) TypeReference.makeTypeReference(type));
            } catch (ClassNotFoundException e) {
                throw new IllegalArgumentException("unsupported ABI type " + type, e);
            }
        }
        List<Type> decoded = FunctionReturnDecoder.decode(args, refs);
        if (decoded.size() != types.size()) {
            throw new IllegalArgumentException("revert arguments do not decode as " + types);
        }
        return decoded;
    }

    private static String render(Type<?> value) {
        Object v = value.getValue();
        if (v instanceof byte[] bytes) {
            return Numeric.toHexString(bytes);
        }
        if (value instanceof Utf8String) {
            return "\"" + v + "\"";
        }
        if (value instanceof Uint256 || v instanceof java.math.BigInteger) {
            return v.toString();
        }
        if (v instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            for (Object o : list) {
                parts.add(o instanceof Type<?> t ? render(t) : String.valueOf(o));
            }
            return "[" + String.join(", ", parts) + "]";
        }
        return String.valueOf(v);
    }

    /** Splits top-level comma-separated types, keeping tuples {@code (a,b)} whole. */
    static List<String> splitTypes(String inner) {
        List<String> types = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                types.add(inner.substring(start, i));
                start = i + 1;
            }
        }
        if (!inner.isEmpty()) {
            types.add(inner.substring(start));
        }
        return types;
    }
}
