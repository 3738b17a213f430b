package io.tributary.ingest.abi;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict decoder of the Solidity ABI head/tail encoding into plain Java values, and their text form
 * for {@code ChainEvent.fields}.
 *
 * <p>Values: integers as {@link BigInteger}, {@code bool} as {@link Boolean}, {@code string} as
 * {@link String}, addresses and bytes as lower-case 0x-hex {@link Hex} values, arrays as
 * {@link List}, tuples as {@link Map} (component name, or its index when unnamed, to value).
 * Every offset and length is bounds-checked; padding must be zero, so garbage is rejected rather
 * than decoded into a plausible-looking value.
 */
public final class AbiCodec {

    private static final HexFormat HEX = HexFormat.of();

    private AbiCodec() {}

    /** A byte string shown as 0x-hex (addresses, bytesN, bytes). */
    public record Hex(String value) {
        @Override
        public String toString() {
            return value;
        }
    }

    /** Decodes the ABI encoding of the values of {@code types} laid out as one tuple. */
    public static List<Object> decode(List<AbiType> types, byte[] data) throws AbiDecodingException {
        return decodeSequence(types, data, 0, data.length);
    }

    /** Decodes one 32-byte word holding a static value type (an indexed event argument). */
    public static Object decodeWord(AbiType.Elementary type, byte[] word) throws AbiDecodingException {
        if (word.length != 32) {
            throw new AbiDecodingException("an indexed value must be 32 bytes, got " + word.length);
        }
        return decodeElementary(type, word, 0, 32);
    }

    public static String hex(byte[] bytes) {
        return "0x" + HEX.formatHex(bytes);
    }

    private static List<Object> decodeSequence(List<AbiType> types, byte[] data, int start, int limit)
            throws AbiDecodingException {
        List<Object> out = new ArrayList<>(types.size());
        int head = start;
        for (AbiType type : types) {
            if (type.isDynamic()) {
                long offset = readLength(data, head, limit, "offset of " + type.canonical());
                if (offset > limit - start) {
                    throw new AbiDecodingException("offset " + offset + " of " + type.canonical()
                            + " points past the end of the data");
                }
                out.add(decodeAt(type, data, start + (int) offset, limit));
                head += 32;
            } else {
                out.add(decodeAt(type, data, head, limit));
                head += type.headSize();
            }
        }
        return out;
    }

    private static Object decodeAt(AbiType type, byte[] data, int pos, int limit) throws AbiDecodingException {
        if (type instanceof AbiType.Elementary e) {
            return decodeElementary(e, data, pos, limit);
        }
        if (type instanceof AbiType.Array a) {
            int length;
            int contents = pos;
            if (a.isFixed()) {
                length = a.length();
            } else {
                long n = readLength(data, pos, limit, "length of " + a.canonical());
                // every element takes at least one word: a longer length cannot be honest
                if (n > (limit - pos - 32L) / 32) {
                    throw new AbiDecodingException("array length " + n + " exceeds the data");
                }
                length = (int) n;
                contents = pos + 32;
            }
            List<AbiType> elements = java.util.Collections.nCopies(length, a.element());
            return decodeSequence(elements, data, contents, limit);
        }
        AbiType.Tuple t = (AbiType.Tuple) type;
        List<Object> values = decodeSequence(t.components(), data, pos, limit);
        Map<String, Object> named = new LinkedHashMap<>();
        for (int i = 0; i < values.size(); i++) {
            String name = t.names().get(i);
            named.put(name == null || name.isEmpty() ? Integer.toString(i) : name, values.get(i));
        }
        return named;
    }

    private static Object decodeElementary(AbiType.Elementary type, byte[] data, int pos, int limit)
            throws AbiDecodingException {
        switch (type.kind()) {
            case BYTES, STRING -> {
                long n = readLength(data, pos, limit, "length of " + type.canonical());
                if (n > limit - pos - 32L) {
                    throw new AbiDecodingException(type.canonical() + " length " + n + " exceeds the data");
                }
                byte[] bytes = Arrays.copyOfRange(data, pos + 32, pos + 32 + (int) n);
                if (type.kind() == AbiType.Kind.BYTES) {
                    return new Hex(hex(bytes));
                }
                try {
                    return StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes)).toString();
                } catch (CharacterCodingException e) {
                    throw new AbiDecodingException("string is not valid UTF-8");
                }
            }
            default -> {
                byte[] word = word(data, pos, limit, type.canonical());
                return switch (type.kind()) {
                    case UINT -> {
                        BigInteger v = new BigInteger(1, word);
                        if (v.bitLength() > type.size()) {
                            throw new AbiDecodingException(v + " does not fit " + type.canonical());
                        }
                        yield v;
                    }
                    case INT -> {
                        BigInteger v = new BigInteger(word);
                        if (v.bitLength() > type.size() - 1) {
                            throw new AbiDecodingException(v + " does not fit " + type.canonical());
                        }
                        yield v;
                    }
                    case ADDRESS -> {
                        requireZero(word, 0, 12, "address");
                        yield new Hex(hex(Arrays.copyOfRange(word, 12, 32)));
                    }
                    case BOOL -> {
                        requireZero(word, 0, 31, "bool");
                        if (word[31] != 0 && word[31] != 1) {
                            throw new AbiDecodingException("bool word ends in " + word[31]);
                        }
                        yield word[31] == 1;
                    }
                    case FIXED_BYTES -> {
                        requireZero(word, type.size(), 32, type.canonical());
                        yield new Hex(hex(Arrays.copyOf(word, type.size())));
                    }
                    default -> throw new IllegalStateException("unreachable: " + type);
                };
            }
        }
    }

    private static byte[] word(byte[] data, int pos, int limit, String what) throws AbiDecodingException {
        if (pos < 0 || pos + 32 > limit) {
            throw new AbiDecodingException("data ends before the " + what + " at byte " + pos);
        }
        return Arrays.copyOfRange(data, pos, pos + 32);
    }

    private static long readLength(byte[] data, int pos, int limit, String what) throws AbiDecodingException {
        BigInteger v = new BigInteger(1, word(data, pos, limit, what));
        if (v.bitLength() > 31) {
            throw new AbiDecodingException(what + " is " + v + ", far beyond the data");
        }
        return v.longValue();
    }

    private static void requireZero(byte[] word, int from, int to, String what) throws AbiDecodingException {
        for (int i = from; i < to; i++) {
            if (word[i] != 0) {
                throw new AbiDecodingException(what + " has non-zero padding");
            }
        }
    }

    /**
     * The text form of a decoded value for {@code ChainEvent.fields}: integers in decimal,
     * addresses and bytes as 0x-hex, strings as is, booleans as true/false, arrays and tuples as
     * JSON text (arrays as JSON arrays, tuples as JSON objects; integers as JSON numbers).
     */
    public static String toText(Object value) {
        if (value instanceof List<?> || value instanceof Map<?, ?>) {
            StringBuilder sb = new StringBuilder();
            appendJson(sb, value);
            return sb.toString();
        }
        return String.valueOf(value);
    }

    private static void appendJson(StringBuilder sb, Object value) {
        if (value instanceof List<?> list) {
            sb.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                appendJson(sb, list.get(i));
            }
            sb.append(']');
        } else if (value instanceof Map<?, ?> map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                appendString(sb, String.valueOf(e.getKey()));
                sb.append(':');
                appendJson(sb, e.getValue());
            }
            sb.append('}');
        } else if (value instanceof BigInteger || value instanceof Boolean) {
            sb.append(value);
        } else {
            appendString(sb, String.valueOf(value));
        }
    }

    private static void appendString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
